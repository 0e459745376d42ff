"""A finalized assessment as PDF (WeasyPrint with the system's Noto CJK fonts), as the billing
statements and incident reports are rendered: an official Chinese document whatever language the
reader's pages are in."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import translation

from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import Dimension

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PLATFORM = "政务云平台管理系统"


def assessment_pdf(assessment, results, entries) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override("zh-hans"):
        dimensions = [
            {
                "label": str(dim.label),
                "score": assessment.dimension_scores.get(dim.value),
                "rows": [{"r": r, "spec": REGISTRY.get(r.key)} for r in results if r.dimension == dim.value],
            }
            for dim in Dimension
        ]
        html = render_to_string(
            "assessment/assessment_pdf.html",
            {"platform": PLATFORM, "a": assessment, "dimensions": dimensions, "entries": entries},
        )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
