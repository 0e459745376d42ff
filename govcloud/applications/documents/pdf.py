"""The application form as PDF (WeasyPrint): an HTML template laid out for A4 and printed with the
system's Noto CJK fonts (fonts-noto-cjk). The renderer fetches nothing: only data: URIs are
allowed, so a form can never reach another host."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from govcloud.applications.documents.content import FormContent

TEMPLATE = "documents/application_form.html"

# WeasyPrint reports every layout step at INFO: seven lines per download in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def form_html(content: FormContent) -> str:
    return render_to_string(TEMPLATE, {"form": content})


def pdf_bytes(content: FormContent) -> bytes:
    # Imported here: WeasyPrint loads Pango and the fonts, which only the downloads need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=form_html(content), url_fetcher=fetcher).write_pdf()
