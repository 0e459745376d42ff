from django.urls import path

from govcloud.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.resource_list, name="resource_list"),
    path("export/", views.export, name="export"),
    path("totals/", views.totals, name="totals"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("quotas/", views.quota_list, name="quota_list"),
    path("quotas/<int:pk>/", views.quota_edit, name="quota_edit"),
]
