"""Run as a process against a migrated database: a batch that posts automatically, two station
users, and clients with cards. Prints what the test needs as JSON."""

import json
import os
import sys
from datetime import date
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from hmis.accounts.models import Role  # noqa: E402
from tests import factories as f  # noqa: E402

CARDS = 30


def main(stations: int = 2, cards_count: int = CARDS) -> None:
    org = f.make_organization("Hope Center")
    shelter = f.make_project(org, "Day Shelter")
    batch = f.make_batch(shelter, description="Drop-in visit", auto_post=True)
    stations = [f.make_user(org, Role.STAFF, username=f"desk{n}") for n in range(1, stations + 1)]
    cards = []
    for n in range(cards_count):
        client = f.make_client("Guest", f"Number{n}", organization=org)
        f.enroll(client, shelter, entry_date=date(2024, 1, 1))
        cards.append(f.issue_card(client).code)
    print(
        json.dumps(
            {
                "batch": batch.pk,
                "users": [user.username for user in stations],
                "password": f.PASSWORD,
                "cards": cards,
            }
        )
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:]))
