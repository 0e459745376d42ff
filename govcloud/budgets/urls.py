from django.urls import path

from govcloud.budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_list, name="budget_list"),
    path("finance/", views.finance_overview, name="finance"),
    path("export.xlsx", views.export, name="export"),
]
