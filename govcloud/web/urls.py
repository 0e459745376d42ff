from django.urls import path

from govcloud.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
]
