"""Community ID cards: their codes, reading what a scanner typed, and issuing, replacing, revoking
and importing cards.

A card code is opaque (random, no personal data): ten random symbols and one check symbol from a
31-symbol alphabet that leaves out 0/O, 1/I and S (S reads as 5). 31 is prime, and the check makes
the weighted sum of all eleven symbols 0 modulo 31 with the distinct non-zero weights 1..11, so
  - a single wrong symbol at a position of weight w changes the sum by w*(a-b), never 0 mod 31;
  - swapping neighbours of weights w, v changes it by (w-v)*(a-b), never 0 mod 31.
So every single-character error and every adjacent transposition is told apart from a real code.
"""

import csv
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record, record_many
from hmis.clients.models import CardRevokeReason, Client, CommunityCard, Enrollment
from hmis.errors import DomainError
from hmis.inputs import parse_id

ALPHABET = "23456789ABCDEFGHJKLMNPQRTUVWXYZ"
assert len(ALPHABET) == 31  # noqa: S101 -- the check relies on a prime-sized alphabet
MODULUS = len(ALPHABET)
DATA_LENGTH = 10
CODE_LENGTH = DATA_LENGTH + 1
# Weight of each position of the full code: the check symbol (last) weighs 1, the data 2..11.
WEIGHTS = tuple(range(CODE_LENGTH, 0, -1))
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}


def _weighted_sum(symbols: str) -> int:
    return sum(w * _VALUE[s] for w, s in zip(WEIGHTS, symbols, strict=False)) % MODULUS


def check_symbol(data: str) -> str:
    """The symbol that completes `data` (DATA_LENGTH symbols) into a valid code."""
    return ALPHABET[(-_weighted_sum(data)) % MODULUS]


def make_code(data: str) -> str:
    return data + check_symbol(data)


def is_valid_code(code: str) -> bool:
    """True for a well-formed code of ours (right length, alphabet and check symbol)."""
    return (
        isinstance(code, str)
        and len(code) == CODE_LENGTH
        and all(symbol in _VALUE for symbol in code)
        and _weighted_sum(code) == 0
    )


def generate_code() -> str:
    """A fresh random code (not checked against the database)."""
    return make_code("".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH)))


def new_card_code() -> str:
    """A random valid code that no card, active or revoked, has ever had."""
    while True:
        code = generate_code()
        if not CommunityCard.objects.filter(code=code).exists():
            return code


def normalize_scan(raw: str) -> str:
    """What a scanner or a person typed, as a code: no whitespace (spaces, a Tab or Enter
    terminator), upper case, without the configured scanner prefix and suffix."""
    text = "".join((raw or "").split())
    prefix = "".join(getattr(settings, "HMIS_SCANNER_PREFIX", "").split())
    suffix = "".join(getattr(settings, "HMIS_SCANNER_SUFFIX", "").split())
    if prefix and text.upper().startswith(prefix.upper()):
        text = text[len(prefix) :]
    if suffix and text.upper().endswith(suffix.upper()):
        text = text[: -len(suffix)]
    return text.upper()


def format_code(code: str) -> str:
    """A code of ours in groups for reading aloud and typing ("ABCD EFGH JKL"); others as is."""
    if not is_valid_code(code):
        return code
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Issuing, replacing, revoking -----------------------------------------------------------------


class CardError(DomainError):
    """A card could not be issued, replaced, revoked or imported."""


ALREADY_HAS_CARD = "already_has_card"
CODE_IN_USE = "code_in_use"
INVALID_CODE = "invalid_code"
ALREADY_REVOKED = "already_revoked"
REASON_REQUIRED = "reason_required"
CLIENT_DELETED = "client_deleted"

# "merged" is recorded by a merge only (clients/merging.py), never chosen.
REVOKE_REASONS = set(CardRevokeReason.values) - {CardRevokeReason.MERGED}


def client_cards(client: Client):
    """A client's cards, newest first, as the profile's Community cards section shows them."""
    return client.cards.select_related("issued_by", "revoked_by", "replaced_by").order_by(
        "-issued_at", "-pk"
    )


def _reason(reason: str) -> str:
    value = (reason or "").strip().lower()
    if value not in REVOKE_REASONS:
        raise CardError(
            REASON_REQUIRED,
            "Choose why the card is revoked: lost, damaged, stolen, replaced or other.",
        )
    return value


