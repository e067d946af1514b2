"""Likely duplicates of a client about to be created (and, later, of clients already recorded).

A record is a likely duplicate of the typed person when
- the names are alike: the same words in either order, accents and case ignored, small
  misspellings (RapidFuzz's token-sort ratio of at least NAME_ALONE), or a nickname of the first
  name ("Bill" for "William", from the `nicknames` package) with a like last name; or
- the names are somewhat alike (at least NAME_WITH_EVIDENCE) and the birth date is the same or has
  its day and month swapped, or the SSN's last four digits are the same; or
- birth date (or its swap) and the SSN's last four digits are both the same, whatever the name.

Finding candidates is indexed on both databases, so a check among 100,000 clients stays well
under a second (bench/duplicates.py): PostgreSQL's pg_trgm `%` operator on the folded
`search_name` (GIN index of migration 0002), SQLite a RapidFuzz pass over the names having a word
that starts like a typed word (`_by_fuzzy_scan`); on
both, the birth dates and SSN last four through their own indexes. The candidates are then scored
the same way in Python whatever the database.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, process

from hmis.clients.models import Client
from hmis.clients.text import fold

NAME_ALONE = 85
NAME_WITH_EVIDENCE = 60
NICKNAME_LAST_NAME = 80
# Trigram similarity a PostgreSQL candidate needs; low, since the Python score decides.
TRIGRAM_THRESHOLD = 0.35
SQLITE_NAME_CUTOFF = 70
SQLITE_PREFIX = 3
NICKNAME_QUERIES = 4
CANDIDATE_LIMIT = 200
# Candidates scored in Python at most (each query's best come first).
MAX_CANDIDATES = 600
DEFAULT_LIMIT = 10
# pg_trgm's similarity operator (`%`, doubled for the driver's parameter style).
_TRIGRAM_MATCH = '"clients_client"."search_name" %% %s'
_TRIGRAM_SIMILARITY = 'similarity("clients_client"."search_name", %s)'


@dataclass(frozen=True)
class Match:
    """One likely duplicate: the client (with `full_record` when the queryset annotated it) and
    why it matched, for the person deciding."""

    client: Client
    score: int
    name_score: int
    same_dob: bool
    swapped_dob: bool
    same_ssn_last4: bool
    nickname: bool

    @property
    def full_record(self) -> bool:
        return bool(getattr(self.client, "full_record", True))

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.nickname:
            found.append("nickname")
        elif self.name_score >= 100:
            found.append("same name")
        elif self.name_score >= NAME_WITH_EVIDENCE:
            found.append("similar name")
        if self.same_dob:
            found.append("same birth date")
        if self.swapped_dob:
            found.append("birth day and month swapped")
        if self.same_ssn_last4:
            found.append("same SSN last four")
        return found


def find_duplicates(
    *,
    clients: QuerySet,
    first_name: str,
    last_name: str,
    dob: date | None = None,
    ssn_last4: str = "",
    exclude_pk: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Match]:
    """Likely duplicates among `clients` (e.g. `clients_listed_to(user)`), best first."""
    first, last = fold(first_name), fold(last_name)
    typed = " ".join(part for part in (first, last) if part)
    dobs = _dob_variants(dob)
    ssn_last4 = ssn_last4 if (ssn_last4 or "").isdigit() and len(ssn_last4) == 4 else ""
    if not (typed or dobs or ssn_last4):
        return []
    # Birth date and SSN candidates first (few, and strong evidence), then names, best first.
    pks = _by_dob_or_ssn(clients, dobs, ssn_last4)
    if typed:
        if connection.vendor == "postgresql":
            pks += _by_trigram(clients, _name_queries(first, last))
        else:
            pks += _by_fuzzy_scan(clients, first, last)
    pks = [pk for pk in dict.fromkeys(pks) if pk != exclude_pk][:MAX_CANDIDATES]
    if not pks:
        return []
    candidates = clients.filter(pk__in=pks)
    matches = [
        match
        for candidate in candidates
        if (match := _score(candidate, first, last, dobs, dob, ssn_last4)) is not None
    ]
    matches.sort(key=lambda m: (-m.score, fold(m.client.last_name), m.client.pk))
    return matches[:limit]


def _dob_variants(dob: date | None) -> list[date]:
    if dob is None:
        return []
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        try:
            variants.append(dob.replace(month=dob.day, day=dob.month))
        except ValueError:
            pass
    return variants


def _name_queries(first: str, last: str) -> list[str]:
    """The typed name, and the same with each canonical form of a nickname as first name."""
    queries = [" ".join(p for p in (first, last) if p)]
    namer = _nick_namer()
    # Full names first ("bill" -> william), then nicknames ("william" -> bill).
    others = [fold(n) for n in sorted(namer.canonicals_of(first))] if first else []
    others += [fold(n) for n in sorted(namer.nicknames_of(first))] if first else []
    for other in [o for o in dict.fromkeys(others) if o != first][:NICKNAME_QUERIES]:
        queries.append(" ".join(p for p in (other, last) if p))
    return [q for q in queries if q]


@lru_cache(maxsize=2048)
def _nickname_family(first: str) -> frozenset[str]:
    """The first name, its canonical names ("bill" -> william, robert...) and their nicknames."""
    if not first or " " in first:
        return frozenset({first})
    namer = _nick_namer()
    family = {first} | namer.canonicals_of(first) | namer.nicknames_of(first)
    return frozenset(fold(name) for name in family)


# Names repeat: scoring many recorded pairs (the data-quality page) folds each name once.
_fold = lru_cache(maxsize=65536)(fold)


@lru_cache(maxsize=1)
def _nick_namer():
    from nicknames import NickNamer

    return NickNamer()


def _by_dob_or_ssn(clients: QuerySet, dobs: list[date], ssn_last4: str) -> list[int]:
    condition = Q()
    if dobs:
        condition |= Q(dob__in=dobs)
    if ssn_last4:
        condition |= Q(ssn_last4=ssn_last4)
    if not condition:
        return []
    return list(clients.filter(condition).values_list("pk", flat=True)[:CANDIDATE_LIMIT])


def _by_trigram(clients: QuerySet, queries: list[str]) -> list[int]:
    """PostgreSQL: `search_name % query` uses the trigram GIN index; the most similar names of
    each query (the name, then its nickname forms) are kept."""
    found: list[int] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            # SET LOCAL: the threshold of this transaction only, not of the pooled connection.
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [str(TRIGRAM_THRESHOLD)])
        for query in queries:
            found.extend(
                clients.extra(  # noqa: S610
                    select={"similarity": _TRIGRAM_SIMILARITY},
                    select_params=[query],
                    where=[_TRIGRAM_MATCH],
                    params=[query],
                    order_by=["-similarity"],
                ).values_list("pk", flat=True)[:CANDIDATE_LIMIT]
            )
    return found


def _by_fuzzy_scan(clients: QuerySet, first: str, last: str) -> list[int]:
    """SQLite has no trigram index. Block first: names with a word beginning with the first
    letters of a typed word (either name, either order: a misspelling must spoil the start of
    both names to be missed, and then the birth date and SSN still find it); then RapidFuzz (C++)
    keeps the best-scoring of those, and a nickname of the first name with a like last name."""
    typed = " ".join(p for p in (first, last) if p)
    block = Q()
    for prefix in {word[:SQLITE_PREFIX] for word in typed.split()}:
        block |= Q(search_name__startswith=prefix) | Q(search_name__contains=f" {prefix}")
    rows = list(clients.filter(block).values_list("pk", "search_name"))
    names = [name for _, name in rows]
    found = [
        rows[index][0]
        for _, _, index in process.extract(
            typed,
            names,
            scorer=fuzz.token_set_ratio,
            score_cutoff=SQLITE_NAME_CUTOFF,
            limit=CANDIDATE_LIMIT,
        )
    ]
    family = _nickname_family(first) - {first}
    if family and last:
        found += [
            pk
            for pk, name in rows
            if name.split()[0] in family
            and fuzz.ratio(name.split()[-1], last) >= NICKNAME_LAST_NAME
        ][:CANDIDATE_LIMIT]
    return found


def _score(
    client: Client,
    first: str,
    last: str,
    dobs: list[date],
    dob: date | None,
    ssn_last4: str,
) -> Match | None:
    cand_first, cand_last = _fold(client.first_name), _fold(client.last_name)
    typed = " ".join(p for p in (first, last) if p)
    theirs = " ".join(p for p in (cand_first, cand_last) if p)
    name_score = int(fuzz.token_sort_ratio(typed, theirs)) if typed and theirs else 0
    # The preferred name counts as a first name ("Bobby" known as such on the record).
    preferred = _fold(client.preferred_name)
    if preferred and typed:
        other = " ".join(p for p in (preferred, cand_last) if p)
        name_score = max(name_score, int(fuzz.token_sort_ratio(typed, other)))
    nickname = bool(
        first
        and cand_first
        and first != cand_first
        and cand_first in _nickname_family(first)
        and fuzz.ratio(last, cand_last) >= NICKNAME_LAST_NAME
    )
    same_dob = dob is not None and client.dob == dob
    swapped_dob = not same_dob and client.dob is not None and client.dob in dobs
    same_ssn = bool(ssn_last4) and client.ssn_last4 == ssn_last4
    evidence = same_dob or swapped_dob or same_ssn
    is_match = (
        name_score >= NAME_ALONE
        or nickname
        or (name_score >= NAME_WITH_EVIDENCE and evidence)
        or ((same_dob or swapped_dob) and same_ssn)
    )
    if not is_match:
        return None
    score = max(name_score, 90 if nickname else 0)
    score += 30 * same_dob + 20 * swapped_dob + 25 * same_ssn
    return Match(
        client=client,
        score=score,
        name_score=name_score,
        same_dob=same_dob,
        swapped_dob=swapped_dob,
        same_ssn_last4=same_ssn,
        nickname=nickname,
    )


def match_pair(first: Client, second: Client) -> Match | None:
    """Whether two recorded clients are likely the same person (the intake check's rules, with
    `first` as the typed person): the Match about `second`, or None."""
    ssn_last4 = first.ssn_last4 if (first.ssn_last4 or "").isdigit() else ""
    return _score(
        second,
        _fold(first.first_name),
        _fold(first.last_name),
        _dob_variants(first.dob),
        first.dob,
        ssn_last4 if len(ssn_last4) == 4 else "",
    )
