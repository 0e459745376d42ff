from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govcloud.workdays.models import DayKind
from govcloud.workdays.services import DayEntry

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    notice_reference = forms.CharField(
        label=_("notice reference"), max_length=120, required=False, help_text=_("e.g. 国办发明电〔2026〕7号")
    )


class DayEntryForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("name"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("The end date is before the start date."))
        if start and end and (end - start).days > 14:
            raise ValidationError(_("A holiday period is at most 15 days."))
        return data

    def entries(self) -> list[DayEntry]:
        data = self.cleaned_data
        if not data or not data.get("start"):
            return []
        start, end = data["start"], data.get("end") or data["start"]
        return [
            DayEntry(start + timedelta(days=i), DayKind(data["kind"]), data.get("name", ""))
            for i in range((end - start).days + 1)
        ]


DayEntryFormSet = forms.formset_factory(DayEntryForm, extra=0, min_num=1, max_num=60, validate_min=True)


class ImportForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    notice_reference = forms.CharField(label=_("notice reference"), max_length=120, required=False)
    file = forms.FileField(label=_("XLSX file"), help_text=_("Columns: date, kind (holiday/workday or 休/班), name."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        head = upload.read(4)
        upload.seek(0)
        if not upload.name.lower().endswith(".xlsx") or head != b"PK\x03\x04":
            raise ValidationError(_("Upload an .xlsx workbook."))
        return upload


class DeadlineForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Start (submitted at)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=60, initial=2)
