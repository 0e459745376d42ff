from django.urls import path

from govcloud.applications import views

app_name = "applications"

# Mounted at /applications/.
urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.application_create, name="application_create"),
    path("form/row/", views.item_row, name="item_row"),
    path("form/estimate/", views.estimate, name="estimate"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/steps/<slug:action>/", views.application_step, name="application_step"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
