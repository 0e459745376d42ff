from django.urls import path

from govcloud.observability import views

app_name = "observability"

urlpatterns = [
    path("", views.metrics, name="metrics"),
]
