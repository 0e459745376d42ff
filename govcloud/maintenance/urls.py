from django.urls import path

from govcloud.maintenance import views

app_name = "maintenance"

# Mounted at /maintenance/.
urlpatterns = [
    path("", views.window_list, name="window_list"),
    path("upcoming/", views.window_upcoming, name="window_upcoming"),
    path("new/", views.window_create, name="window_create"),
    path("<int:pk>/", views.window_detail, name="window_detail"),
    path("<int:pk>/edit/", views.window_edit, name="window_edit"),
    path("<int:pk>/transition/", views.window_transition, name="window_transition"),
]
