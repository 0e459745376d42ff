from django.urls import path

from govcloud.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("update/", views.policy_update, name="policy_update"),
    path("preview/", views.policy_preview, name="policy_preview"),
]
