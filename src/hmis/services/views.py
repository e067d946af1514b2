"""Service pages: the *Find Service Provided* picker, *Add service* on a client's profile, and
voiding a service."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hmis.accounts.permissions import Perm, requires
from hmis.batches.errors import BatchError
from hmis.clients.access import enrollments_visible_to, get_client_for_user
from hmis.errors import DomainError
from hmis.inputs import parse_id
from hmis.projects.access import get_project_for_user
from hmis.services.access import get_service_for_user
from hmis.services.catalog import find_codes, groups_available_to
from hmis.services.errors import CatalogError
from hmis.services.forms import SingleServiceForm
from hmis.services.providing import provide_service
from hmis.services.voiding import void_service


def _batch_program(request):
    """The batch form's *Program* sent along with a picker request (404 for another
    organization's), or None when none is chosen yet."""
    project_id = parse_id(request.GET.get("project", ""))
    return get_project_for_user(request.user, project_id) if project_id is not None else None


@requires(Perm.MANAGE_BATCHES)
@require_GET
def picker(request):
    """Codes of the chosen *Service Group* matching *Search* (an htmx fragment of buttons), among
    the groups of the batch's program; a group that program may not use is refused (400)."""
    group = request.GET.get("group", "")
    try:
        codes = find_codes(
            organization_id=request.user.organization_id,
            group_id=parse_id(group),
            search=request.GET.get("q", "")[:100],
            project=_batch_program(request),
        )
    except CatalogError as refusal:
        return render(
            request, "services/_picker_results.html", {"refusal": refusal.message}, status=400
        )
    return render(request, "services/_picker_results.html", {"codes": codes})


@requires(Perm.MANAGE_BATCHES)
@require_GET
def picker_groups(request):
    """The picker's *Service Group* options for the program just chosen on the batch form."""
    project = _batch_program(request)
    groups = groups_available_to(
        request.user.organization_id, project.pk if project is not None else None
    )
    return render(request, "services/_picker_groups.html", {"groups": groups[:200]})


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


@requires(Perm.VOID_SERVICES)
@require_http_methods(["GET", "POST"])
def void(request, pk):
    service = get_service_for_user(request.user, pk)
    form = VoidForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            void_service(service=service, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(
                request, f"Voided {service.service_code} of {service.date_provided:%m/%d/%Y}."
            )
            return redirect("clients:profile", pk=service.client_id)
    return render(request, "services/void.html", {"service": service, "form": form, "error": error})


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def add(request, client_id):
    """*Add service*: one service on the client's record, posted at once under the batch rules."""
    client = get_client_for_user(request.user, client_id)
    org = request.user.organization_id
    open_programs = enrollments_visible_to(request.user).filter(client=client, exit_date=None)
    can_override = bool(request.user.can_override_bars)
    form = SingleServiceForm(
        request.POST or None,
        organization_id=org,
        can_override=can_override,
        initial={"project": next((e.project_id for e in open_programs[:1]), None)},
    )
    # The override reason is asked once a bar refused the service (or was already typed).
    show_override = can_override and bool(request.POST.get("bar_override_reason", "").strip())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = provide_service(client=client, user=request.user, **data)
        except BatchError as refusal:
            form.add_error(None, refusal.message)
            if refusal.code == "barred" and can_override:
                show_override = True
                form.add_error(
                    "bar_override_reason",
                    "To add this service despite the bar, give a reason for the override.",
                )
        else:
            messages.success(
                request,
                f"Posted {service.service_code} of {service.date_provided:%m/%d/%Y} "
                f"for {client.full_name}.",
            )
            return redirect("clients:profile", pk=client.pk)
    return render(
        request,
        "services/add.html",
        {
            "client": client,
            "form": form,
            "groups": groups_available_to(org),
            "show_override": show_override,
        },
    )
