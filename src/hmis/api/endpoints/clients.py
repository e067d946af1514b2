"""GET /api/clients?q= and GET /api/clients/{id}: only clients whose full record you may see.
POST /api/clients: a new client through the same intake (HUD rules, duplicate check) as the web.

Every client returned is a read of that client's record, audited like the web profile."""

from ninja import Query, Router

from hmis.accounts.permissions import Perm, is_system_admin
from hmis.api.auth import api_requires
from hmis.api.ratelimit import count_api_lookup
from hmis.api.schemas import (
    ClientDetailOut,
    ClientIn,
    ClientOut,
    ClientPage,
    DuplicatesOut,
    ErrorOut,
)
from hmis.audit.recording import record_read, record_reads
from hmis.clients.access import clients_fully_visible_to, clients_listed_to, get_client_for_user
from hmis.clients.intake import create_client
from hmis.clients.lookup import search_clients
from hmis.clients.matching import find_duplicates
from hmis.clients.models import CommunityCard, Enrollment
from hmis.clients.ude import ClientDetails

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


POSSIBLE_DUPLICATES = "possible_duplicates"


@router.post("", response={201: ClientOut, 403: ErrorOut, 409: DuplicatesOut, 422: ErrorOut})
@api_requires(Perm.EDIT_CLIENTS)
def create(request, payload: ClientIn):
    """Create a client, owned by your organization. 409 `possible_duplicates` lists likely
    existing records (name, birth year, Client ID, whether you may open it) unless
    `confirm_new` is true; 422 with the HUD rule's code (`name_required`, `invalid_ssn`,
    `dob_in_future`, `race_conflict`, `veteran_minor`...) and the message the web form shows."""
    data = payload.dict()
    confirm_new = data.pop("confirm_new")
    details = ClientDetails(**{**data, "races": tuple(data["races"])})
    if not confirm_new:
        cleaned = details.cleaned()
        matches = find_duplicates(
            clients=clients_listed_to(request.auth),
            first_name=cleaned.first_name,
            last_name=cleaned.last_name,
            dob=cleaned.dob,
            ssn_last4=cleaned.ssn[-4:],
        )
        if matches:
            return 409, {
                "code": POSSIBLE_DUPLICATES,
                "message": "Likely duplicates exist: use one, or send confirm_new true.",
                "matches": [
                    {
                        "client_id": m.client.pk,
                        "display_name": m.client.display_name,
                        "birth_year": m.client.dob.year if m.client.dob else None,
                        "full_record": m.full_record,
                        "reasons": m.reasons,
                    }
                    for m in matches
                ],
            }
    client = create_client(user=request.auth, details=details)
    client.active_card = None
    return 201, client
