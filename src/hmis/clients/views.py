"""Client pages: search, the profile (identity, enrollments, bars, cards, services), photos."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmis.accounts.permissions import Perm, has_perm, requires
from hmis.audit.recording import record_read
from hmis.clients import ude
from hmis.clients.access import (
    bars_visible_to,
    clients_fully_visible_to,
    clients_listed_to,
    enrollments_visible_to,
    get_client_for_user,
)
from hmis.clients.forms import ClientForm, ClientSearchForm, PhotoForm
from hmis.clients.intake import IntakeError, create_client, set_client_photo, update_client
from hmis.clients.lookup import search_clients
from hmis.clients.matching import Match, find_duplicates
from hmis.clients.models import CommunityCard
from hmis.clients.ssn import masked
from hmis.clients.supervision_views import supervision_context
from hmis.services.access import services_visible_to

SEARCH_LIMIT = 50
SERVICES_PAGE_SIZE = 25
SIDE_LIST_LIMIT = 50


@requires(Perm.VIEW_CLIENTS)
@require_GET
def search(request):
    form = ClientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = (
        search_clients(query, clients=clients_fully_visible_to(request.user), limit=SEARCH_LIMIT)
        if query
        else []
    )
    return render(
        request,
        "clients/search.html",
        {
            "form": form,
            "query": query,
            "clients": found,
            "limit": SEARCH_LIMIT,
            "nav_query": query,
        },
    )


@requires(Perm.VIEW_CLIENTS)
@require_GET
def profile(request, pk):
    client = get_client_for_user(request.user, pk)
    record_read(request, client)
    services = (
        services_visible_to(request.user)
        .filter(client=client)
        .select_related(
            "service_code", "project", "location", "provider", "batch_entry__batch", "deleted_by"
        )
        .order_by("-date_provided", "-pk")
    )
    page = Paginator(services, SERVICES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/profile.html",
        {
            "client": client,
            # Only the user's organization's enrollments and bars, even on a shared record.
            "enrollments": enrollments_visible_to(request.user)
            .filter(client=client)
            .order_by("-entry_date", "-pk")[:SIDE_LIST_LIMIT],
            "bars": bars_visible_to(request.user)
            .filter(client=client)
            .order_by("-start_date", "-pk")[:SIDE_LIST_LIMIT],
            "cards": list(
                CommunityCard.objects.filter(client=client)
                .select_related("issued_by", "revoked_by", "replaced_by")
                .order_by("-issued_at")[:SIDE_LIST_LIMIT]
            ),
            "page": page,
            "can_void": has_perm(request.user, Perm.VOID_SERVICES),
            "can_edit": has_perm(request.user, Perm.EDIT_CLIENTS),
            "photo_form": PhotoForm(),
            "hud_facts": ude.facts(client),
            **supervision_context(request.user, client),
        },
    )


@requires(Perm.EDIT_CLIENTS)
@require_POST
def photo_upload(request, pk):
    client = get_client_for_user(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        set_client_photo(client=client, user=request.user, photo=form.cleaned_data["photo"])
        messages.success(request, "Photo saved.")
    else:
        messages.error(request, "Photo not saved: " + " ".join(form.errors.get("photo", [])))
    return redirect("clients:profile", pk=client.pk)


@requires(Perm.SIGNED_IN)
@require_GET
def photo(request, pk):
    """A client's photo, for staff who may see the client and for the desk (scan stations too:
    the photo is how staff check the card belongs to the person in front of them)."""
    if not (has_perm(request.user, Perm.VIEW_CLIENTS) or has_perm(request.user, Perm.SCAN)):
        raise PermissionDenied
    client = get_client_for_user(request.user, pk)
    if not client.photo:
        raise Http404("No photo.")
    try:
        handle = client.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No photo.") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- New client (intake) and Edit client ---------------------------------------------------


def duplicates_before_create(request, form: ClientForm) -> list[Match]:
    """Likely duplicates of the valid `form`'s person, unless the user already saw them for
    this very name, birth date and SSN and chose "None of these: create a new client"."""
    if request.POST.get("confirm_new") == form.duplicate_fingerprint():
        return []
    details = form.details
    return find_duplicates(
        clients=clients_listed_to(request.user),
        first_name=details.first_name,
        last_name=details.last_name,
        dob=details.dob,
        ssn_last4=details.ssn[-4:],
    )


def show_refusal(form: ClientForm, refused: IntakeError) -> None:
    for problem in refused.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def name_initial(typed: str) -> dict:
    """A name typed in a search that found no one, as the new client's first and last name."""
    words = " ".join((typed or "").split()).split(" ")
    if not words[0] or words[0].isdigit():
        return {}
    return {"first_name": words[0], "last_name": " ".join(words[1:])}


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def new(request):
    """*New client*: the HUD intake, with the duplicate check before the record is created."""
    form = ClientForm(request.POST or None, initial=name_initial(request.GET.get("name", "")))
    matches = []
    if request.method == "POST" and form.is_valid():
        matches = duplicates_before_create(request, form)
        if not matches:
            try:
                client = create_client(user=request.user, details=form.details)
            except IntakeError as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, f"Client {client.full_name} created.")
                return redirect("clients:profile", pk=client.pk)
    return render(
        request,
        "clients/new.html",
        {
            "form": form,
            "matches": matches,
            "fingerprint": form.duplicate_fingerprint() if matches else "",
        },
    )


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """*Edit client*: every Universal Data Element, audited with old and new values."""
    client = get_client_for_user(request.user, pk)
    form = ClientForm(
        request.POST or None, initial=ClientForm.initial_for(client), ssn_on_file=masked(client)
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_client(client=client, user=request.user, details=form.details)
        except IntakeError as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Client record saved.")
            return redirect("clients:profile", pk=client.pk)
    return render(
        request, "clients/edit.html", {"form": form, "client": client, "photo_form": PhotoForm()}
    )
