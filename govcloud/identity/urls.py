from django.urls import path

from govcloud.identity import views

app_name = "identity"

urlpatterns = [
    path("accounts/sso/oidc/login/", views.oidc_login, name="oidc_login"),
    path("accounts/sso/oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("accounts/sso/oidc/backchannel-logout/", views.oidc_backchannel_logout, name="oidc_backchannel_logout"),
    path("accounts/sso/cas/login/", views.cas_login, name="cas_login"),
    path("accounts/sso/cas/callback/", views.cas_callback, name="cas_callback"),
    path("accounts/sso/not-provisioned/", views.not_provisioned, name="not_provisioned"),
    path("identity/link-requests/", views.link_request_list, name="link_request_list"),
    path("identity/link-requests/<int:pk>/", views.link_request_detail, name="link_request_detail"),
    path("identity/link-requests/<int:pk>/link/", views.link_request_link, name="link_request_link"),
    path(
        "identity/link-requests/<int:pk>/new-account/",
        views.link_request_create_account,
        name="link_request_create_account",
    ),
    path("identity/link-requests/<int:pk>/refuse/", views.link_request_refuse, name="link_request_refuse"),
]
