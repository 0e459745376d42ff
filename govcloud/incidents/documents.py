"""A major incident's report as PDF (WeasyPrint with the system's Noto CJK fonts), as the billing
statements are rendered: an official Chinese document whatever language the reader's pages are in."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import translation

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PLATFORM = "政务云平台管理系统"


def major_report_pdf(incident, report, timeline) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override("zh-hans"):
        html = render_to_string(
            "incidents/major_report_pdf.html",
            {"platform": PLATFORM, "incident": incident, "report": report, "timeline": timeline},
        )
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
