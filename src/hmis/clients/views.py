"""Client pages: search, the profile (identity, enrollments, bars, cards, services), photos."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from hmis.accounts.permissions import Perm, has_perm, requires
from hmis.audit.recording import record_read
from hmis.clients.access import (
    bars_visible_to,
    clients_fully_visible_to,
    enrollments_visible_to,
    get_client_for_user,
)
from hmis.clients.forms import ClientSearchForm, PhotoForm
from hmis.clients.intake import set_client_photo
from hmis.clients.lookup import search_clients
from hmis.clients.models import CommunityCard
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
