"""Finding the client in front of the desk: by community card, by client ID, or by name.

Rules:
- A card resolves only while it is active; a revoked card is refused, never resolved silently.
- A client ID is the visible integer ID, exactly.
- A record merged into another (clients/merging.py) answers for its survivor: its Client ID and
  its cards (revoked with reason *merged*) find the survivor, with a note saying so.
- A name search folds case and accents, accepts first and last name in either order and partial
  words ("jos nun" finds José Núñez), and ranks whole-word matches above prefixes above the rest.
"""

from collections.abc import Callable

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from hmis.clients import errors
from hmis.clients.cards import is_valid_code, normalize_scan
from hmis.clients.errors import LookupFailed
from hmis.clients.models import Client, CommunityCard
from hmis.clients.text import fold
from hmis.inputs import parse_id

# How many candidates a name search considers before ranking; results are capped by `limit`.
_CANDIDATE_POOL = 200


Annotations = Callable[[str], dict]


def find_client_by_card(typed: str, *, annotations: Annotations | None = None) -> Client:
    """The client holding the active card `typed`, or LookupFailed naming what was scanned.

    The scan is normalised first (spaces, Tab/Enter, case, scanner prefix/suffix). A code on no
    card is "not valid" when its check symbol is wrong (a misread or mistyped code; imported
    legacy codes are known, so never refused this way) and "unknown" otherwise. One query.

    `annotations(client_field)`: more to ask about the client in that same query (what the
    add needs to know); each value is set on the client found."""
    code = normalize_scan(typed)
    if not code:
        raise LookupFailed(errors.EMPTY_INPUT, "Nothing was scanned.")
    extra = annotations("client_id") if annotations else {}
    cards = list(
        CommunityCard.objects.filter(code=code)
        .select_related("client")
        .annotate(**extra)
        # An active card (revoked_at NULL) first, on PostgreSQL too (NULLs sort last there).
        .order_by(F("revoked_at").asc(nulls_first=True))[:1]
    )
    if not cards or cards[0].client.deleted_at is not None:
        if cards or is_valid_code(code):
            raise LookupFailed(errors.UNKNOWN_CARD, f"No client has this card: {code}")
        raise LookupFailed(
            errors.INVALID_CARD,
            f"This code is not valid: {code} (check the card or type the Client ID)",
        )
    card = cards[0]
    if card.revoked_at is not None and card.client.merged_into_id is not None:
        # The card of a record merged into another still answers, for the survivor.
        survivor = find_client_by_id(card.client.merged_into_id, annotations=annotations)
        survivor.merge_note = f"This card was merged into Client ID {survivor.pk}."
        return survivor
    if card.revoked_at is not None:
        when = f"{timezone.localtime(card.revoked_at):%m/%d/%Y}"
        reason = card.get_revoke_reason_display() or "no reason given"
        if card.replaced_by_id:
            raise LookupFailed(
                errors.REVOKED_CARD,
                f"Card {code} was replaced on {when} ({reason}). "
                "Scan the new card or type the Client ID.",
            )
        raise LookupFailed(
            errors.REVOKED_CARD,
            f"Card {code} was revoked on {when}: {reason}. Type the Client ID.",
        )
    client = card.client
    client.active_card = card
    for name in extra:
        setattr(client, name, getattr(card, name))
    return client


def find_client_by_id(typed: str | int, *, annotations: Annotations | None = None) -> Client:
    """The client whose visible client ID is `typed`, or LookupFailed."""
    text = str(typed).strip()
    if not text:
        raise LookupFailed(errors.EMPTY_INPUT, "Type a Client ID.")
    client_id = parse_id(text)
    if client_id is None:
        raise LookupFailed(errors.UNKNOWN_CLIENT, f"No client has Client ID {text}.")
    # Not `live()`: a merged-away record's Client ID still answers, for its survivor.
    clients = Client.objects.filter(pk=client_id, deleted_at__isnull=True).prefetch_related(
        _active_cards()
    )
    if annotations:
        clients = clients.annotate(**annotations("pk"))
    clients = list(clients)
    if not clients:
        raise LookupFailed(errors.UNKNOWN_CLIENT, f"No client has Client ID {text}.")
    if clients[0].merged_into_id is not None:
        # A merged-away record's Client ID is an alias of its survivor.
        survivor = find_client_by_id(clients[0].merged_into_id, annotations=annotations)
        survivor.merge_note = f"Client ID {client_id} was merged into Client ID {survivor.pk}."
        return survivor
    return _with_active_card(clients[0])


def search_clients(query: str, *, clients: QuerySet | None = None, limit: int = 20) -> list[Client]:
    """Clients matching a typed client ID or name, best first, at most `limit`.

    Each result carries `.active_card` (its active CommunityCard or None). Pass `clients` to search
    within a narrower queryset (what the user may see)."""
    base = (clients if clients is not None else Client.objects.all()).filter(
        deleted_at__isnull=True
    )
    text = (query or "").strip()
    if text.isdigit():
        # Digits typed: a Client ID, or none ("²" and 20-digit numbers find nobody).
        found = list(base.filter(pk=parse_id(text) or 0).prefetch_related(_active_cards()))
        return [_with_active_card(c) for c in found]
    tokens = fold(text).split()
    if not tokens:
        return []
    condition = Q()
    for token in tokens:
        # Each typed word must begin a word of the name: "nun" finds "Núñez", not "Dunn".
        condition &= Q(search_name__startswith=token) | Q(search_name__contains=f" {token}")
    candidates = list(
        base.filter(condition)
        .order_by("last_name", "first_name", "pk")
        .prefetch_related(_active_cards())[:_CANDIDATE_POOL]
    )
    candidates.sort(key=lambda c: (-_score(c, tokens), fold(c.last_name), fold(c.first_name), c.pk))
    return [_with_active_card(c) for c in candidates[:limit]]


def _score(client: Client, tokens: list[str]) -> int:
    first, last = fold(client.first_name), fold(client.last_name)
    score = 0
    for token in tokens:
        if token in (first, last):
            score += 3
        elif first.startswith(token) or last.startswith(token):
            score += 2
        else:
            score += 1
    # "first last" or "last first" typed in full is the best match of all.
    if len(tokens) >= 2 and {tokens[0], tokens[-1]} == {first, last}:
        score += 5
    return score


def _active_cards() -> Prefetch:
    return Prefetch(
        "cards",
        queryset=CommunityCard.objects.filter(revoked_at__isnull=True),
        to_attr="_active_cards",
    )


def _with_active_card(client: Client) -> Client:
    active = getattr(client, "_active_cards", [])
    client.active_card = active[0] if active else None
    return client
