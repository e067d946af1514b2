from django.urls import path

from hmis.services import manage_views as views

app_name = "manage_catalog"
urlpatterns = [
    path("", views.catalog, name="list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:group_id>/", views.group_edit, name="group"),
    path("groups/<int:group_id>/codes/new/", views.code_create, name="code_create"),
    path("groups/<int:group_id>/codes/<int:code_id>/", views.code_edit, name="code_edit"),
]
