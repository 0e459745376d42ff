from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from govcloud.web.views import healthz

urlpatterns = [
    path("", include("govcloud.organizations.urls")),
    path("", include("govcloud.web.urls")),
    path("audit/", include("govcloud.audit.urls")),
    path("workdays/", include("govcloud.workdays.urls")),
    path("policies/", include("govcloud.policies.urls")),
    path("notifications/", include("govcloud.notifications.urls")),
    path("systems/", include("govcloud.systems.urls")),
    path("security/", include("govcloud.security.urls")),
    path("api/v1/", include("govcloud.api")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", healthz, name="healthz"),
]
