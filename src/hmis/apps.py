from django.apps import AppConfig


class HmisConfig(AppConfig):
    """The project package as an app: base templates, static files, the `serve`/`demo` commands."""

    name = "hmis"
    label = "hmis"
    verbose_name = "HMIS"
