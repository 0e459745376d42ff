from rest_framework import serializers

from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import (
    Assessment,
    AssessmentEntry,
    AssessmentResult,
    AssessmentScheme,
    SchemeIndicator,
    SurveyResponse,
    SurveyRound,
)
from govcloud.core.api.params import plausible_year
from govcloud.core.api.serializers import ModelSerializer


class SchemeIndicatorSerializer(ModelSerializer):
    class Meta:
        model = SchemeIndicator
        fields = ["key", "weight", "rule", "params"]


class AssessmentSchemeSerializer(ModelSerializer):
    indicators = SchemeIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "name",
            "family",
            "version",
            "is_current",
            "period_kind",
            "grades",
            "dimension_weights",
            "note",
            "created_at",
            "indicators",
        ]


class AssessmentResultSerializer(ModelSerializer):
    label = serializers.SerializerMethodField()
    formula = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    score = serializers.FloatField(read_only=True, allow_null=True)
    has_data = serializers.BooleanField(read_only=True)

    class Meta:
        model = AssessmentResult
        fields = [
            "key",
            "dimension",
            "label",
            "formula",
            "unit",
            "weight",
            "has_data",
            "value",
            "numerator",
            "denominator",
            "response_rate",
            "computed_score",
            "adjusted_score",
            "score",
            "adjust_reason",
            "dispute",
            "disputed_at",
            "evidence",
            "flagged",
            "breakdown",
        ]

    def get_label(self, r) -> str:
        spec = REGISTRY.get(r.key)
        return str(spec.label) if spec else r.key

    def get_formula(self, r) -> str:
        spec = REGISTRY.get(r.key)
        return str(spec.formula) if spec else ""

    def get_unit(self, r) -> str:
        spec = REGISTRY.get(r.key)
        return str(spec.unit) if spec else ""


class AssessmentEntrySerializer(ModelSerializer):
    class Meta:
        model = AssessmentEntry
        fields = ["kind", "indicator", "actor_name", "text", "created_at"]


class AssessmentSerializer(ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.__str__", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "period_start",
            "period_end",
            "state",
            "total",
            "grade",
            "dimension_scores",
            "dispute_due_at",
            "finalized_at",
            "created_at",
        ]


class AssessmentDetailSerializer(AssessmentSerializer):
    results = AssessmentResultSerializer(many=True, read_only=True)
    entries = AssessmentEntrySerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "results", "entries"]


class AssessmentRunSerializer(serializers.Serializer):
    period_start = serializers.DateField(validators=[plausible_year])
    period_end = serializers.DateField(validators=[plausible_year])


class AssessmentDisputeSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=4000)


class AssessmentAdjustSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    score = serializers.FloatField(min_value=0, max_value=100, allow_null=True)
    reason = serializers.CharField(max_length=4000)


class SurveyRoundSerializer(ModelSerializer):
    answered = serializers.IntegerField(read_only=True)

    class Meta:
        model = SurveyRound
        fields = [
            "id",
            "period_start",
            "period_end",
            "state",
            "questions",
            "invited",
            "answered",
            "opened_at",
            "closes_at",
        ]


class SurveyResponseSerializer(ModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = ["id", "round", "organization", "answers", "average", "answered_at"]


class SurveyRoundOpenSerializer(serializers.Serializer):
    period_start = serializers.DateField(validators=[plausible_year])
    period_end = serializers.DateField(validators=[plausible_year])


class SurveyAnswerItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SurveyAnswerSerializer(serializers.Serializer):
    answers = SurveyAnswerItemSerializer(many=True)
