"""Downloads of the application form: every download of a filled form is an audit event (the
form carries the department's data and the contact's phone number)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govcloud.applications.documents import render
from govcloud.applications.models import Application
from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.systems.selectors import may_see_contacts

BLANK_NAME = "泰州市政务云平台业务申请表（空白）"


@dataclass(frozen=True)
class FormFile:
    data: bytes
    filename: str
    content_type: str


def application_form_download(*, actor: Actor, application: Application, fmt: str) -> FormFile:
    """The filled form of an application the actor may see, as DOCX or PDF; audited. The phone
    number is in full for those who may see contacts, masked for anyone else."""
    if fmt not in render.FORMATS:
        raise ValidationError(_("Unknown format."))
    # The caller found it in scope; checked again so the service is safe on its own.
    application = get_scoped_or_404(render.form_queryset(), actor, Action.VIEW, pk=application.pk)
    data = render.application_file(application, fmt, reveal_phone=may_see_contacts(actor))
    audit_record(
        actor=actor,
        action="application_form.download",
        target=application,
        message=f"{fmt.upper()} {render.verification_code(application)}",
    )
    return FormFile(data=data, filename=f"{application.number}-业务申请表.{fmt}", content_type=render.FORMATS[fmt])


def blank_form(*, fmt: str) -> FormFile:
    """The blank form (public: no department data in it)."""
    if fmt not in render.FORMATS:
        raise ValidationError(_("Unknown format."))
    return FormFile(data=render.blank_file(fmt), filename=f"{BLANK_NAME}.{fmt}", content_type=render.FORMATS[fmt])
