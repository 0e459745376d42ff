"""The reports part of the isolation harness (see tests/isolation.py): department A's utilization
report (its resource's name carries the marker) and the city-wide one (which lists A's resource);
the provider's report, a pool and an analysis report carrying the marker. Department B's users must
see none of them: not A's report, not the city's, and nothing of the center's and provider's."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.core.actors import SYSTEM
    from govcloud.core.roles import Role
    from govcloud.reports import analysis, services, utilization
    from govcloud.reports.models import AnalysisReport, ProviderReportKind, ReportPeriod

    today = timezone.localdate()
    world.rep_util = utilization.utilization_report_generate(
        actor=SYSTEM, period=ReportPeriod.WEEK, day=today, organization=world.a_org
    )
    world.rep_city = utilization.utilization_report_generate(actor=SYSTEM, period=ReportPeriod.WEEK, day=today)
    # No marker in the name: other pages (access grants) list the provider's people to everyone.
    provider = world.city.user(Role.PROVIDER_OPERATOR, full_name="运维报告员")
    world.rep_pool = services.resource_pool_create(actor=SYSTEM, name=f"池{MARKER}", kind="compute", capacity=100)
    world.rep_provider = services.provider_report_create(
        actor=provider, kind=ProviderReportKind.ADVICE, month=today, title=f"建议{MARKER}", body=f"正文{MARKER}"
    )
    world.rep_attachment = services.provider_report_attach(
        actor=provider,
        report=world.rep_provider,
        upload=SimpleUploadedFile(f"附件{MARKER}.pdf", b"%PDF-1.4 " + MARKER.encode(), content_type="application/pdf"),
    )
    services.provider_report_submit(actor=provider, report=world.rep_provider)
    world.rep_analysis = analysis.analysis_report_generate(actor=SYSTEM, month=today)
    AnalysisReport.objects.filter(pk=world.rep_analysis.pk).update(figures={"month": f"{today:%Y-%m}-01", "x": MARKER})


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _attachment(w):
    return {"pk": w.rep_provider.pk, "attachment_pk": w.rep_attachment.pk}


MISSING_ATTACHMENT = {"pk": MISSING_INT["pk"], "attachment_pk": MISSING_INT["pk"]}


def _missing(w):
    return MISSING_INT


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "reports:utilization_list": Probe(Kind.LIST),
    "reports:utilization_generate": Probe(Kind.LIST),
    "reports:utilization_detail": Probe(Kind.DETAIL, _pk("rep_util"), _missing, owner_sees_marker=True),
    # Compressed documents: the marker cannot be read in them, so no positive control here.
    "reports:utilization_xlsx": Probe(Kind.DETAIL, _pk("rep_util"), _missing),
    "reports:utilization_pdf": Probe(Kind.DETAIL, _pk("rep_util"), _missing),
    # The center's and the provider's: 403 for a department whether or not the object exists.
    "reports:analysis_list": Probe(Kind.LIST, methods=("get", "post"), data={"month": "2026-11"}),
    "reports:analysis_pdf": Probe(Kind.DETAIL, _pk("rep_analysis"), _missing),
    "reports:pool_list": Probe(Kind.LIST),
    "reports:pool_create": Probe(Kind.LIST, methods=("get", "post"), data={"name": "x", "kind": "compute"}),
    "reports:pool_edit": Probe(Kind.DETAIL, _pk("rep_pool"), _missing, methods=("get", "post")),
    "reports:provider_report_list": Probe(Kind.LIST),
    "reports:provider_report_create": Probe(Kind.LIST),
    "reports:provider_report_detail": Probe(Kind.DETAIL, _pk("rep_provider"), _missing),
    "reports:provider_report_edit": Probe(Kind.DETAIL, _pk("rep_provider"), _missing, methods=("get", "post")),
    "reports:provider_report_attach": Probe(Kind.DETAIL, _pk("rep_provider"), _missing, methods=("post",)),
    "reports:provider_report_move": Probe(
        Kind.DETAIL, _pk("rep_provider"), _missing, methods=("post",), data={"action": "acknowledge"}
    ),
    "reports:provider_report_attachment": Probe(Kind.DETAIL, _attachment, lambda w: MISSING_ATTACHMENT),
    # --- REST API ------------------------------------------------------------------------------------
    "utilization-report-list": Probe(Kind.LIST),
    "utilization-report-detail": Probe(Kind.DETAIL, _pk("rep_util"), _missing, owner_sees_marker=True),
    "utilization-report-lines": Probe(Kind.DETAIL, _pk("rep_util"), _missing, owner_sees_marker=True),
    # Without a department: the city, refused (403) to a department before anything is built.
    "utilization-report-generate": Probe(Kind.LIST, methods=("post",), data={"period": "week", "day": "2026-11-30"}),
    "analysis-report-list": Probe(Kind.LIST),
    "analysis-report-detail": Probe(Kind.DETAIL, _pk("rep_analysis"), _missing),
    "analysis-report-pdf": Probe(Kind.DETAIL, _pk("rep_analysis"), _missing),
    "analysis-report-generate": Probe(Kind.LIST, methods=("post",), data={"month": "2026-11-01"}),
    "resource-pool-list": Probe(
        Kind.LIST, methods=("get", "post"), data={"name": "x", "kind": "compute", "capacity": 1}
    ),
    "resource-pool-detail": Probe(
        Kind.DETAIL, _pk("rep_pool"), _missing, methods=("get", "patch"), data={"capacity": 1}
    ),
    "provider-report-list": Probe(Kind.LIST),
    "provider-report-detail": Probe(
        Kind.DETAIL, _pk("rep_provider"), _missing, methods=("get", "patch"), data={"title": "x", "body": "y"}
    ),
    "provider-report-submit": Probe(Kind.DETAIL, _pk("rep_provider"), _missing, methods=("post",)),
    "provider-report-acknowledge": Probe(Kind.DETAIL, _pk("rep_provider"), _missing, methods=("post",)),
    "provider-report-return": Probe(
        Kind.DETAIL, _pk("rep_provider"), _missing, methods=("post",), data={"reason": "x"}
    ),
    "provider-report-timeline": Probe(Kind.DETAIL, _pk("rep_provider"), _missing),
    "provider-report-attachments": Probe(Kind.DETAIL, _pk("rep_provider"), _missing, methods=("get", "post")),
    "provider-report-attachment-download": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.rep_provider.pk, "attachment_id": w.rep_attachment.pk},
        lambda w: {"pk": MISSING_INT["pk"], "attachment_id": MISSING_INT["pk"]},
    ),
}
