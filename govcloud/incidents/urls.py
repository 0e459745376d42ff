from django.urls import path

from govcloud.incidents import views

app_name = "incidents"

# Mounted at /incidents/.
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    path("call/", views.call_create, name="call_create"),
    path("board/", views.board, name="board"),
    path("board/rows/", views.board_rows, name="board_rows"),
    path("figures/", views.figures, name="figures"),
    path("severities/", views.severity_list, name="severity_list"),
    path("severities/<int:pk>/edit/", views.severity_edit, name="severity_edit"),
    path("roster/", views.roster, name="roster"),
    path("roster/teams/", views.team_create, name="team_create"),
    path("roster/shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/report/", views.major_report, name="major_report"),
    path("<int:pk>/report.pdf", views.major_report_pdf, name="major_report_pdf"),
    path("<int:pk>/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.incident_act, name="incident_act"),
]
