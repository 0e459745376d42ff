"""The security overview: one page per role with what waits on it."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from govcloud.security.selectors.overview import security_overview
from govcloud.security.views.common import page


@login_required
def overview(request):
    context = security_overview(user=request.user)
    chart = context.get("session_chart")
    if chart:
        chart["series"][0]["name"] = _("Within a grant")
        chart["series"][1]["name"] = _("Flagged")
    return page(request, "security/overview.html", context, tab="overview")
