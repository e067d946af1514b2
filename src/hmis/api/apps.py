from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hmis.api"
    label = "api"
