from django.urls import path

from hmis.clients import card_views as views

app_name = "cards"
urlpatterns = [
    path("", views.index, name="index"),
    path("print/", views.print_many, name="print"),
    path("import/", views.import_cards, name="import"),
    path("clients/<int:client_id>/issue/", views.issue, name="issue"),
    path("clients/<int:client_id>/print/", views.print_client, name="print_client"),
    path("<int:card_id>/replace/", views.replace, name="replace"),
    path("<int:card_id>/revoke/", views.revoke, name="revoke"),
    path("batches/<int:batch_id>/roster/", views.roster, name="roster"),
]
