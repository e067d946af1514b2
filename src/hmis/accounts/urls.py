from django.urls import path

from hmis.accounts import two_factor_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", two_factor_views.overview, name="two_factor"),
    path("two-factor/code/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/set-up/", two_factor_views.set_up, name="two_factor_set_up"),
    path(
        "two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("two-factor/turn-off/", two_factor_views.turn_off, name="two_factor_turn_off"),
    path("set-password/<str:token>/", views.set_password_link_view, name="set_password_link"),
]
