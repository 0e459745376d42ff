"""Forms of the security pages. They parse and present; every rule is checked by the services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.policy import Policy, policy_value
from govcloud.security.models import (
    FilingAction,
    FollowUpStatus,
    NoticeKind,
    NoticeSeverity,
    PlanScope,
    PortRequestAction,
    Protocol,
    RectificationAction,
    SecurityEventKind,
)
from govcloud.security.models.notices import MAX_EVIDENCE_FILES, MAX_WORKING_DAYS
from govcloud.security.services.exposure import parse_port_list

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month (<input type="month">), as the first day of that month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if isinstance(value, date) else value


ATTACHMENT_LABEL = _("Attachment (PDF, PNG or JPEG)")


def attachment_field(label=ATTACHMENT_LABEL):
    return forms.FileField(
        label=label,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


# --- Exposure ------------------------------------------------------------------------------------


class AddressFilingForm(forms.Form):
    system = forms.ModelChoiceField(label=_("information system"), queryset=None)
    address = forms.CharField(label=_("public address"), max_length=45, help_text=_("IPv4 or IPv6"))
    domain = forms.CharField(label=_("domain name"), max_length=253, required=False)
    requested_ports = forms.CharField(
        label=_("ports and protocols requested"),
        required=False,
        help_text=_("For example “443/tcp, 80/tcp”. Nothing opens until a port opening request is approved."),
    )
    purpose = forms.CharField(label=_("purpose and notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, systems=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["system"]
        else:
            self.fields["system"].queryset = systems

    def clean_requested_ports(self):
        try:
            return parse_port_list(self.cleaned_data.get("requested_ports", ""))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("requested_ports", exc.messages))


class FilingTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=FilingAction.choices, widget=forms.HiddenInput)
    reference = forms.CharField(label=_("filing reference"), max_length=100, required=False)
    filed_on = forms.DateField(label=_("filing date"), required=False, widget=date_widget())
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PortRequestForm(forms.Form):
    port = forms.IntegerField(label=_("port"), min_value=1, max_value=65535)
    protocol = forms.ChoiceField(label=_("protocol"), choices=Protocol.choices, initial=Protocol.TCP)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PortCloseForm(forms.Form):
    port = forms.IntegerField(min_value=1, max_value=65535, widget=forms.HiddenInput)
    protocol = forms.ChoiceField(choices=Protocol.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=500)


class PortDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=PortRequestAction.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- Access ----------------------------------------------------------------------------------------


class AccessGrantForm(forms.Form):
    grantee = forms.ModelChoiceField(label=_("provider staff member"), queryset=None)
    system = forms.ModelChoiceField(label=_("information system"), queryset=None, required=False)
    resources = forms.ModelMultipleChoiceField(
        label=_("resources"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "gc-check-list"}),
        help_text=_("Your department's cloud hosts, databases and storage, from the resource ledger."),
    )
    resource_note = forms.CharField(label=_("note on the resources"), required=False, max_length=2000)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(
        label=_("from"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=datetime_widget(),
        help_text=_("Empty: from now."),
    )
    ends_at = forms.DateTimeField(label=_("until"), input_formats=DATETIME_FORMATS, widget=datetime_widget())

    def __init__(self, *args, systems=None, staff=None, resources=None, max_hours=72, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems
        self.fields["resources"].queryset = resources
        self.fields["resources"].label_from_instance = resource_label
        self.fields["grantee"].queryset = staff
        self.fields["grantee"].label_from_instance = lambda u: f"{u.full_name} ({u.username})"
        self.fields["ends_at"].help_text = _("At most %(hours)d hours after the start.") % {"hours": max_hours}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)


def resource_label(resource) -> str:
    parts = [resource.code, resource.name]
    if resource.system_id:
        parts.append(f"（{resource.system.name}）")
    return " ".join(p for p in parts if p)


class AccessSessionForm(forms.Form):
    grant = forms.ModelChoiceField(label=_("access grant"), queryset=None, required=False)
    system = forms.ModelChoiceField(label=_("information system"), queryset=None, required=False)
    resource = forms.ModelChoiceField(label=_("resource"), queryset=None, required=False)
    started_at = forms.DateTimeField(label=_("started at"), input_formats=DATETIME_FORMATS, widget=datetime_widget())
    ended_at = forms.DateTimeField(label=_("ended at"), input_formats=DATETIME_FORMATS, widget=datetime_widget())
    work_done = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, grants=None, systems=None, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = grants
        self.fields["resource"].queryset = resources
        self.fields["resource"].label_from_instance = lambda r: f"{r.organization.name} · {resource_label(r)}"
        self.fields["grant"].label_from_instance = lambda g: (
            f"#{g.pk} {g.system.name if g.system_id else g.resources_display} · "
            f"{g.starts_at:%Y-%m-%d %H:%M} – {g.ends_at:%Y-%m-%d %H:%M}"
        )
        self.fields["system"].queryset = systems
        self.fields["system"].label_from_instance = lambda s: f"{s.organization.name} · {s.name}"


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("review"), widget=forms.Textarea(attrs={"rows": 3}))


# --- Bulletins -----------------------------------------------------------------------------------


class BulletinForm(forms.Form):
    period = MonthField(label=_("month"))
    title = forms.CharField(label=_("title"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 12}))
    attachment = attachment_field()
    publish = forms.BooleanField(label=_("Publish now"), required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["period"]
            del self.fields["publish"]


# --- Emergency -----------------------------------------------------------------------------------


class PlanForm(forms.Form):
    scope = forms.ChoiceField(label=_("scope"), choices=PlanScope.choices)
    system = forms.ModelChoiceField(label=_("information system"), queryset=None, required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 10}))
    effective_from = forms.DateField(label=_("effective from"), required=False, widget=date_widget())
    attachment = attachment_field()

    def __init__(self, *args, systems=None, scopes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems
        self.fields["system"].label_from_instance = lambda s: f"{s.organization.name} · {s.name}"
        if scopes is not None:
            self.fields["scope"].choices = [c for c in PlanScope.choices if c[0] in scopes]


class PlanVersionForm(forms.Form):
    change_summary = forms.CharField(label=_("what changed"), max_length=300)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 10}))
    effective_from = forms.DateField(label=_("effective from"), required=False, widget=date_widget())
    attachment = attachment_field()


class DrillForm(forms.Form):
    plan_version = forms.ModelChoiceField(label=_("plan version"), queryset=None)
    held_on = forms.DateField(label=_("date"), widget=date_widget())
    scenario = forms.CharField(label=_("scenario"), widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.CharField(label=_("participants"), widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    follow_ups = forms.CharField(
        label=_("follow-up items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: item | owner | due date (YYYY-MM-DD)."),
    )
    report = attachment_field(_("Drill report (PDF, PNG or JPEG)"))

    def __init__(self, *args, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_version"].queryset = versions
        self.fields["plan_version"].label_from_instance = lambda v: f"{v.plan.title} · v{v.number}"

    def clean_follow_ups(self):
        items = []
        for number, line in enumerate(self.cleaned_data.get("follow_ups", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3:
                raise ValidationError(_("Line %(n)d: write item | owner | due date.") % {"n": number})
            try:
                due_on = date.fromisoformat(parts[2])
            except ValueError:
                raise ValidationError(_("Line %(n)d: the due date is YYYY-MM-DD.") % {"n": number})
            items.append({"description": parts[0], "owner": parts[1], "due_on": due_on})
        return items


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("follow-up item"), max_length=1000)
    owner = forms.CharField(label=_("owner"), max_length=150)
    due_on = forms.DateField(label=_("due date"), widget=date_widget())


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=FollowUpStatus.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=1000)


class MajorEventForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    starts_on = forms.DateField(label=_("start"), widget=date_widget())
    ends_on = forms.DateField(label=_("end"), widget=date_widget())
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProtectionPlanForm(forms.Form):
    occasion = forms.ChoiceField(label=_("occasion"))
    title = forms.CharField(label=_("title"), max_length=200)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 10}))
    attachment = attachment_field()

    def __init__(self, *args, occasions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].choices = [
            (o.key, f"{o.name} · {o.starts_on:%Y-%m-%d} – {o.ends_on:%Y-%m-%d}") for o in occasions
        ]


# --- Security notices and rectification -------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the services check each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=NoticeKind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=NoticeSeverity.choices, initial=NoticeSeverity.HIGH)
    description = forms.CharField(
        label=_("description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The vulnerability or event: what it is, what it affects, how it was found."),
    )
    required_measures = forms.CharField(label=_("required measures"), widget=forms.Textarea(attrs={"rows": 4}))
    organizations = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("security notice", "departments"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The owners of the affected systems are addressed as well."),
    )
    systems = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("security", "affected systems"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    working_days = forms.IntegerField(
        label=_("working days to rectify"), min_value=1, max_value=MAX_WORKING_DAYS, required=False
    )
    attachment = attachment_field()

    def __init__(self, *args, organizations=None, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations
        self.fields["systems"].queryset = systems
        self.fields["systems"].label_from_instance = lambda s: f"{s.organization.name} · {s.name}"
        self.fields["working_days"].help_text = _(
            "Counted from the day after issuing, holidays excluded; the deadline is the close of office hours. "
            "Empty: the policy's %(n)d."
        ) % {"n": policy_value(Policy.SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS)}


class RectificationReportForm(forms.Form):
    measures = forms.CharField(label=_("measures taken"), widget=forms.Textarea(attrs={"rows": 5}))
    result = forms.CharField(label=pgettext_lazy("rectification", "result"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(
        label=_("evidence (PDF, PNG or JPEG)"),
        required=False,
        help_text=_("Scan reports, screenshots, configuration records: up to %(n)d files.") % {"n": MAX_EVIDENCE_FILES},
    )


class RectificationDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a.value, a.label)
            for a in (RectificationAction.ACCEPT, RectificationAction.RETURN, RectificationAction.CANCEL)
        ],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SecurityEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SecurityEventKind.choices)
    occurred_at = forms.DateTimeField(label=_("time"), input_formats=DATETIME_FORMATS, widget=datetime_widget())
    count = forms.IntegerField(label=pgettext_lazy("security event", "count"), min_value=1, initial=1)
    organization = forms.ModelChoiceField(
        label=_("department"),
        queryset=None,
        required=False,
        help_text=_("Empty: the platform as a whole (or the owner of the systems chosen)."),
    )
    systems = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("security", "affected systems"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    source = forms.CharField(label=_("source"), max_length=100, required=False, help_text=_("e.g. WAF, IDS, scanner"))
    summary = forms.CharField(
        label=pgettext_lazy("security event", "summary"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, organizations=None, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["systems"].queryset = systems
        self.fields["systems"].label_from_instance = lambda s: f"{s.organization.name} · {s.name}"


class MonthForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