def _create_card(*, client: Client, user, code: str, legacy: bool = False) -> CommunityCard:
    card = CommunityCard(
        client=client, code=code, legacy=legacy, issued_at=timezone.now(), issued_by=user
    )
    try:
        # A savepoint, so a race lost to another desk leaves the outer transaction usable.
        with transaction.atomic():
            card.save(force_insert=True)
    except IntegrityError:
        # The partial unique constraints: another request issued a card to this client, or took
        # this code, between our check and our insert.
        if CommunityCard.objects.filter(client=client, revoked_at__isnull=True).exists():
            raise _already_has_card(client) from None
        raise CardError(CODE_IN_USE, f"Card code {code} is already in use.") from None
    return card


def _already_has_card(client: Client) -> CardError:
    return CardError(
        ALREADY_HAS_CARD,
        f"Client {client.pk} already has an active card. Replace or revoke it first.",
    )


@transaction.atomic
def issue_card(*, client: Client, user, code: str | None = None) -> CommunityCard:
    """Issue a card to a client without an active one. `code`: a pre-printed code of ours to use
    (checked); none: a new random code."""
    # Lock the client row: two desks issuing at once queue here instead of racing.
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.deleted_at is not None:
        raise CardError(CLIENT_DELETED, f"Client {client.pk} was deleted; no card can be issued.")
    if CommunityCard.objects.filter(client=client, revoked_at__isnull=True).exists():
        raise _already_has_card(client)
    if code is None:
        code = new_card_code()
    else:
        code = normalize_scan(code)
        if not is_valid_code(code):
            raise CardError(INVALID_CODE, f"This code is not valid: {code}")
        if CommunityCard.objects.filter(code=code).exists():
            raise CardError(CODE_IN_USE, f"Card code {code} is already in use.")
    card = _create_card(client=client, user=user, code=code)
    record(
        actor=user,
        action=AuditAction.CREATE,
        obj=card,
        client_id=client.pk,
        changes={"code": code},
        message=f"Issued card {code} to client {client.pk}.",
    )
    return card


def _local_date(moment) -> str:
    return f"{timezone.localtime(moment):%m/%d/%Y}"


def _revoke(*, card: CommunityCard, user, reason: str) -> CommunityCard:
    card = CommunityCard.objects.select_for_update().select_related("client").get(pk=card.pk)
    if card.revoked_at is not None:
        raise CardError(
            ALREADY_REVOKED,
            f"Card {card.code} was already revoked on {_local_date(card.revoked_at)}.",
        )
    card.revoked_at = timezone.now()
    card.revoked_by = user
    card.revoke_reason = reason
    card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return card


@transaction.atomic
def revoke_card(*, card: CommunityCard, user, reason: str) -> CommunityCard:
    """Revoke an active card (lost, damaged, stolen, replaced, other). Its code is never reused."""
    reason = _reason(reason)
    card = _revoke(card=card, user=user, reason=reason)
    record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=card,
        client_id=card.client_id,
        changes={"revoked_at": [None, card.revoked_at.isoformat()], "revoke_reason": ["", reason]},
        message=f"Revoked card {card.code} ({card.get_revoke_reason_display()}).",
    )
    return card


@transaction.atomic
def replace_card(*, card: CommunityCard, user, reason: str) -> CommunityCard:
    """Revoke `card` with `reason` and issue its client a new card; returns the new card."""
    reason = _reason(reason)
    old = _revoke(card=card, user=user, reason=reason)
    new = _create_card(client=old.client, user=user, code=new_card_code())
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    record_many(
        [
            build_event(
                actor=user,
                action=AuditAction.CHANGE,
                obj=old,
                client_id=old.client_id,
                changes={
                    "revoked_at": [None, old.revoked_at.isoformat()],
                    "revoke_reason": ["", reason],
                    "replaced_by": [None, new.code],
                },
                message=(
                    f"Replaced card {old.code} ({old.get_revoke_reason_display()}) with {new.code}."
                ),
            ),
            build_event(
                actor=user,
                action=AuditAction.CREATE,
                obj=new,
                client_id=old.client_id,
                changes={"code": new.code, "replaces": old.code},
                message=f"Issued card {new.code} to client {old.client_id}, replacing {old.code}.",
            ),
        ]
    )
    return new


