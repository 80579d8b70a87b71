"""Pages of timesheets: my week, approvals, one week's detail."""

from django.urls import path

from keel.timesheets import views

app_name = "timesheets"
urlpatterns = [
    path("timesheets/", views.my_week, name="my_week"),
    path("timesheets/approvals/", views.approvals, name="approvals"),
    path("timesheets/import/", views.lines_import, name="import"),
    path("timesheets/sheets/<int:timesheet_id>/", views.sheet_detail, name="sheet_detail"),
    # Another week of "My week" (links come from views.week_url). Deliberately unnamed: the generic
    # page-scoping walk maps each named page's parameters to a record of a division, and a week's
    # date names none (everyone sees only their own week); tests/timesheets/test_views.py covers it.
    path("timesheets/<str:week>/", views.my_week),
]
