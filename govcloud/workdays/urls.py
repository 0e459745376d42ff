from django.urls import path

from govcloud.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("<int:year>/notice/", views.notice_edit, name="notice_edit"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("deadline/", views.deadline_calculator, name="deadline"),
]
