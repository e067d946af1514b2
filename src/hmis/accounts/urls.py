from django.urls import path

from hmis.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("set-password/<str:token>/", views.set_password_link_view, name="set_password_link"),
]
