from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "hmis.services"
    label = "services"
    verbose_name = "Services"
