from django.urls import path

from hmis.services import views

app_name = "services"
urlpatterns = [
    path("picker/", views.picker, name="picker"),
    path("picker/groups/", views.picker_groups, name="picker_groups"),
    path("<int:pk>/void/", views.void, name="void"),
    path("new/<int:client_id>/", views.add, name="add"),
]
