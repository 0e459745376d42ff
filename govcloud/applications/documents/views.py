"""Downloads of the business application form (Art. 9): the filled form of an application the user
may see, and the blank form for everyone (the public guide links to it)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render as render_page
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from govcloud.applications.documents import render, services
from govcloud.applications.models import Application
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.core.selectors import job_get


def _send(form: services.FormFile) -> FileResponse:
    response = FileResponse(
        io.BytesIO(form.data), as_attachment=True, filename=form.filename, content_type=form.content_type
    )
    return response


def _application(request, pk: int, fmt: str) -> FileResponse:
    application = get_scoped_or_404(Application.objects.all(), request.user, Action.VIEW, pk=pk)
    response = _send(services.application_form_download(actor=request.user, application=application, fmt=fmt))
    # A filled form carries personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def application_docx(request, pk: int):
    return _application(request, pk, render.DOCX)


@login_required
@require_GET
def application_pdf(request, pk: int):
    return _application(request, pk, render.PDF)


@require_GET
@cache_control(public=True, max_age=3600)
def blank_docx(request):
    return _send(services.blank_form(fmt=render.DOCX))


@require_GET
@cache_control(public=True, max_age=3600)
def blank_pdf(request):
    return _send(services.blank_form(fmt=render.PDF))


@login_required
@require_POST
def application_pdf_prepare(request, pk: int):
    """The PDF button (HTMX): a ready file gives its link at once, else a progress bar that polls
    the background job and turns into the link when the form is laid out."""
    application = get_scoped_or_404(Application.objects.all(), request.user, Action.VIEW, pk=pk)
    job = services.application_form_prepare(actor=request.user, application=application, fmt=render.PDF)
    return render_page(request, "documents/_pdf_progress.html", {"application": application, "job": job})


@login_required
@require_GET
def application_pdf_progress(request, pk: int, job_id):
    application = get_scoped_or_404(Application.objects.all(), request.user, Action.VIEW, pk=pk)
    job = job_get(user=request.user, job_id=job_id)
    return render_page(request, "documents/_pdf_progress.html", {"application": application, "job": job})
