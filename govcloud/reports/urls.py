from django.urls import path

from govcloud.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.utilization_list, name="utilization_list"),
    path("utilization/generate/", views.utilization_generate, name="utilization_generate"),
    path("utilization/<int:pk>/", views.utilization_detail, name="utilization_detail"),
    path("utilization/<int:pk>/xlsx/", views.utilization_xlsx, name="utilization_xlsx"),
    path("utilization/<int:pk>/pdf/", views.utilization_pdf, name="utilization_pdf"),
    path("analysis/", views.analysis_list, name="analysis_list"),
    path("analysis/<int:pk>/pdf/", views.analysis_pdf, name="analysis_pdf"),
    path("pools/", views.pool_list, name="pool_list"),
    path("pools/new/", views.pool_edit, name="pool_create"),
    path("pools/<int:pk>/edit/", views.pool_edit, name="pool_edit"),
    path("provider/", views.provider_report_list, name="provider_report_list"),
    path("provider/new/", views.provider_report_create, name="provider_report_create"),
    path("provider/<int:pk>/", views.provider_report_detail, name="provider_report_detail"),
    path("provider/<int:pk>/edit/", views.provider_report_edit, name="provider_report_edit"),
    path("provider/<int:pk>/attach/", views.provider_report_attach, name="provider_report_attach"),
    path("provider/<int:pk>/move/", views.provider_report_move, name="provider_report_move"),
    path(
        "provider/<int:pk>/attachments/<int:attachment_pk>/",
        views.provider_report_attachment,
        name="provider_report_attachment",
    ),
]
