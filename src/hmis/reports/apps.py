from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hmis.reports"
    label = "reports"
