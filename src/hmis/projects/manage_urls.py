from django.urls import path

from hmis.projects import manage_views as views

app_name = "manage_programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("<int:project_id>/", views.program_edit, name="edit"),
    path("<int:project_id>/locations/new/", views.location_create, name="location_create"),
    path(
        "<int:project_id>/locations/<int:location_id>/", views.location_edit, name="location_edit"
    ),
    *[
        route
        for kind, segment in (
            ("Funder", "funders"),
            ("ProjectCoC", "coc"),
            ("Inventory", "inventory"),
        )
        for route in (
            path(
                f"<int:project_id>/{segment}/new/",
                views.hud_record_create,
                {"kind": kind},
                name=f"{segment}_create",
            ),
            path(
                f"<int:project_id>/{segment}/<int:record_id>/",
                views.hud_record_edit,
                {"kind": kind},
                name=f"{segment}_edit",
            ),
            path(
                f"<int:project_id>/{segment}/<int:record_id>/remove/",
                views.hud_record_remove,
                {"kind": kind},
                name=f"{segment}_remove",
            ),
        )
    ],
    path(
        "<int:project_id>/locations/<int:location_id>/active/",
        views.location_active,
        name="location_active",
    ),
]
