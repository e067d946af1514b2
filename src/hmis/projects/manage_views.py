"""Program and location pages (/manage/programs/): agency administrators for their
organization, system administrators for every organization."""

from dataclasses import fields

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.projects.access import (
    get_hud_record_for_user,
    get_location_for_user,
    get_project_for_user,
    projects_visible_to,
)
from hmis.projects.errors import ProgramError
from hmis.projects.forms import HUD_RECORD_FORMS, LocationForm, ProgramForm
from hmis.projects.hud_records import remove_hud_record, save_hud_record
from hmis.projects.managing import (
    HUD_EXTRA_FIELDS,
    RESIDENTIAL_TYPES,
    ProgramValues,
    save_location,
    save_program,
    set_location_active,
)
from hmis.projects.models import Organization, ProjectType

PAGE_SIZE = 50
INVENTORY_TYPES = RESIDENTIAL_TYPES | {ProjectType.RAPID_REHOUSING}
VALUE_FIELDS = [field.name for field in fields(ProgramValues)]


def _organizations(user):
    organizations = Organization.objects.filter(deleted_at__isnull=True)
    if is_system_admin(user):
        return organizations
    return organizations.filter(pk=user.organization_id)


@requires(Perm.MANAGE_PROGRAMS)
@require_GET
def program_list(request):
    programs = (
        projects_visible_to(request.user)
        .annotate(location_count=Count("locations", filter=Q(locations__active=True)))
        .order_by("-active", "name", "pk")
    )
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/manage/list.html",
        {"page": page, "all_organizations": is_system_admin(request.user), "query_prefix": ""},
    )


