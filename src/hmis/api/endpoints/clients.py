"""GET /api/clients?q= and GET /api/clients/{id}: only clients whose full record you may see.

Every client returned is a read of that client's record, audited like the web profile."""

from ninja import Query, Router

from hmis.accounts.permissions import Perm, is_system_admin
from hmis.api.auth import api_requires
from hmis.api.ratelimit import count_api_lookup
from hmis.api.schemas import ClientDetailOut, ClientPage, ErrorOut
from hmis.audit.recording import record_read, record_reads
from hmis.clients.access import clients_fully_visible_to, get_client_for_user
from hmis.clients.lookup import search_clients
from hmis.clients.models import CommunityCard, Enrollment

router = Router(tags=["clients"])

SEARCH_LIMIT = 50
ENROLLMENT_LIMIT = 50


@router.get("", response={200: ClientPage, 403: ErrorOut, 429: ErrorOut})
@api_requires(Perm.VIEW_CLIENTS)
def search(
    request, q: str = Query(..., max_length=200), limit: int = Query(20, ge=1, le=SEARCH_LIMIT)
):
    """Clients matching a name (either order, case- and accent-insensitive) or a Client ID.
    Rate-limited per user and per token (429 `rate_limited`, with `Retry-After`)."""
    count_api_lookup(request)
    found = search_clients(q, clients=clients_fully_visible_to(request.auth), limit=limit)
    record_reads(request, found, what="in an API search")
    return {"count": len(found), "items": found}


@router.get(
    "/{client_id}", response={200: ClientDetailOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}
)
@api_requires(Perm.VIEW_CLIENTS)
def detail(request, client_id: int):
    """A client's record. Rate-limited per user and per token (429, with `Retry-After`)."""
    count_api_lookup(request)
    client = get_client_for_user(request.auth, client_id)
    client.active_card = CommunityCard.objects.filter(
        client=client, revoked_at__isnull=True
    ).first()
    enrollments = Enrollment.objects.live().filter(client=client).select_related("project")
    if not is_system_admin(request.auth):
        enrollments = enrollments.filter(project__organization_id=request.auth.organization_id)
    client.enrollments_shown = list(enrollments.order_by("-entry_date", "-pk")[:ENROLLMENT_LIMIT])
    record_read(request, client, what="record (API)")
    return client
