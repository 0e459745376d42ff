from django.urls import path

from govcloud.security import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
]
