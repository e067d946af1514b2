from django.apps import AppConfig


class HudcsvConfig(AppConfig):
    name = "hmis.hudcsv"
    label = "hudcsv"
