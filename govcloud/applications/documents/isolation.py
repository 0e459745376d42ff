"""The application form's part of the isolation harness (see tests/isolation.py): load it beside
the applications app's own registry (its `ENDPOINTS` and `populate(world)`).

Department A owns an application whose purpose carries the marker; B's users must get exactly
what a missing application gives (404) for its DOCX and PDF. (The files are compressed, so the
marker is not searchable in them: no positive control here; the tests check the content.)"""

from __future__ import annotations

import uuid

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.applications.documents.tests.helpers import make_application

    world.a_form_application = make_application(
        organization=world.a_org,
        created_by=world.a_user,
        purpose=f"用途{MARKER}",
        system_name=f"申请表系统{MARKER}",
        number=f"FORM-{MARKER}",
    )


def _application(world) -> dict:
    return {"pk": world.a_form_application.pk}


def _progress(world) -> dict:
    return {"pk": world.a_form_application.pk, "job_id": world.a_job.pk}


def _missing_progress(world) -> dict:
    return {**MISSING_INT, "job_id": uuid.UUID(int=12345)}


ENDPOINTS = {
    "documents:application_pdf_prepare": Probe(Kind.DETAIL, _application, lambda w: MISSING_INT, methods=("post",)),
    "documents:application_pdf_progress": Probe(Kind.DETAIL, _progress, _missing_progress),
    "documents:application_docx": Probe(Kind.DETAIL, _application, lambda w: MISSING_INT),
    "documents:application_pdf": Probe(Kind.DETAIL, _application, lambda w: MISSING_INT),
    "documents:blank_docx": Probe(Kind.PUBLIC),
    "documents:blank_pdf": Probe(Kind.PUBLIC),
}
