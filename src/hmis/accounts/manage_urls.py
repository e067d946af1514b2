from django.urls import path

from hmis.accounts import manage_views as views

app_name = "manage_users"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create, name="create"),
    path("<int:user_id>/", views.user_edit, name="edit"),
    path("<int:user_id>/password-link/", views.user_password_link, name="password_link"),
    path("<int:user_id>/unlock/", views.user_unlock, name="unlock"),
    path("<int:user_id>/two-factor/reset/", views.user_reset_two_factor, name="reset_two_factor"),
    path("<int:user_id>/deactivate/", views.user_deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", views.user_reactivate, name="reactivate"),
    path("<int:user_id>/tokens/", views.token_create, name="token_create"),
    path("<int:user_id>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
