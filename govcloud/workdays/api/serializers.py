from rest_framework import serializers

from govcloud.core.api.params import plausible_year
from govcloud.workdays.models import CalendarDay, CalendarYear, DayKind


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]


class CalendarYearSerializer(serializers.ModelSerializer):
    days = CalendarDaySerializer(many=True, read_only=True)

    class Meta:
        model = CalendarYear
        fields = ["year", "source", "notice_reference", "entered_by_name", "updated_at", "days"]
        read_only_fields = fields


class DayInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class NoticeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    notice_reference = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    days = DayInputSerializer(many=True)


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="ISO 8601 moment the clock starts", validators=[plausible_year])
    working_days = serializers.IntegerField(min_value=1, max_value=60)


class DeadlineSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    working_days = serializers.IntegerField()
    due = serializers.DateTimeField()
    provisional = serializers.BooleanField()
