from django.urls import path

from govcloud.assessment import views

app_name = "assessment"

# Mounted at /assessment/.
urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("scheme/", views.scheme_detail, name="scheme_detail"),
    path("scheme/edit/", views.scheme_edit, name="scheme_edit"),
    path("ratings/<int:application_id>/", views.delivery_rating, name="delivery_rating"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/report.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("<int:pk>/evidence/<slug:key>/", views.evidence, name="evidence"),
    path("<int:pk>/<slug:action>/", views.assessment_act, name="assessment_act"),
]
