"""Showing a provider report's text: `rich_text` for the formatted body (detail page, analysis PDF),
`plain_text` where only words fit (excerpts). Both go through reports.richtext, so a page never
marks anything safe that has not just been through the allow-list."""

from django import template

from govcloud.reports import richtext

register = template.Library()


@register.filter
def rich_text(value):
    return richtext.render(value)


@register.filter
def plain_text(value):
    return richtext.plain_text(value)
