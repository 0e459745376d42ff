from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.organizations.forms import UserCreateForm


class LinkExistingForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Existing account"), queryset=None)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name}（{u.username}，{u.organization}）"


class LinkNewAccountForm(UserCreateForm):
    """The usual account creation form: an account in an organization, with no role."""


class RefuseForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
