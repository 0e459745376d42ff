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
from govcloud.core.models import Job
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.core.services import job_run, job_start
from govcloud.systems.selectors import may_see_contacts

BLANK_NAME = "泰州市政务云平台业务申请表（空白）"
JOB_KIND = "application_form"


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


def application_form_prepare(*, actor: Actor, application: Application, fmt: str = render.PDF) -> Job | None:
    """Lay out the form in the background (a first PDF takes seconds): None if this version is
    ready already, else the job whose progress the page polls. The download itself stays the
    audited `application_form_download`, which then finds the file ready."""
    if fmt not in render.FORMATS:
        raise ValidationError(_("Unknown format."))
    application = get_scoped_or_404(render.form_queryset(), actor, Action.VIEW, pk=application.pk)
    reveal = may_see_contacts(actor)
    if render.application_cached(application, fmt, reveal_phone=reveal) is not None:
        return None
    # Imported here: the task module imports this one.
    from govcloud.applications.tasks import application_form_render_task

    return job_start(
        actor=actor,
        kind=JOB_KIND,
        label=_("Application form %(number)s (%(format)s)") % {"number": application.number, "format": fmt.upper()},
        task=application_form_render_task,
        params={"application": application.pk, "fmt": fmt, "reveal": reveal},
    )


def application_form_render(*, job_id: str) -> dict | None:
    """The job's work: collect, lay out and cache the form (nothing is written but the cache)."""

    def work(job: Job, progress) -> dict:
        progress(0, 3, _("Collecting the application"))
        application = render.form_queryset().get(pk=job.params["application"])
        progress(1, 3, _("Laying out the form"))
        render.application_file(application, job.params["fmt"], reveal_phone=bool(job.params["reveal"]))
        progress(3, 3)
        return {"application": application.pk, "fmt": job.params["fmt"]}

    return job_run(job_id=job_id, work=work)
