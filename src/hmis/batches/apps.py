from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "hmis.batches"
    label = "batches"
    verbose_name = "Batch services"
