from django.urls import path

from govcloud.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.utilization, name="utilization"),
    path("resources/<int:pk>/", views.resource_utilization, name="resource_utilization"),
]
