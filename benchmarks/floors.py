"""The floors a list page stands on, for benchmarks/pages.py and profile_pages.py (issue 19).

`/healthz` answers without a session, a user or a template. Every list page also pays for the
signed-in request (the session, the user, the second factor's and the account checks) and for the
layout around its content (menu, header, footer). Two benchmark-only endpoints measure those two
floors the same way as the pages, so the printed ratios say how much of a page is the page itself.
They exist only under the benchmark's settings (floors_settings.py), never in the product's URLs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

SIGNED_IN = "/bench/signed-in"
LAYOUT = "/bench/layout"


@login_required
def signed_in(request):
    """A signed-in request that does nothing: the middleware with a session and its user."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def layout(request):
    """The layout with an empty page in it (menu, header, footer), signed in."""
    return render(request, "web/base.html")


urlpatterns = [
    path(SIGNED_IN.lstrip("/"), signed_in),
    path(LAYOUT.lstrip("/"), layout),
    path("", include("govcloud.urls")),
]
