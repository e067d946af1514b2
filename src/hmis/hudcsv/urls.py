from django.urls import path

from hmis.hudcsv import views

app_name = "hudcsv"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/report/", views.import_report, name="import_report"),
    path("export/", views.export_page, name="export"),
]
