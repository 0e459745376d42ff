from django.urls import path

from govcloud.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.utilization, name="utilization"),
    path("resources/<int:pk>/", views.resource_utilization, name="resource_utilization"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alert-rules/", views.alert_rule_list, name="alert_rule_list"),
    path("alert-rules/<int:pk>/edit/", views.alert_rule_edit, name="alert_rule_edit"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/template/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/error-report/", views.import_error_report, name="import_error_report"),
]
