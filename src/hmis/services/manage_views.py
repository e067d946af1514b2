"""Service catalog pages (/manage/catalog/): service groups and their codes, for agency
administrators (their organization's groups) and system administrators (all, shared too)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.projects.access import projects_visible_to
from hmis.projects.models import Organization
from hmis.services.access import get_managed_code, get_managed_group
from hmis.services.catalog import groups_managed_by, save_code, save_group
from hmis.services.errors import CatalogError
from hmis.services.forms import CodeForm, GroupForm


@requires(Perm.MANAGE_CATALOG)
@require_GET
def catalog(request):
    groups = (
        groups_managed_by(request.user)
        .annotate(code_count=Count("codes"))
        .order_by("-active", "name", "pk")[:500]
    )
    return render(
        request,
        "services/manage/catalog.html",
        {"groups": groups, "all_organizations": is_system_admin(request.user)},
    )


def _group_form(request, group):
    system_admin = is_system_admin(request.user)
    initial = {"active": True}
    if group is not None:
        initial = {
            "name": group.name,
            "organization": group.organization_id,
            "active": group.active,
            "projects": list(group.projects.values_list("pk", flat=True)),
        }
    form = GroupForm(
        request.POST or None,
        initial=initial,
        organizations=Organization.objects.filter(deleted_at__isnull=True),
        projects=projects_visible_to(request.user).order_by("name"),
        system_admin=system_admin,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization", None) if system_admin else request.user.organization
        try:
            group = save_group(
                admin=request.user,
                group=group,
                organization=organization,
                name=data["name"],
                active=data["active"],
                projects=list(data["projects"]),
            )
        except CatalogError as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"Saved service group {group.name}.")
            return redirect("manage_catalog:group", group_id=group.pk)
    codes = group.codes.order_by("-active", "name") if group is not None else []
    return render(
        request, "services/manage/group.html", {"form": form, "group": group, "codes": codes}
    )


@requires(Perm.MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def group_create(request):
    return _group_form(request, None)


@requires(Perm.MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def group_edit(request, group_id):
    return _group_form(request, get_managed_group(request.user, group_id))


def _code_form(request, group, code):
    initial = {"default_units": 1, "usable_in_batches": True, "active": "1"}
    if code is not None:
        initial = {
            "name": code.name,
            "unit_of_measure": code.unit_of_measure,
            "default_units": code.default_units,
            "limit_count": code.limit_count,
            "limit_period_days": code.limit_period_days,
            "usable_in_batches": code.usable_in_batches,
            "active": "1" if code.active else "0",
            "hud": f"{code.hud_record_type}:{code.hud_type_provided}"
            if code.hud_record_type is not None
            else "",
        }
    form = CodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            code = save_code(admin=request.user, group=group, code=code, **form.values())
        except CatalogError as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"Saved service code {code.name}.")
            return redirect("manage_catalog:group", group_id=group.pk)
    return render(
        request, "services/manage/code.html", {"form": form, "group": group, "code": code}
    )


@requires(Perm.MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def code_create(request, group_id):
    return _code_form(request, get_managed_group(request.user, group_id), None)


@requires(Perm.MANAGE_CATALOG)
@require_http_methods(["GET", "POST"])
def code_edit(request, group_id, code_id):
    group = get_managed_group(request.user, group_id)
    return _code_form(request, group, get_managed_code(request.user, group, code_id))
