"""Likely duplicate clients of an organization, for the data-quality page.

Not one intake check per client (100,000 queries): one indexed query loads the organization's live
clients that share a birth date, an SSN's last four digits or a folded name with another of its
clients (GROUP BY ... HAVING COUNT > 1 through the `dob`, `ssn_last4` and `search_name` indexes).
Within each group the clients are sorted by name and each is compared with the next WINDOW ones by
the intake's rules (`hmis.clients.matching.match_pair`, RapidFuzz), so a group as large as a
placeholder birth date still costs O(n x WINDOW) comparisons, not O(n^2). At most MAX_CHECKED
clients (the most recently added of those) are compared per pass, and the page says so. Pairs
with nothing in common but a like name (no shared birth date, SSN last four or exact name) are
not looked for here: the intake check finds those as each client is added."""

from dataclasses import dataclass

from django.db.models import Count, Q
from rapidfuzz import fuzz

from hmis.accounts.permissions import is_system_admin
from hmis.clients.matching import NAME_WITH_EVIDENCE, Match, _nickname_family, match_pair
from hmis.clients.models import Client
from hmis.clients.text import fold

# Pairs shown on the page (the full count is given beside them).
SHOWN_PAIRS = 50
# Each client is compared with this many following clients of its group (sorted by name).
WINDOW = 10
# At most this many clients (the most recently added) are compared in one pass: about 2 s on a
# busy 2-core machine (bench/data_quality_duplicates.py); 100,000 would take half a minute.
MAX_CHECKED = 20_000
FIELDS = (
    "pk",
    "first_name",
    "middle_name",
    "last_name",
    "name_suffix",
    "preferred_name",
    "dob",
    "ssn_last4",
    "search_name",
)


@dataclass(frozen=True)
class DuplicatePair:
    first: Client
    second: Client
    match: Match

    @property
    def reasons(self) -> str:
        return ", ".join(self.match.reasons)


@dataclass(frozen=True)
class Duplicates:
    pairs: list[DuplicatePair]  # the first SHOWN_PAIRS, most likely first
    total: int  # every pair found
    checked: int = 0  # clients compared
    capped: bool = False  # True when only the MAX_CHECKED most recently added were compared

    @property
    def more(self) -> bool:
        return self.total > len(self.pairs)


def clients_checked(user):
    """The live clients of the user's organization (every live client for system admins)."""
    clients = Client.objects.live()
    if is_system_admin(user):
        return clients
    return clients.filter(organization_id=user.organization_id)


def _shared(clients, field: str, **blank):
    return (
        clients.exclude(**blank).values(field).annotate(n=Count("pk")).filter(n__gt=1).values(field)
    )


def _folded(client: Client) -> tuple[str, str]:
    """(first, "first last") folded once per client, for the quick test below."""
    cached = getattr(client, "_folded", None)
    if cached is None:
        first, last = fold(client.first_name), fold(client.last_name)
        cached = (first, " ".join(p for p in (first, last) if p))
        client._folded = cached
    return cached


def _may_match(first: Client, second: Client) -> bool:
    """A quick test that never turns away a pair `match_pair` would accept (a match needs a name
    score of NAME_WITH_EVIDENCE, a nickname, or the birth date and SSN last four both alike), so
    that most pairs sharing only an SSN last four cost one RapidFuzz call, not a full scoring."""
    if second.preferred_name:
        return True
    first_name, name = _folded(first)
    second_first, other = _folded(second)
    if name and other and fuzz.token_sort_ratio(name, other) >= NAME_WITH_EVIDENCE:
        return True
    if first.ssn_last4 and first.ssn_last4 == second.ssn_last4 and first.dob and second.dob:
        return True  # the birth date may be alike (or swapped): let the full scoring decide
    return bool(first_name and second_first in _nickname_family(first_name))


def likely_duplicates(
    *, user, shown: int = SHOWN_PAIRS, checked_at_most: int | None = None, **_
) -> Duplicates:
    """The organization's likely duplicate pairs, best first: one query, then Python."""
    clients = clients_checked(user)
    checked_at_most = checked_at_most or MAX_CHECKED
    shared = (
        Q(dob__in=_shared(clients, "dob", dob__isnull=True))
        | Q(ssn_last4__in=_shared(clients, "ssn_last4", ssn_last4=""))
        | Q(search_name__in=_shared(clients, "search_name", search_name=""))
    )
    rows = list(clients.filter(shared).only(*FIELDS).order_by("-pk")[:checked_at_most])
    groups: dict[tuple, list[Client]] = {}
    for client in rows:
        if client.dob is not None:
            groups.setdefault(("dob", client.dob), []).append(client)
        if client.ssn_last4:
            groups.setdefault(("ssn", client.ssn_last4), []).append(client)
        if client.search_name:
            groups.setdefault(("name", client.search_name), []).append(client)
    found: dict[tuple[int, int], DuplicatePair] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda c: (c.search_name, c.pk))
        for index, client in enumerate(members):
            for other in members[index + 1 : index + 1 + WINDOW]:
                key = (min(client.pk, other.pk), max(client.pk, other.pk))
                if key in found:
                    continue
                first, second = (client, other) if client.pk < other.pk else (other, client)
                if not _may_match(first, second):
                    continue
                match = match_pair(first, second)
                if match is not None:
                    found[key] = DuplicatePair(first=first, second=second, match=match)
    pairs = sorted(found.values(), key=lambda p: (-p.match.score, p.first.pk, p.second.pk))
    return Duplicates(
        pairs=pairs[:shown],
        total=len(pairs),
        checked=len(rows),
        capped=len(rows) >= checked_at_most,
    )
