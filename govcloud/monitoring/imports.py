"""The provider's utilization table (资源利用情况表, Art. 12) imported from XLSX.

- `import_batch_create`: the provider's staff upload the filled table; the file is kept as
  received in the private storage with its SM3 digest, a batch records it, and a background job
  (core Job, with its progress bar) reads it. The same file uploaded before is said (by digest),
  and importing it again is harmless: samples are unique on resource, metric and time.
- `import_batch_run` (the job): reads the workbook (xlsx_import), refuses rows on their own with
  their reasons, and sends the valid rows' samples through the one ingest path, `samples_ingest`,
  in chunks, so every check of the push API applies (unknown resource or not the provider's, not
  in service at that time, in the future, before the raw window). A row is taken or refused whole:
  its values' form and ranges and repeats within the file are checked before anything is sent,
  and what ingest refuses (the resource, the time) concerns every value of the row alike. The
  refused rows go into a downloadable error report (the row as written, 错误原因 beside it). An
  unreadable file imports nothing and the batch says why.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action
from govcloud.core.uploads import FileType, max_mb, private_path, remove_private, store_private
from govcloud.monitoring import xlsx_import
from govcloud.monitoring.models import IMPORT_UPLOADERS, ImportBatch, ImportState, SampleSource
from govcloud.monitoring.services import MAX_BATCH, samples_ingest

logger = logging.getLogger(__name__)

# The most data rows one table may hold (a larger one is refused whole: split it).
MAX_ROWS = getattr(settings, "MONITORING_IMPORT_MAX_ROWS", 100_000)
# How many rejected rows the batch keeps for its page (all are in the error report).
KEPT_REJECTIONS = 50
_FOLDER = "monitoring/imports"
XLSX = FileType(xlsx_import.XLSX_CONTENT_TYPE, ".xlsx")
_OTHER = FileType("application/octet-stream", ".bin")
# The report is in the table's language, whoever uploaded it.
REPORT_LANGUAGE = "zh-hans"


def _check_size(upload) -> None:
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > max_mb() * 1024 * 1024:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": max_mb()}})


def import_batch_create(*, actor: Actor, upload) -> ImportBatch:
    """Keep the uploaded table and start its import in the background. Any file within the size
    limit is taken: one that is not a readable XLSX ends as a failed batch that says why (the
    provider sees what happened to what they sent). Only the provider's staff may upload."""
    # Imported here: the task module imports this one.
    from govcloud.core.services import job_start
    from govcloud.monitoring.tasks import utilization_import_task

    require_role(actor, IMPORT_UPLOADERS)
    organization = getattr(actor, "organization", None)
    if organization is None:
        raise ValidationError(_("Your account belongs to no organization."))
    _check_size(upload)
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    stored = store_private(upload, folder=_FOLDER, file_type=XLSX if head == b"PK\x03\x04" else _OTHER)
    try:
        with transaction.atomic():
            earlier = (
                ImportBatch.objects.restrict(actor, Action.VIEW)
                .filter(sm3=stored.sm3)
                .exclude(state=ImportState.FAILED)
                .order_by("created_at", "pk")
                .first()
            )
            batch = ImportBatch.objects.create(
                organization=organization,
                uploaded_by=actor,
                uploaded_by_name=actor_name(actor),
                created_at=timezone.now(),
                file_name=stored.original_name,
                file_path=stored.relative_path,
                file_size=stored.size,
                sm3=stored.sm3,
                duplicate_of=earlier,
            )
            batch.job = job_start(
                actor=actor,
                kind="monitoring.import",
                label=_("Import utilization table %(name)s") % {"name": stored.original_name},
                task=utilization_import_task,
                params={"batch": batch.pk},
            )
            batch.save(update_fields=["job"])
            audit_record(
                actor=actor,
                action="monitoring.import_upload",
                target=batch,
                object_repr=f"#{batch.pk} {stored.original_name}",
                message=_("Uploaded the utilization table %(name)s (%(size)s bytes, SM3 %(sm3)s).")
                % {"name": stored.original_name, "size": stored.size, "sm3": stored.sm3},
            )
    except BaseException:
        remove_private(stored.relative_path)
        raise
    return batch


@dataclass
class _Outcome:
    accepted: int = 0
    samples: int = 0


def _finish(batch: ImportBatch, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(fields))


