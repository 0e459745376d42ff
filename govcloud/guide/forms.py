"""Forms of the service guide. They parse and present; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.guide.services import TITLE_MAX


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; blank lines separate paragraphs."),
    )
    pinned = forms.BooleanField(
        label=_("Pin to the top"), required=False, help_text=_("Pinned announcements stay at the top.")
    )


class NewAnnouncementForm(AnnouncementForm):
    publish = forms.BooleanField(label=_("Publish now"), required=False)
