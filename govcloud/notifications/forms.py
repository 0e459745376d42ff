"""Forms of the channel pages. They parse and present; the services check every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.core.actors import actor_roles
from govcloud.core.roles import Role
from govcloud.notifications.kinds import KINDS, URGENT_KINDS, kind_for
from govcloud.notifications.models import Robot, RobotFormat, RobotPlatform
from govcloud.organizations.models import Organization


def kind_choices() -> list[tuple[str, str]]:
    codes = set(KINDS) | set(URGENT_KINDS)
    return sorted(
        ((code, f"{kind_for(code).group_label} · {kind_for(code).label}") for code in codes),
        key=lambda c: str(c[1]),
    )


class RobotForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    platform = forms.ChoiceField(label=_("platform"), choices=RobotPlatform.choices)
    message_format = forms.ChoiceField(
        label=_("message format"), choices=RobotFormat.choices, initial=RobotFormat.MARKDOWN
    )
    organization = forms.ModelChoiceField(
        label=_("organization's group"), queryset=Organization.objects.none(), required=False
    )
    duty_team = forms.ModelChoiceField(
        label=_("duty team's group"), queryset=Organization.objects.none(), required=False
    )
    webhook_url = forms.CharField(
        label=_("webhook address"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The address the platform gives the robot (it contains the robot's key)."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk robots with 加签 only (starts with SEC)."),
    )
    clear_secret = forms.BooleanField(label=_("remove the saved signing secret"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("kinds of notification posted to the group"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        initial=list(URGENT_KINDS),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, user, robot: Robot | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.robot = robot
        self.fields["kinds"].choices = kind_choices()
        roles = actor_roles(user)
        duty_model = Robot._meta.get_field("duty_team").related_model
        if robot is not None:
            # The group of a robot does not change (delete it and add another).
            for name in ("organization", "duty_team"):
                del self.fields[name]
            saved = _("Saved; leave empty to keep it.")
            self.fields["webhook_url"].help_text = saved
            if robot.secret:
                self.fields["secret"].help_text = saved
            else:
                del self.fields["clear_secret"]
            return
        del self.fields["clear_secret"]
        self.fields["webhook_url"].required = True
        if Role.CENTER_ADMIN in roles:
            self.fields["organization"].queryset = Organization.objects.order_by("path")
        elif Role.DEPARTMENT_HEAD in roles and user.organization_id:
            self.fields["organization"].queryset = Organization.objects.filter(
                path__startswith=user.organization.path
            ).order_by("path")
        else:
            del self.fields["organization"]
        if roles & {Role.CENTER_ADMIN, Role.PROVIDER_OPERATOR}:
            self.fields["duty_team"].queryset = duty_model.objects.filter(is_active=True).order_by("name")
        else:
            del self.fields["duty_team"]
