"""The security app's API routes; govcloud/api.py calls register()."""

from govcloud.security.api import notices, views


def register(router) -> None:
    router.register("address-filings", views.AddressFilingViewSet, basename="address-filing")
    router.register("port-requests", views.PortRequestViewSet, basename="port-request")
    router.register("access-grants", views.AccessGrantViewSet, basename="access-grant")
    router.register("access-sessions", views.AccessSessionViewSet, basename="access-session")
    router.register("security-bulletins", views.SecurityBulletinViewSet, basename="security-bulletin")
    router.register("emergency-plans", views.EmergencyPlanViewSet, basename="emergency-plan")
    router.register("emergency-drills", views.EmergencyDrillViewSet, basename="emergency-drill")
    router.register("drill-follow-ups", views.DrillFollowUpViewSet, basename="drill-follow-up")
    router.register("major-events", views.MajorEventViewSet, basename="major-event")
    router.register("protection-plans", views.ProtectionPlanViewSet, basename="protection-plan")
    router.register("security-notices", notices.SecurityNoticeViewSet, basename="security-notice")
    router.register("notice-rectifications", notices.NoticeRectificationViewSet, basename="notice-rectification")
    router.register("security-events", notices.SecurityEventViewSet, basename="security-event")
