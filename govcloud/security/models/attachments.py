"""Files attached to bulletins, plans, drill reports and protection plans.

A file is kept under settings.PRIVATE_MEDIA_ROOT with a random name (outside the web root) and is
only ever served by a view that checks the scope of the record it belongs to and writes an audit
event. The row has no scope of its own: it is reached only through its owner.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentType(models.TextChoices):
    """The types accepted, recognised by the file's content, never by its name."""

    PDF = "application/pdf", _("PDF document")
    PNG = "image/png", _("PNG image")
    JPEG = "image/jpeg", _("JPEG image")


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40, choices=AttachmentType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    # Relative to settings.PRIVATE_MEDIA_ROOT.
    stored_path = models.CharField(max_length=300, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
