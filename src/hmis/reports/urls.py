from django.urls import path

from hmis.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance.csv", views.attendance_csv, name="attendance_csv"),
    path("services/", views.services, name="services"),
    path("services.csv", views.services_csv, name="services_csv"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("demographics/", views.demographics_page, name="demographics"),
    path("demographics.csv", views.demographics_csv, name="demographics_csv"),
    path("sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path("funders/", views.funders_page, name="funders"),
    path("data-quality/", views.data_quality_page, name="data_quality"),
    path("data-quality.csv", views.data_quality_csv, name="data_quality_csv"),
    path("funders.csv", views.funders_csv, name="funders_csv"),
    path("funders.pdf", views.funders_pdf, name="funders_pdf"),
    path("sign-in-sheet.pdf", views.sign_in_sheet_pdf, name="sign_in_sheet_pdf"),
    path("sign-in-sheet.csv", views.sign_in_sheet_csv, name="sign_in_sheet_csv"),
]
