from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hmis.accounts"
    label = "accounts"
    verbose_name = "Accounts"
