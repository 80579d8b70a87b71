"""Pages of project and portfolio finance."""

from django.urls import path

from keel.finance import views

app_name = "finance"
urlpatterns = [
    path("finance/", views.dashboard, name="dashboard"),
    path("finance/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("finance/rates/", views.rates, name="rates"),
    path("projects/<int:project_id>/finance/", views.project_finance, name="project"),
    path("projects/<int:project_id>/finance/export.xlsx", views.project_export, name="project_export"),
    path("projects/<int:project_id>/finance/expenses/", views.expenses, name="expenses"),
    path("projects/<int:project_id>/finance/expenses/import/", views.expense_import, name="expense_import"),
    path("projects/<int:project_id>/finance/budget/", views.budget, name="budget"),
    path("finance/expenses/<int:expense_id>/delete/", views.expense_delete, name="expense_delete"),
]
