from django.urls import path

from hmis.clients import rights_views

app_name = "client_rights"
urlpatterns = [
    path("<int:client_id>/record.json", rights_views.client_record_download, name="record"),
]
