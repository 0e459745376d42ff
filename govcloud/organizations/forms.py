from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import TOTP_REQUIRED_ROLES, Role
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User
from govcloud.organizations.usernames import canonical_username


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct. Repeated failures lock the account."),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # With unified sign-on in place, a password is the administrators' break-glass path only.
        if getattr(settings, "GOVCLOUD_LOCAL_LOGIN_ADMINS_ONLY", False) and not user.roles & TOTP_REQUIRED_ROLES:
            raise forms.ValidationError(
                _("Sign in through the unified identity platform: GovCloud passwords are for administrators only."),
                code="sso_only",
            )

    def clean_username(self):
        # The canonical name goes to authenticate(), the lockout counter and the audit trail alike.
        return canonical_username(self.cleaned_data["username"])


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class OrganizationForm(forms.ModelForm):
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30)

    class Meta:
        model = Organization
        fields = ["name", "short_name", "kind", "level", "parent", "credit_code", "contact_name", "contact_phone"]

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        self.fields["parent"].required = False


class UserCreateForm(forms.ModelForm):
    phone = forms.CharField(label=_("mobile phone"), max_length=30, required=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "organization", "title", "email", "phone"]

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations

    def clean_username(self):
        return canonical_username(self.cleaned_data["username"])


class UserEditForm(UserCreateForm):
    class Meta(UserCreateForm.Meta):
        fields = ["full_name", "organization", "title", "email", "phone"]


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “budget report script”.")
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("1 year"))],
        initial=90,
    )


class UnlockForm(forms.Form):
    username = forms.CharField(label=_("Account"), required=False)
    ip_address = forms.GenericIPAddressField(label=_("Source address"), required=False)


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All kinds"))] + OrganizationKind.choices, required=False)
    level = forms.ChoiceField(
        label=_("level"), choices=[("", _("All levels"))] + OrganizationLevel.choices, required=False
    )
