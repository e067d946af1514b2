from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "hmis.projects"
    label = "projects"
    verbose_name = "Organizations and programs"
