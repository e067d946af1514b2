from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "hmis.clients"
    label = "clients"
    verbose_name = "Clients"
