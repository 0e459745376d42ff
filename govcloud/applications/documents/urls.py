from django.urls import path

from govcloud.applications.documents import views

app_name = "documents"

# Mounted at /forms/ (see the report): the blank form is public, a filled form is scoped.
urlpatterns = [
    path("blank.docx", views.blank_docx, name="blank_docx"),
    path("blank.pdf", views.blank_pdf, name="blank_pdf"),
    path("applications/<int:pk>.docx", views.application_docx, name="application_docx"),
    path("applications/<int:pk>.pdf", views.application_pdf, name="application_pdf"),
    path("applications/<int:pk>/pdf/prepare/", views.application_pdf_prepare, name="application_pdf_prepare"),
    path(
        "applications/<int:pk>/pdf/jobs/<uuid:job_id>/", views.application_pdf_progress, name="application_pdf_progress"
    ),
]
