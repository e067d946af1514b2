"""Benchmark: the likely duplicate pairs of the data-quality page (reports/duplicates.py) among an
organization's clients (100,000 by default), with known duplicate pairs planted in them.

    .venv/bin/python bench/data_quality_duplicates.py      # a throwaway SQLite file
    DATABASE_URL=postgres://... .venv/bin/python bench/data_quality_duplicates.py

Reports the time of one pass, the statements it ran, the pairs found and how many of the planted
pairs (a misspelled last name with the same birth date, or a nickname with the same SSN last four)
are among them.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from duplicates import ENDINGS, FIRST, LAST, _typo  # noqa: E402
from throwaway import throwaway_database  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
PLANTED = 200
BATCH = 5_000
NICKNAMES = {"robert": "bob", "william": "bill", "elizabeth": "liz", "james": "jim"}


def main() -> int:
    with throwaway_database() as connection:
        run(connection)
    return 0


def run(connection) -> None:
    from django.test.utils import CaptureQueriesContext

    from hmis.accounts.models import Role, User
    from hmis.clients.models import Client
    from hmis.clients.text import fold
    from hmis.projects.models import Organization
    from hmis.reports.duplicates import likely_duplicates

    rng = random.Random(2026)
    org = Organization.objects.create(name="Bench Agency")
    user = User.objects.create_user(
        username="bench", password=None, organization=org, role=Role.AGENCY_ADMIN
    )
    born = date(1940, 1, 1)
    started = time.perf_counter()
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
    # Planted pairs: a misspelled last name on the same birth date (no SSN), or a nickname with
    # the same SSN last four (no birth date).
    planted = []
    for number in range(PLANTED):
        dob = born + timedelta(days=rng.randrange(365 * 65))
        if number % 2:
            full = rng.choice(sorted(NICKNAMES))
            a = dict(first_name=full.title(), last_name="Planted" + rng.choice(LAST).title())
            b = dict(first_name=NICKNAMES[full].title(), last_name=a["last_name"])
            ssn = f"{rng.randrange(10_000):04d}"
            extra_a, extra_b = {"dob": dob, "ssn_last4": ssn}, {"dob": None, "ssn_last4": ssn}
        else:
            last = rng.choice(LAST).title() + "worth"
            a = dict(first_name=rng.choice(FIRST).title(), last_name=last)
            b = dict(first_name=a["first_name"], last_name=_typo(last, rng))
            extra_a, extra_b = {"dob": dob, "ssn_last4": ""}, {"dob": dob, "ssn_last4": ""}
        pair = []
        for fields, extra in ((a, extra_a), (b, extra_b)):
            client = Client(**fields, **extra, organization=org)
            client.search_name = fold(f"{fields['first_name']} {fields['last_name']}")
            pair.append(client)
        Client.objects.bulk_create(pair)
        planted.append((pair[0].pk, pair[1].pk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clients_client")
    loaded = time.perf_counter() - started

    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        found = likely_duplicates(user=user, shown=10**9)
    took = time.perf_counter() - began
    pairs = {(p.first.pk, p.second.pk) for p in found.pairs}
    hits = sum(1 for pair in planted if pair in pairs)
    print(f"Database: {connection.vendor}; {CLIENTS:,} clients + {2 * PLANTED} planted")
    print(f"(loaded in {loaded:.1f} s)")
    print(f"One pass: {took:.2f} s, {len(queries)} statement(s), {found.total:,} pairs found")
    print(f"Planted pairs found: {hits} of {PLANTED}")


if __name__ == "__main__":
    raise SystemExit(main())
