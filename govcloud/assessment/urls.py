from django.urls import path

from govcloud.assessment import views

app_name = "assessment"

# Mounted at /assessment/.
urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("scheme/", views.scheme_detail, name="scheme_detail"),
    path("scheme/edit/", views.scheme_edit, name="scheme_edit"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/questions/", views.survey_questions, name="survey_questions"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("supervision/", views.supervision_page, name="supervision"),
    path("supervision/export.xlsx", views.supervision_export, name="supervision_export"),
    path("ratings/<int:application_id>/", views.delivery_rating, name="delivery_rating"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/report.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("<int:pk>/evidence/<slug:key>/", views.evidence, name="evidence"),
    path("<int:pk>/<slug:action>/", views.assessment_act, name="assessment_act"),
]
