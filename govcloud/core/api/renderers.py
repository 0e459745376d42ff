"""The browsable API under the site's Content-Security-Policy."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML view of the API, with inline styles allowed on its own pages only.

    DRF's templates position two buttons with style= attributes and colour code samples with a
    <style> block; rewriting them would mean copying DRF's whole page. Those pages are for
    developers, hold no user-supplied markup outside escaped JSON, and keep every other directive
    (scripts stay 'self'), so they relax style-src alone rather than lose their layout."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update sets; its middleware reads it once the page is rendered.
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