def _program_form(request, project):
    initial = {"active": True, "continuum_project": 0, "hmis_participation": 1}
    if project is not None:
        initial = {name: getattr(project, name) for name in VALUE_FIELDS if hasattr(project, name)}
        initial["organization"] = project.organization_id
        initial["continuum_project"] = int(project.continuum_project)
        for field, column in HUD_EXTRA_FIELDS.items():
            initial[field] = (project.hud_data or {}).get(column)
    form = ProgramForm(
        request.POST or None, organizations=_organizations(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = ProgramValues(**{name: data[name] for name in VALUE_FIELDS})
        try:
            project = save_program(
                admin=request.user,
                project=project,
                organization=data["organization"],
                values=values,
            )
        except ProgramError as refusal:
            for field, message in refusal.details.get(
                "problems", {refusal.field: refusal.message}
            ).items():
                form.add_error(field, message)
        else:
            messages.success(request, f"Saved program {project.name}.")
            return redirect("manage_programs:edit", project_id=project.pk)
    context = {"form": form, "project": project}
    if project is not None:
        context["locations"] = project.locations.order_by("-active", "name")
        records = project.hud_records.filter(deleted_at__isnull=True).order_by("created_at", "pk")
        context["hud_sections"] = [_hud_section(project, kind, records) for kind in KIND_SEGMENTS]
        # HUD's Housing Inventory Count needs the beds of residential programs.
        context["inventory_needed"] = project.project_type in INVENTORY_TYPES and not any(
            r.kind == "Inventory" for r in records
        )
        context["location_form"] = LocationForm()
    return render(request, "projects/manage/form.html", context)


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def program_create(request):
    return _program_form(request, None)


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def program_edit(request, project_id):
    return _program_form(request, get_project_for_user(request.user, project_id))


def _location_form(request, project, location):
    initial = {"name": location.name, "address": location.address} if location else None
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            location = save_location(
                admin=request.user, project=project, location=location, **form.cleaned_data
            )
        except ProgramError as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"Saved location {location.name}.")
            return redirect("manage_programs:edit", project_id=project.pk)
    return render(
        request,
        "projects/manage/location.html",
        {"form": form, "project": project, "location": location},
    )


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def location_create(request, project_id):
    return _location_form(request, get_project_for_user(request.user, project_id), None)


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def location_edit(request, project_id, location_id):
    project = get_project_for_user(request.user, project_id)
    return _location_form(
        request, project, get_location_for_user(request.user, project, location_id)
    )


@requires(Perm.MANAGE_PROGRAMS)
@require_POST
def location_active(request, project_id, location_id):
    project = get_project_for_user(request.user, project_id)
    location = get_location_for_user(request.user, project, location_id)
    active = request.POST.get("active") == "1"
    set_location_active(admin=request.user, location=location, active=active)
    messages.success(
        request, f"{'Activated' if active else 'Deactivated'} location {location.name}."
    )
    return redirect("manage_programs:edit", project_id=project.pk)


# --- HUD Funder, ProjectCoC and Inventory records of a program ---------------------------------

KIND_TITLES = {"Funder": "Funder", "ProjectCoC": "CoC and geography", "Inventory": "Inventory"}
KIND_SEGMENTS = {"Funder": "funders", "ProjectCoC": "coc", "Inventory": "inventory"}
# What each section's table shows of a record (HUD columns).
KIND_SUMMARY = {
    "Funder": ("Funder", "GrantID", "StartDate", "EndDate"),
    "ProjectCoC": ("CoCCode", "Geocode", "City", "State"),
    "Inventory": ("CoCCode", "HouseholdType", "BedInventory", "InventoryStartDate"),
}


def _hud_section(project, kind, records) -> dict:
    segment = KIND_SEGMENTS[kind]
    return {
        "title": KIND_TITLES[kind],
        "slug": segment,
        "columns": KIND_SUMMARY[kind],
        "add_url": reverse(f"manage_programs:{segment}_create", args=[project.pk]),
        "rows": [
            {
                "values": [r.data.get(column, "") for column in KIND_SUMMARY[kind]],
                "edit_url": reverse(f"manage_programs:{segment}_edit", args=[project.pk, r.pk]),
                "remove_url": reverse(f"manage_programs:{segment}_remove", args=[project.pk, r.pk]),
            }
            for r in records
            if r.kind == kind
        ],
    }


def _hud_record_form(request, project, kind, hud_record):
    initial = None
    if hud_record is not None:
        initial = dict(hud_record.data)
    form = HUD_RECORD_FORMS[kind](request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_hud_record(
                admin=request.user,
                project=project,
                kind=kind,
                data=form.cleaned_data,
                hud_record=hud_record,
            )
        except ProgramError as refusal:
            for field, message in refusal.details["problems"].items():
                form.add_error(field, message)
        else:
            messages.success(request, f"Saved {KIND_TITLES[kind]} of {project.name}.")
            return redirect("manage_programs:edit", project_id=project.pk)
    return render(
        request,
        "projects/manage/hud_record.html",
        {
            "form": form,
            "project": project,
            "kind": kind,
            "title": KIND_TITLES[kind],
            "hud_record": hud_record,
        },
    )


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def hud_record_create(request, project_id, kind):
    return _hud_record_form(request, get_project_for_user(request.user, project_id), kind, None)


@requires(Perm.MANAGE_PROGRAMS)
@require_http_methods(["GET", "POST"])
def hud_record_edit(request, project_id, record_id, kind):
    project = get_project_for_user(request.user, project_id)
    hud_record = get_hud_record_for_user(request.user, project, kind, record_id)
    return _hud_record_form(request, project, kind, hud_record)


@requires(Perm.MANAGE_PROGRAMS)
@require_POST
def hud_record_remove(request, project_id, record_id, kind):
    project = get_project_for_user(request.user, project_id)
    remove_hud_record(
        admin=request.user,
        hud_record=get_hud_record_for_user(request.user, project, kind, record_id),
    )
    messages.success(request, f"Removed a {KIND_TITLES[kind]} record of {project.name}.")
    return redirect("manage_programs:edit", project_id=project.pk)
