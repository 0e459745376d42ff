from django.urls import path

from govcloud.systems import views

app_name = "systems"

urlpatterns = [
    path("", views.system_list, name="system_list"),
    path("migration/", views.migration_dashboard, name="migration_dashboard"),
]
