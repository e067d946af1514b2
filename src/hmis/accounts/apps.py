from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hmis.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from hmis.accounts import sessions  # noqa: F401  (connects the sign-in signal)