def import_batch_run(
    *, actor: Actor, batch_id: int, progress: Callable[..., None] = lambda *a, **k: None
) -> ImportBatch:
    """Read and import one uploaded table (the background job; `actor` is who uploaded it, whose
    rights every sample is checked against). Run again for a finished batch, it does nothing."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.is_finished:
            return batch
        batch.state = ImportState.RUNNING
        batch.started_at = timezone.now()
        batch.save(update_fields=["state", "started_at"])
    with translation.override(REPORT_LANGUAGE):
        try:
            _run(actor, batch, progress)
        except Exception as exc:
            logger.exception("utilization import %s failed", batch.pk)
            _finish(
                batch,
                state=ImportState.FAILED,
                failure=_("The import stopped with an error: %(error)s") % {"error": exc},
            )
            raise
    return batch


def _run(actor: Actor, batch: ImportBatch, progress: Callable[..., None]) -> None:
    progress(0, 1, _("Reading the file"))
    try:
        table = xlsx_import.read_table(private_path(batch.file_path).read_bytes(), max_rows=MAX_ROWS)
    except xlsx_import.UnreadableFile as exc:
        _fail(actor, batch, str(exc))
        return
    if table is None:
        _fail(
            actor,
            batch,
            _(
                "No header row found: the table needs a resource code column (资源编码), a time column (时间) "
                "and at least one metric column (CPU使用率, 内存使用率…) — download the template."
            ),
        )
        return
    batch.sheet_name, batch.header_row = table.sheet[:100], table.header_row
    rows = table.data_rows
    skipped = len(table.rows) - len(rows)
    _mark_repeats(rows)
    ready = [r for r in rows if not r.errors]
    outcome = _ingest(actor, ready, len(rows), progress)
    rejected = [r for r in rows if r.errors]
    report_path = ""
    if rejected:
        title = _("Utilization table import — error report (batch #%(pk)s, %(name)s)") % {
            "pk": batch.pk,
            "name": batch.file_name,
        }
        content = xlsx_import.error_report(table, [(r, r.errors) for r in rejected], title=title)
        report_path = f"{_FOLDER}/{uuid.uuid4().hex}-errors.xlsx"
        target = Path(settings.PRIVATE_MEDIA_ROOT) / report_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    with transaction.atomic():
        _finish(
            batch,
            state=ImportState.DONE,
            sheet_name=batch.sheet_name,
            header_row=batch.header_row,
            rows_total=len(rows),
            rows_accepted=outcome.accepted,
            rows_rejected=len(rejected),
            rows_skipped=skipped,
            samples_accepted=outcome.samples,
            rejections=[{"row": r.number, "code": r.code, "reasons": r.errors} for r in rejected[:KEPT_REJECTIONS]],
            error_report_path=report_path,
        )
        audit_record(
            actor=actor,
            action="monitoring.import_done",
            target=batch,
            object_repr=f"#{batch.pk} {batch.file_name}",
            message=_("Imported %(accepted)s rows (%(samples)s values); %(rejected)s rejected, %(skipped)s skipped.")
            % {"accepted": outcome.accepted, "samples": outcome.samples, "rejected": len(rejected), "skipped": skipped},
        )
    progress(len(rows), max(len(rows), 1))


def _fail(actor: Actor, batch: ImportBatch, reason: str) -> None:
    with transaction.atomic():
        _finish(batch, state=ImportState.FAILED, failure=reason)
        audit_record(
            actor=actor,
            action="monitoring.import_done",
            target=batch,
            object_repr=f"#{batch.pk} {batch.file_name}",
            message=_("Nothing imported: %(reason)s") % {"reason": reason},
        )


def _mark_repeats(rows: list[xlsx_import.Row]) -> None:
    """A resource, metric and time given by an earlier row of the file: the later row is refused
    (which of two different values is right is the provider's to say)."""
    first: dict[tuple, int] = {}
    for row in rows:
        if row.errors or row.at is None:
            continue
        keys = [(row.code, metric, row.at) for metric in row.values]
        earlier = next((first[k] for k in keys if k in first), None)
        if earlier is not None:
            row.errors.append(_("Same resource and time as row %(row)s.") % {"row": earlier})
            continue
        for key in keys:
            first[key] = row.number


def _ingest(actor: Actor, rows: list[xlsx_import.Row], total: int, progress: Callable[..., None]) -> _Outcome:
    """Send the rows' samples through samples_ingest in chunks of whole rows (at most MAX_BATCH
    samples each); a sample ingest refuses marks its row refused with ingest's reason."""
    outcome = _Outcome()
    chunk: list[xlsx_import.Row] = []
    size = 0
    done = 0

    def send(chunk: list[xlsx_import.Row]) -> None:
        samples, owners = [], []
        for row in chunk:
            for metric, value in row.values.items():
                samples.append({"resource": row.code, "metric": metric, "time": row.at, "value": value})
                owners.append(row)
        result = samples_ingest(actor=actor, source=SampleSource.XLSX, samples=samples)
        refused = set()
        for rejection in result.rejections:
            row = owners[rejection.index]
            refused.add(row.number)
            if rejection.message not in row.errors:
                row.errors.append(rejection.message)
        outcome.accepted += sum(1 for row in chunk if row.number not in refused)
        outcome.samples += result.accepted

    for row in rows:
        if size + len(row.values) > MAX_BATCH and chunk:
            send(chunk)
            done += len(chunk)
            progress(done, total, _("Importing"))
            chunk, size = [], 0
        chunk.append(row)
        size += len(row.values)
    if chunk:
        send(chunk)
    return outcome


def import_error_report_open(*, actor: Actor, batch: ImportBatch) -> Path:
    """The batch's error report (the caller has checked the batch is in the actor's scope).
    Every download is an audit event."""
    if not batch.error_report_path:
        raise Http404(_("This import has no error report."))
    path = private_path(batch.error_report_path)
    audit_record(
        actor=actor,
        action="monitoring.import_report_download",
        target=batch,
        object_repr=f"#{batch.pk} {batch.file_name}",
    )
    return path


def error_report_filename(batch: ImportBatch) -> str:
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-错误报告-{batch.pk}.xlsx"
