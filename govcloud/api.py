"""The REST API root: every app's viewsets under /api/v1/, with the OpenAPI schema and docs."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from govcloud.applications.api import urls as applications_api
from govcloud.assessment.api import urls as assessment_api
from govcloud.audit.api.views import AuditEventViewSet, AuditVerifyView
from govcloud.billing.api import urls as billing_api
from govcloud.budgets.api import urls as budgets_api
from govcloud.catalog.api import urls as catalog_api
from govcloud.core.api.routers import ValidatedLookupRouter
from govcloud.delivery.api import urls as delivery_api
from govcloud.guide.api import urls as guide_api
from govcloud.identity.api import urls as identity_api
from govcloud.incidents.api import urls as incidents_api
from govcloud.ledger.api import urls as ledger_api
from govcloud.maintenance.api import urls as maintenance_api
from govcloud.monitoring.api import urls as monitoring_api
from govcloud.notifications.api import urls as notifications_api
from govcloud.notifications.api.views import NotificationViewSet
from govcloud.organizations.api.views import ApiTokenViewSet, OrganizationViewSet, UserViewSet
from govcloud.policies.api.views import PolicyViewSet
from govcloud.reconciliation.api import urls as reconciliation_api
from govcloud.reports.api import urls as reports_api
from govcloud.security.api import urls as security_api
from govcloud.systems.api import urls as systems_api
from govcloud.waste.api import urls as waste_api
from govcloud.web.api.views import JobViewSet
from govcloud.workdays.api.views import CalendarYearViewSet, DeadlineView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's Content-Security-Policy: the split view serves its start-up code as
    a script of its own (?script) instead of an inline <script>, and the template takes its few
    page styles from a static file instead of an inline <style>."""

    template_name = "web/api_docs.html"

    def dispatch(self, request, *args, **kwargs):
        # Outside development the documentation is for signed-in users (it maps every endpoint); a
        # person who is not signed in is sent to the login page rather than shown a JSON 403.
        if not settings.DEBUG and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


router = ValidatedLookupRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("users", UserViewSet, basename="user")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("calendar/years", CalendarYearViewSet, basename="calendar-year")
router.register("policies", PolicyViewSet, basename="policy")
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")
# Capabilities register their own routes (each app's api/urls.py).
systems_api.register(router)
notifications_api.register(router)
guide_api.register(router)
identity_api.register(router)
catalog_api.register(router)
ledger_api.register(router)
billing_api.register(router)
applications_api.register(router)
delivery_api.register(router)
security_api.register(router)
reconciliation_api.register(router)
budgets_api.register(router)
maintenance_api.register(router)
incidents_api.register(router)
monitoring_api.register(router)
reports_api.register(router)
assessment_api.register(router)
waste_api.register(router)

urlpatterns = [
    path("calendar/deadline/", DeadlineView.as_view(), name="calendar-deadline"),
    path("audit-chain/verify/", AuditVerifyView.as_view(), name="audit-verify"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
