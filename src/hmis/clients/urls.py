from django.urls import path

from hmis.clients import enrollment_views, merge_views, supervision_views, views

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
    path("<int:pk>/bars/new/", supervision_views.bar_new, name="bar_new"),
    path("bars/", supervision_views.bar_list, name="bar_list"),
    path("bars/<int:bar_id>/edit/", supervision_views.bar_edit, name="bar_edit"),
    path("bars/<int:bar_id>/end/", supervision_views.bar_end, name="bar_end"),
    path("<int:pk>/releases/new/", supervision_views.release_new, name="release_new"),
    path(
        "releases/<int:release_id>/revoke/",
        supervision_views.release_revoke,
        name="release_revoke",
    ),
    path("releases/<int:release_id>/form/", supervision_views.release_form, name="release_form"),
    path("<int:pk>/alerts/new/", supervision_views.alert_new, name="alert_new"),
    path("alerts/<int:alert_id>/remove/", supervision_views.alert_remove, name="alert_remove"),
    path("duplicates/", merge_views.possible_duplicates, name="possible_duplicates"),
    path("duplicates/not-duplicate/", merge_views.not_duplicate, name="not_duplicate"),
    path("<int:pk>/merge/", merge_views.merge_compare, name="merge"),
    path("merges/<int:merge_id>/undo/", merge_views.merge_undo, name="merge_undo"),
]
