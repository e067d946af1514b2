from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "hmis.monitoring"
    verbose_name = "Health, metrics and logs"
