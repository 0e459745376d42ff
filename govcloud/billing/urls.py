from django.urls import path

from govcloud.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>.pdf", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("lines/<int:pk>/adjust/", views.line_adjust, name="line_adjust"),
    path("verify/", views.verify, name="verify"),
]
