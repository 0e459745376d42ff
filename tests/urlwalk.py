"""Every named URL pattern of the project, for harnesses that must cover all of them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def named_patterns() -> dict[str, str]:
    """{"namespace:name": route} for every named pattern (DRF's format-suffix twins collapse)."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                found.setdefault(f"{namespace}{p.name}", prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", "")
    return found
