from django.urls import path

from pass_unit.reports import views

app_name = "reports"

urlpatterns = [
    # /reports/activity/<year>/
    path("activity/<int:year>/", views.activity, name="activity"),
    path("activity/<int:year>/quality/", views.quality, name="quality"),
    path("activity/<int:year>/report.pdf", views.activity_pdf, name="activity-pdf"),
    path("activity/<int:year>/report.xlsx", views.activity_xlsx, name="activity-xlsx"),
    path("activity/<int:year>/report.csv", views.activity_csv, name="activity-csv"),
]
