from django.urls import path

from govcloud.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_read_all, name="notification_read_all"),
    path("badge/", views.notification_badge, name="notification_badge"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("channels/", views.channel_settings, name="channels"),
    path("robots/new/", views.robot_create, name="robot_create"),
    path("robots/<int:pk>/edit/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/delete/", views.robot_delete, name="robot_delete"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
]
