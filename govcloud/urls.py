from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from govcloud.notifications.views import short_link
from govcloud.web.views import healthz, readyz

urlpatterns = [
    path("", include("govcloud.organizations.urls")),
    path("", include("govcloud.identity.urls")),
    path("", include("govcloud.web.urls")),
    path("audit/", include("govcloud.audit.urls")),
    path("workdays/", include("govcloud.workdays.urls")),
    path("policies/", include("govcloud.policies.urls")),
    path("notifications/", include("govcloud.notifications.urls")),
    # The short links in SMS (notifications/sms.py): short because an SMS is 70 characters.
    path("s/<str:code>", short_link, name="short_link"),
    path("systems/", include("govcloud.systems.urls")),
    path("security/", include("govcloud.security.urls")),
    path("incidents/", include("govcloud.incidents.urls")),
    path("assessment/", include("govcloud.assessment.urls")),
    path("guide/", include("govcloud.guide.urls")),
    path("catalog/", include("govcloud.catalog.urls")),
    path("ledger/", include("govcloud.ledger.urls")),
    path("maintenance/", include("govcloud.maintenance.urls")),
    path("billing/", include("govcloud.billing.urls")),
    path("forms/", include("govcloud.applications.documents.urls")),
    path("applications/", include("govcloud.applications.urls")),
    path("work-orders/", include("govcloud.delivery.urls")),
    path("reconciliation/", include("govcloud.reconciliation.urls")),
    path("budgets/", include("govcloud.budgets.urls")),
    path("monitoring/", include("govcloud.monitoring.urls")),
    path("reports/", include("govcloud.reports.urls")),
    path("waste/", include("govcloud.waste.urls")),
    path("api/v1/", include("govcloud.api")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", include("govcloud.observability.urls")),
]

# Pages answer errors with the HTML pages; anything under /api/ answers JSON (core/api/errors.py).
handler400 = "govcloud.core.api.errors.bad_request"
handler403 = "govcloud.core.api.errors.permission_denied"
handler404 = "govcloud.core.api.errors.page_not_found"
handler500 = "govcloud.core.api.errors.server_error"
