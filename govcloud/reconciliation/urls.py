from django.urls import path

from govcloud.reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.discrepancy_list, name="discrepancy_list"),
    path("run/", views.run_now, name="run_now"),
    path("discrepancies/<int:pk>/", views.discrepancy_detail, name="discrepancy_detail"),
    path("discrepancies/<int:pk>/<slug:action>/", views.discrepancy_action, name="discrepancy_action"),
]
