"""A merge racing scans of either record on PostgreSQL, with real threads: every scan is either
applied before the merge (and moved by it) or after it (to the survivor); nothing lost, nothing
doubled."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from hmis.batches.adding import SCAN_CARD, add_to_batch
from hmis.batches.models import BatchEntry
from hmis.clients.merging import merge_clients
from tests import factories as f

ROUNDS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scans_of_either_record_during_a_merge_end_on_the_survivor_once(
    org_a, day_shelter, staff_a
):
    today = timezone.localdate()
    visits = f.make_batch(day_shelter, performing_user=staff_a)
    meals = f.make_batch(day_shelter, performing_user=staff_a)
    for round_number in range(ROUNDS):
        keep = f.make_client("Maria", f"Lopez{round_number}", organization=org_a)
        old = f.make_client("Maria", f"Lopes{round_number}", organization=org_a)
        for client in (keep, old):
            f.enroll(client, day_shelter)
        keep_card, old_card = f.issue_card(keep), f.issue_card(old)
        scans = [(visits, old_card.code), (meals, keep_card.code), (meals, old_card.code)]
        barrier = threading.Barrier(len(scans) + 1)
        results, failures = [], []

        def scan(batch, code, barrier=barrier, results=results, failures=failures):
            try:
                barrier.wait(timeout=10)
                results.append(
                    add_to_batch(
                        batch=batch,
                        user=staff_a,
                        scan_type=SCAN_CARD,
                        typed=code,
                        batch_date=today,
                        date_provided=today,
                    )
                )
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                failures.append(error)
            finally:
                connection.close()

        def merge(keep=keep, old=old, barrier=barrier, failures=failures):
            try:
                barrier.wait(timeout=10)
                merge_clients(survivor=keep, merged=old, user=staff_a, choices={})
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                failures.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=scan, args=s) for s in scans]
        threads.append(threading.Thread(target=merge))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert failures == []
        assert all(r.ok or r.code == "already_added" for r in results), [r.message for r in results]
        # Nothing left on the merged-away record, nothing lost, nothing doubled.
        assert not BatchEntry.objects.live().filter(client=old).exists()
        live = BatchEntry.objects.live().filter(client=keep, date_provided=today)
        assert sorted(live.values_list("batch_id", flat=True)) == sorted([visits.pk, meals.pk])
