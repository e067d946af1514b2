from django.urls import path, register_converter

from hmis.batches import views


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        from datetime import date

        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(str(error)) from None

    def to_url(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "batches"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("station/", views.station, name="station"),
    path("new/", views.batch_create, name="create"),
    path("locations/", views.location_options, name="location_options"),
    path("<int:pk>/edit/", views.batch_edit, name="edit"),
    path("<int:pk>/deactivate/", views.batch_deactivate, name="deactivate"),
    path("<int:pk>/add/", views.desk, name="desk"),
    path("<int:pk>/scan/", views.scan, name="scan"),
    path("<int:pk>/entries/", views.entries, name="entries"),
    path("<int:pk>/entries/<int:entry_pk>/remove/", views.entry_remove, name="entry_remove"),
    path("<int:pk>/entries/<int:entry_pk>/units/", views.entry_units, name="entry_units"),
    path("<int:pk>/entries/<int:entry_pk>/comment/", views.entry_comment, name="entry_comment"),
    path("<int:pk>/entries/<int:entry_pk>/undo/", views.entry_undo, name="entry_undo"),
    path("desk-sw.js", views.desk_service_worker, name="service_worker"),
    path("<int:pk>/candidates/", views.candidates, name="candidates"),
    path("<int:pk>/recent/", views.recent, name="recent"),
    path("<int:pk>/post/", views.post, name="post"),
    path("<int:pk>/enroll/", views.enroll, name="enroll"),
    path("<int:pk>/household/", views.household, name="household"),
    path("<int:pk>/history/", views.batch_history, name="history"),
    path("<int:pk>/history/<isodate:day>/", views.batch_history_day, name="history_day"),
]
