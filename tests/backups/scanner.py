"""Run as a process: build a small agency, then add its clients to a batch one after another (as a
desk does) until told to stop, printing "ready" once scanning has begun."""

import os
import sys
import time
from datetime import date
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.utils import timezone  # noqa: E402

from hmis.batches.adding import add_client_to_batch  # noqa: E402
from tests import factories as f  # noqa: E402


def main(stop_file: str) -> None:
    org = f.make_organization("Hope Center")
    shelter = f.make_project(org, "Day Shelter")
    batch = f.make_batch(shelter, description="Drop-in visit", auto_post=True)
    clients = []
    for n in range(400):
        client = f.make_client("Guest", f"Number{n}", organization=org)
        f.enroll(client, shelter, entry_date=date(2024, 1, 1))
        clients.append(client)
    today = timezone.localdate()
    print("ready", flush=True)
    for client in clients:
        if os.path.exists(stop_file):
            break
        add_client_to_batch(
            batch=batch,
            client=client,
            user=batch.performing_user,
            batch_date=today,
            date_provided=today,
        )
        time.sleep(0.01)
    print("stopped", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
