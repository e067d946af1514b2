from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hmis.audit"
    label = "audit"
    verbose_name = "Audit trail"
