"""Rich text of the provider's reports (issue 13): the HTML the editor (Quill, reports/rich_editor.js)
sends, cleaned by nh3 against an explicit allow-list before it is stored, and cleaned again when a
page or the analysis PDF shows it (defence in depth: a row written around the service, or an
allow-list narrowed later, still shows only what is allowed today).

What a report needs and nothing more: headings, paragraphs, emphasis, lists, tables, quotes, code
and links to web pages or mail addresses. No images (files go in as attachments, and an image from
elsewhere would be fetched by every reader), no style or class attributes, no scripts, no event
handlers; nh3 drops the content of <script> and <style> outright.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "hr",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Relative links and fragments stay (nh3 keeps URLs without a scheme); javascript:, data: and the
# rest are removed with the href.
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# A link opens another site: it learns nothing of the page it came from.
LINK_REL = "noopener noreferrer nofollow"

# Plain text (an API client's, a row written before the editor) has no tags: such a body becomes
# paragraphs instead of one run of text. A tag is "<" then a letter or "/" and a letter, so "a < b"
# stays text.
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Where a block ends, the plain-text form of the body breaks the line.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>|</t[dh]>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def is_html(value: str) -> bool:
    return bool(_TAG.search(value or ""))


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, a blank line starts a paragraph, a line break stays one."""
    return linebreaks((text or "").strip(), autoescape=True)


def sanitize(value: str) -> str:
    """The body as stored and shown: plain text into paragraphs, HTML through the allow-list."""
    value = value or ""
    if not is_html(value):
        value = text_to_html(value)
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def plain_text(value: str) -> str:
    """The words of the body without markup, one line per block (excerpts, search, length checks)."""
    value = value or ""
    if is_html(value):
        value = nh3.clean(_BLOCK_END.sub("\n", value), tags=set())
        value = html.unescape(value)
    lines = (_SPACES.sub(" ", line).strip() for line in value.splitlines())
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def is_blank(value: str) -> bool:
    """Nothing a reader would see: no words (an empty editor sends <p><br></p>)."""
    return not plain_text(value)


def render(value: str) -> SafeString:
    """The one place the body is marked safe: only after it has been through the allow-list."""
    # nh3 has just removed everything the allow-list does not name.
    return mark_safe(sanitize(value))
