from django.urls import path

from govcloud.organizations import views

app_name = "organizations"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/session/keep-alive/", views.session_keep_alive, name="session_keep_alive"),
    path("accounts/otp/", views.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/", views.token_list, name="token_list"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/", views.user_roles, name="user_roles"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password-reset/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/totp-reset/", views.user_totp_reset, name="user_totp_reset"),
    path("security/lockouts/", views.lockout_list, name="lockout_list"),
]
