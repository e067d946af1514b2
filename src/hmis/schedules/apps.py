from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "hmis.schedules"
    verbose_name = "Schedules"
