from django.urls import path

from hmis.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/photo/upload/", views.photo_upload, name="photo_upload"),
]
