from django.urls import path

from govcloud.security import views

app_name = "security"

# Mounted at /security/ (the organizations app owns /security/lockouts/).
urlpatterns = [
    path("", views.overview, name="overview"),
    # Internet exposure (Annex 1)
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/new/", views.filing_create, name="filing_create"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/edit/", views.filing_edit, name="filing_edit"),
    path("filings/<int:pk>/transition/", views.filing_transition, name="filing_transition"),
    path("filings/<int:pk>/ports/request/", views.port_request_create, name="port_request_create"),
    path("filings/<int:pk>/ports/close/", views.port_close, name="port_close"),
    path("ports/", views.port_request_list, name="port_request_list"),
    path("ports/<int:pk>/", views.port_request_detail, name="port_request_detail"),
    path("ports/<int:pk>/decide/", views.port_request_decide, name="port_request_decide"),
    # Access grants and sessions (Art. 18)
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/review/", views.session_review, name="session_review"),
    # Security bulletins (Art. 17)
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/attachment/", views.bulletin_attachment, name="bulletin_attachment"),
    # Emergency plans and drills (Art. 12, 17)
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/versions/new/", views.plan_version_create, name="plan_version_create"),
    path(
        "plans/<int:pk>/versions/<int:number>/attachment/",
        views.plan_version_attachment,
        name="plan_version_attachment",
    ),
    path("drills/", views.drill_list, name="drill_list"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("drills/<int:pk>/", views.drill_detail, name="drill_detail"),
    path("drills/<int:pk>/report/", views.drill_report, name="drill_report"),
    path("drills/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/<int:pk>/", views.follow_up_update, name="follow_up_update"),
    # Security notices and rectification (Art. 16, 17)
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/attachment/", views.notice_attachment, name="notice_attachment"),
    path("notices/records/", views.rectification_list, name="rectification_list"),
    path("notices/records/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("notices/records/<int:pk>/report/", views.rectification_report, name="rectification_report"),
    path("notices/records/<int:pk>/transition/", views.rectification_transition, name="rectification_transition"),
    path(
        "notices/records/<int:pk>/evidence/<uuid:attachment_id>/",
        views.rectification_evidence,
        name="rectification_evidence",
    ),
    # Security events and their monthly statistics (Art. 17)
    path("security-events/", views.security_event_list, name="security_event_list"),
    path("security-events/new/", views.security_event_create, name="security_event_create"),
    path("security-events/statistics/", views.security_event_stats, name="security_event_stats"),
    path("security-events/<int:pk>/edit/", views.security_event_edit, name="security_event_edit"),
    # Major events and protection plans (Art. 12)
    path("events/", views.event_list, name="event_list"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("protection/", views.protection_list, name="protection_list"),
    path("protection/new/", views.protection_file, name="protection_file"),
    path("protection/<int:pk>/", views.protection_detail, name="protection_detail"),
    path("protection/<int:pk>/attachment/", views.protection_attachment, name="protection_attachment"),
]
