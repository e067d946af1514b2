from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "hmis.backups"
    verbose_name = "Backup and restore"
