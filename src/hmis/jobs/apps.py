from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "hmis.jobs"
    verbose_name = "Background jobs"
