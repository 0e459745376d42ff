from django.urls import path

from govcloud.delivery import views

app_name = "delivery"

# Mounted at /work-orders/.
urlpatterns = [
    path("", views.work_order_list, name="work_order_list"),
    path("<int:pk>/", views.work_order_detail, name="work_order_detail"),
    path("<int:pk>/claim/", views.work_order_claim, name="work_order_claim"),
    path("<int:pk>/note/", views.work_order_note, name="work_order_note"),
    path("<int:pk>/complete/", views.work_order_complete, name="work_order_complete"),
    path("<int:pk>/retry/", views.work_order_retry, name="work_order_retry"),
    path("<int:pk>/evidence/", views.evidence_submit, name="evidence_submit"),
    path("<int:pk>/evidence/confirm/", views.evidence_confirm, name="evidence_confirm"),
    path("<int:pk>/evidence/reject/", views.evidence_reject, name="evidence_reject"),
    path("<int:pk>/evidence/file/", views.evidence_file, name="evidence_file"),
]
