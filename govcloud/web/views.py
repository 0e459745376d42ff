from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from govcloud.core.selectors import job_get
from govcloud.organizations.models import OrganizationLevel
from govcloud.web.health import run_checks
from govcloud.web.navigation import ROLE_PANELS
from govcloud.web.selectors import home_context
from govcloud.web.services import job_download_open


@login_required
def home(request):
    roles = request.user.roles
    panels = [template for panel_roles, template in ROLE_PANELS if roles & panel_roles]
    context = home_context(user=request.user)
    center = context.get("center")
    if center:
        context["level_chart"] = {
            "color": ["#a61b1b", "#1756a0", "#e0a526", "#5c7c8a", "#2e7d5b"],
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0},
            "series": [
                {
                    "type": "pie",
                    "radius": ["45%", "70%"],
                    "data": [
                        {"name": str(OrganizationLevel(level).label), "value": n} for level, n in center["by_level"]
                    ],
                }
            ],
        }
    return render(request, "web/home.html", {"panels": panels, **context})


@login_required
def job_detail(request, pk):
    job = job_get(user=request.user, job_id=pk)
    template = "web/_job_progress.html" if request.htmx else "web/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = job_get(user=request.user, job_id=pk)
    path = job_download_open(actor=request.user, job=job)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_filename)


def healthz(request):
    """For the load balancer: the process answers and the database is reachable. Like /readyz it
    is public, answers over plain HTTP (settings.SECURE_REDIRECT_EXEMPT) and needs no login."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready to serve: the database, the task backend and the private file storage all work.
    200 when every check passes, else 503; each check's result either way (never an error message)."""
    results = run_checks()
    ready = all(result.ok for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": {name: r.as_dict() for name, r in results.items()}},
        status=200 if ready else 503,
    )
