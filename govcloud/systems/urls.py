from django.urls import path

from govcloud.systems import views

app_name = "systems"

urlpatterns = [
    path("", views.system_list, name="system_list"),
    path("new/", views.system_create, name="system_create"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.system_detail, name="system_detail"),
    path("<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("<int:pk>/filings/new/", views.filing_create, name="filing_create"),
    path("<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("<int:pk>/rectifications/new/", views.rectification_create, name="rectification_create"),
    path("<int:pk>/attachments/new/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/exemptions/new/", views.exemption_create, name="exemption_create"),
    path("rectifications/<int:pk>/", views.rectification_edit, name="rectification_edit"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("migration/", views.migration_dashboard, name="migration_dashboard"),
    path("exemptions/", views.exemption_list, name="exemption_list"),
    path("exemptions/<int:pk>/", views.exemption_detail, name="exemption_detail"),
    path("exemptions/<int:pk>/edit/", views.exemption_edit, name="exemption_edit"),
    path("exemptions/<int:pk>/evidence/", views.exemption_evidence, name="exemption_evidence"),
    path("exemptions/<int:pk>/assign/", views.exemption_assign, name="exemption_assign"),
    path("exemptions/<int:pk>/vote/", views.exemption_vote, name="exemption_vote"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption_decide"),
    path("exemptions/<int:pk>/<slug:action>/", views.exemption_act, name="exemption_act"),
]
