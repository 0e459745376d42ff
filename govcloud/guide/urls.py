from django.urls import path

from govcloud.guide import views

app_name = "guide"

# Mounted at /guide/. The first three pages are public (Art. 9: the platform's website).
urlpatterns = [
    path("", views.index, name="index"),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.announcement_create, name="announcement_create"),
    path("manage/<int:pk>/edit/", views.announcement_edit, name="announcement_edit"),
    path("manage/<int:pk>/publish/", views.announcement_publish, name="announcement_publish"),
    path("manage/<int:pk>/unpublish/", views.announcement_unpublish, name="announcement_unpublish"),
]
