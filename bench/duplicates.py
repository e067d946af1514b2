"""Benchmark: the duplicate check of a new client (clients/matching.py) among 100,000 clients.

    .venv/bin/python bench/duplicates.py            # a throwaway SQLite file in a temp folder
    DATABASE_URL=postgres://... .venv/bin/python bench/duplicates.py   # a throwaway test database

Each check is run as a staff user would run it (`clients_listed_to(user)`), for typed names that
are misspelled, in the other order, a nickname, with a swapped birth date, or of nobody. Target:
well under a second per check. Reports the median, 95th percentile and slowest check, after one
untimed warm-up check.
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import throwaway_database  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
CHECKS = 40
BATCH = 5_000

FIRST = (
    "james mary john patricia robert jennifer michael linda william elizabeth david barbara "
    "richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa "
    "matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily andrew "
    "donna joshua michelle kenneth dorothy kevin carol brian amanda george melissa edward deborah "
    "jose maria juan ana luis carmen carlos rosa miguel lucia jesus sofia pedro elena"
).split()
LAST = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
    "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris "
    "sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill "
    "flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips "
    "evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers "
    "gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson "
    "watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo "
    "sanders patel myers long ross foster jimenez nunez quintanilla"
).split()

# Endings multiply the last names (about 1,500), so that a name is shared by a few people, as in
# a city, rather than by dozens.
ENDINGS = ("", "", "", "", "son", "ez", "ton", "man", "ley", "er", "ski", "berg")


def main() -> int:
    with throwaway_database() as connection:
        loaded, timings, found = run()

    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"Database: {connection.vendor}; {CLIENTS:,} clients (loaded in {loaded:.1f} s)")
    hits, aimed = found
    print(f"Duplicate checks: {len(timings)}; {hits} of {aimed} found the record they aimed at")
    print(f"median {statistics.median(timings) * 1000:7.1f} ms")
    print(f"p95    {p95 * 1000:7.1f} ms")
    print(f"max    {timings[-1] * 1000:7.1f} ms   (target: well under 1000 ms)")
    return 0


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiouy") + word[i + 1 :]


def run() -> tuple[float, list[float], int]:
    from django.db import connection

    from hmis.accounts.models import Role, User
    from hmis.clients.access import clients_listed_to
    from hmis.clients.matching import find_duplicates
    from hmis.clients.models import Client
    from hmis.clients.text import fold
    from hmis.projects.models import Organization

    rng = random.Random(2026)
    org = Organization.objects.create(name="Bench Agency")
    user = User.objects.create_user(
        username="bench", password=None, organization=org, role=Role.STAFF
    )
    started = time.perf_counter()
    born = date(1940, 1, 1)
    for offset in range(0, CLIENTS, BATCH):
        rows = []
        for _ in range(min(BATCH, CLIENTS - offset)):
            first = rng.choice(FIRST).title()
            last = (rng.choice(LAST) + rng.choice(ENDINGS)).title()
            rows.append(
                Client(
                    first_name=first,
                    last_name=last,
                    dob=born + timedelta(days=rng.randrange(365 * 65)),
                    ssn_last4=f"{rng.randrange(10_000):04d}",
                    organization=org,
                    search_name=fold(f"{first} {last}"),
                )
            )
        Client.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clients_client")
    loaded = time.perf_counter() - started

    targets = list(Client.objects.order_by("?")[:CHECKS])
    # One untimed check first: the first query of a fresh database reads the index from disk.
    find_duplicates(clients=clients_listed_to(user), first_name="Warm", last_name="Up")
    timings, found, aimed = [], 0, 0
    for number, target in enumerate(targets):
        first, last, dob, ssn = target.first_name, target.last_name, target.dob, ""
        kind = number % 5
        if kind == 0:
            last = _typo(last, rng)  # a small misspelling
        elif kind == 1:
            first, last = last, first  # names in the other order
        elif kind == 2:
            if dob.day <= 12:
                dob = dob.replace(month=dob.day, day=dob.month)  # day and month swapped
            first = _typo(first, rng)
        elif kind == 3:
            ssn = target.ssn_last4  # same SSN last four, and a typo
            first = _typo(first, rng)
        else:
            first, last, dob = "Zebulon", "Quaxworth", None  # nobody
        began = time.perf_counter()
        matches = find_duplicates(
            clients=clients_listed_to(user),
            first_name=first,
            last_name=last,
            dob=dob,
            ssn_last4=ssn,
        )
        timings.append(time.perf_counter() - began)
        if os.environ.get("BENCH_VERBOSE"):
            print(f"{timings[-1] * 1000:7.1f} ms  kind {kind}  {first} {last} {dob} {ssn}")
        hit = any(m.client.pk == target.pk for m in matches)
        aimed += kind != 4
        found += hit and kind != 4
        if os.environ.get("BENCH_VERBOSE") and not hit:
            print(
                "missed",
                kind,
                first,
                last,
                dob,
                ssn,
                "for",
                target.first_name,
                target.last_name,
                target.dob,
                target.ssn_last4,
                len(matches),
            )
    return loaded, timings, (found, aimed)


if __name__ == "__main__":
    raise SystemExit(main())
