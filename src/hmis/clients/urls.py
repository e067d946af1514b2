from django.urls import path

from hmis.clients import enrollment_views, views

app_name = "clients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/photo/upload/", views.photo_upload, name="photo_upload"),
    path("<int:pk>/enroll/", enrollment_views.enroll, name="enroll"),
    path("<int:pk>/household/", enrollment_views.enroll_as_household, name="enroll_household"),
    path("enrollments/<int:enrollment_id>/exit/", enrollment_views.exit_page, name="exit"),
    path("enrollments/<int:enrollment_id>/edit/", enrollment_views.edit, name="enrollment_edit"),
]