def new_card_codes(count: int) -> list[str]:
    """`count` distinct random codes that no card has ever had (one query per few thousand)."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {generate_code() for _ in range(count - len(codes))} - codes
        taken = set(CommunityCard.objects.filter(code__in=fresh).values_list("code", flat=True))
        codes |= fresh - taken
    return sorted(codes)


@transaction.atomic
def issue_cards(*, clients: list[Client], user) -> list[CommunityCard]:
    """Issue a card to each of `clients` that has no active card; the new cards, in order."""
    ids = [c.pk for c in clients]
    locked = {
        c.pk: c for c in Client.objects.select_for_update().filter(pk__in=ids, deleted_at=None)
    }
    with_card = set(
        CommunityCard.objects.filter(client_id__in=ids, revoked_at__isnull=True).values_list(
            "client_id", flat=True
        )
    )
    wanted = [locked[pk] for pk in dict.fromkeys(ids) if pk in locked and pk not in with_card]
    if not wanted:
        return []
    now = timezone.now()
    cards = [
        CommunityCard(client=client, code=code, issued_at=now, issued_by=user)
        for client, code in zip(wanted, new_card_codes(len(wanted)), strict=True)
    ]
    try:
        with transaction.atomic():
            CommunityCard.objects.bulk_create(cards)
    except IntegrityError:
        raise CardError(
            ALREADY_HAS_CARD,
            "Another user issued cards to some of these clients at the same time. Try again.",
        ) from None
    if any(card.pk is None for card in cards):  # backends that return no keys from bulk_create
        by_client = {
            c.client_id: c
            for c in CommunityCard.objects.filter(
                client_id__in=[c.client_id for c in cards], revoked_at__isnull=True
            )
        }
        cards = [by_client[c.client_id] for c in cards]
    record_many(
        build_event(
            actor=user,
            action=AuditAction.CREATE,
            obj=card,
            client_id=card.client_id,
            changes={"code": card.code},
            message=f"Issued card {card.code} to client {card.client_id}.",
        )
        for card in cards
    )
    for card in cards:
        card.client = locked[card.client_id]
    return cards


# --- Importing cards from another system ---------------------------------------------------------

LEGACY_CODE_MAX_LENGTH = 32
_HEADER_CLIENT = {"client id", "clientid", "client_id", "client", "id", "clienttrack id"}
_HEADER_CODE = {"card code", "cardcode", "card_code", "code", "card", "card number", "card_number"}
_CHUNK = 500


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        text = self.message[:1].upper() + self.message[1:]
        return f"Line {self.line}: {self.message}" if self.line else text


@dataclass
class ImportReport:
    """What an import did. `imported`: cards created; `unchanged`: lines naming a card the client
    already has; `errors`: refused lines. Nothing is written when there are errors, unless the
    import was told to skip them."""

    imported: list[CommunityCard] = field(default_factory=list)
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        done = f"{len(self.imported)} card(s) imported, {self.unchanged} already on file"
        if not self.errors:
            return done + "."
        if self.imported:
            return done + f"; {len(self.errors)} line(s) with errors were skipped."
        return f"Nothing was imported: {len(self.errors)} line(s) have errors."


_NOT_UTF8 = "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again."


def _read_rows(file) -> Iterable[tuple[int, list[str]]]:
    """(line number, cells) of a CSV given as a path, bytes, a text or a binary stream."""
    if isinstance(file, bytes):
        try:
            file = io.StringIO(file.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise CardError(INVALID_CODE, _NOT_UTF8) from None
    elif isinstance(file, str):
        file = open(file, encoding="utf-8-sig", newline="")  # noqa: SIM115 -- closed below
    elif not isinstance(file, io.TextIOBase):
        file = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    with file:
        reader = csv.reader(file)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except UnicodeDecodeError:
            raise CardError(INVALID_CODE, _NOT_UTF8) from None
        except csv.Error as error:
            raise CardError(
                INVALID_CODE, f"Line {reader.line_num}: the file is not valid CSV ({error})."
            ) from None


def _is_header(cells: list[str]) -> bool:
    names = [c.strip().lower() for c in cells[:2]]
    return len(names) == 2 and names[0] in _HEADER_CLIENT and names[1] in _HEADER_CODE


def import_legacy_cards(
    *,
    user,
    rows: Iterable[tuple[int | str, str]] | None = None,
    file=None,
    clients=None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import card codes from another system: a CSV (`file`: path, bytes or stream) of client ID
    and card code, with or without a header row, or `rows` of (client ID, code).

    Codes are kept as printed (upper-cased, without spaces, as a scan reads them) and marked
    legacy: checked for uniqueness, not for our check symbol. `clients`: the clients the user may
    give cards to (default: all live clients). All or nothing: any line with an error and nothing
    is written, unless `skip_invalid`, which imports the good lines and reports the rest."""
    if (rows is None) == (file is None):
        raise ValueError("Give rows or file.")
    numbered = (
        _read_rows(file)
        if file is not None
        else ((n, [str(a), str(b)]) for n, (a, b) in enumerate(rows, start=1))
    )
    report = ImportReport()
    parsed: list[tuple[int, int, str]] = []  # (line, client id, code)
    seen_code: dict[str, int] = {}
    seen_client: dict[int, int] = {}
    for line, cells in numbered:
        if not any(c.strip() for c in cells):
            continue
        if report.lines == 0 and _is_header(cells):
            continue
        report.lines += 1
        if len(cells) < 2:
            report.errors.append(LineError(line, "expected two columns: client ID, card code."))
            continue
        raw_id, raw_code = cells[0].strip(), cells[1]
        # As a scan reads it: no spaces, upper case (scanner prefixes are not part of the code).
        code = "".join(raw_code.split()).upper()
        client_id = parse_id(raw_id)
        if client_id is None:
            report.errors.append(LineError(line, f'the client ID "{raw_id}" is not a number.'))
            continue
        if not code:
            report.errors.append(LineError(line, f"client {client_id} has no card code."))
            continue
        if len(code) > LEGACY_CODE_MAX_LENGTH or not code.isascii() or not code.isprintable():
            report.errors.append(
                LineError(
                    line,
                    f"card code {code} is not usable: at most {LEGACY_CODE_MAX_LENGTH} "
                    "printable ASCII characters.",
                )
            )
            continue
        if code in seen_code:
            report.errors.append(
                LineError(line, f"card code {code} is also on line {seen_code[code]}.")
            )
            continue
        if client_id in seen_client:
            report.errors.append(
                LineError(
                    line,
                    f"client {client_id} is also on line {seen_client[client_id]} "
                    "(a client has one active card).",
                )
            )
            continue
        seen_code[code] = line
        seen_client[client_id] = line
        parsed.append((line, client_id, code))

    base = clients if clients is not None else Client.objects.all()
    with transaction.atomic():
        known: dict[int, Client] = {}
        cards_by_code: dict[str, CommunityCard] = {}
        active_by_client: dict[int, CommunityCard] = {}
        for start in range(0, len(parsed), _CHUNK):
            chunk = parsed[start : start + _CHUNK]
            ids = [client_id for _, client_id, _ in chunk]
            known.update(
                (c.pk, c) for c in base.filter(pk__in=ids, deleted_at__isnull=True).order_by()
            )
            for card in CommunityCard.objects.filter(code__in=[code for _, _, code in chunk]):
                # An active card wins over a revoked one of the same code.
                if card.code not in cards_by_code or card.revoked_at is None:
                    cards_by_code[card.code] = card
            active_by_client.update(
                (c.client_id, c)
                for c in CommunityCard.objects.filter(client_id__in=ids, revoked_at__isnull=True)
            )
        new_cards: list[CommunityCard] = []
        now = timezone.now()
        for line, client_id, code in parsed:
            client = known.get(client_id)
            existing = cards_by_code.get(code)
            active = active_by_client.get(client_id)
            if client is None:
                report.errors.append(LineError(line, f"no client has Client ID {client_id}."))
            elif existing is not None and existing.client_id == client_id and existing.is_active:
                report.unchanged += 1
            elif existing is not None:
                report.errors.append(
                    LineError(
                        line,
                        f"card code {code} already belongs to "
                        + (
                            "another client."
                            if existing.client_id != client_id
                            else "a revoked card."
                        )
                        + " A card code is never reused.",
                    )
                )
            elif active is not None:
                report.errors.append(
                    LineError(
                        line,
                        f"client {client_id} already has an active card ({active.code}). "
                        "Revoke it first to import another.",
                    )
                )
            else:
                new_cards.append(
                    CommunityCard(
                        client=client, code=code, legacy=True, issued_at=now, issued_by=user
                    )
                )
        report.errors.sort(key=lambda e: e.line)
        if report.errors and not skip_invalid:
            return report
        try:
            with transaction.atomic():
                CommunityCard.objects.bulk_create(new_cards, batch_size=_CHUNK)
        except IntegrityError:
            report.errors.append(
                LineError(
                    0,
                    "another user issued or imported some of these cards at the same time; "
                    "nothing was imported. Try again.",
                )
            )
            return report
        record_many(
            build_event(
                actor=user,
                action=AuditAction.IMPORT,
                obj=card,
                client_id=card.client_id,
                changes={"code": card.code, "legacy": True},
                message=f"Imported card {card.code} for client {card.client_id}.",
            )
            for card in new_cards
        )
        report.imported = new_cards
    return report


def program_clients_without_card(*, project, on, clients=None):
    """Clients with an active enrollment in `project` on `on` and no active card."""
    enrolled = Enrollment.objects.active_on(on).filter(project=project, client=OuterRef("pk"))
    carded = CommunityCard.objects.filter(client=OuterRef("pk"), revoked_at__isnull=True)
    base = clients if clients is not None else Client.objects.all()
    return base.filter(deleted_at__isnull=True).filter(Exists(enrolled)).exclude(Exists(carded))
