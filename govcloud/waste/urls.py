from django.urls import path

from govcloud.waste import views

app_name = "waste"

# Mounted at /waste/.
urlpatterns = [
    path("advice/", views.advice_list, name="advice_list"),
    path("advice/generate/", views.advice_generate, name="advice_generate"),
    path("advice/<int:pk>/", views.advice_detail, name="advice_detail"),
    path("advice/<int:pk>/accept/", views.advice_accept, name="advice_accept"),
    path("advice/<int:pk>/dismiss/", views.advice_dismiss, name="advice_dismiss"),
    path("expiry/", views.expiry_list, name="expiry_list"),
    path("expiry/<int:pk>/", views.expiry_detail, name="expiry_detail"),
    path("expiry/<int:pk>/confirm/", views.expiry_confirm, name="expiry_confirm"),
    path("expiry/<int:pk>/extend/", views.expiry_extend, name="expiry_extend"),
]
