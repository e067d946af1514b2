"""*Add household* at the desk: when the client just scanned heads a household enrolled in the
batch's program, add every member in one step, each through the same `add_client_to_batch` and
each with its own result (a barred or not-enrolled member is refused on their own line; the
others are added)."""

from datetime import date

from django.db.models import Exists, OuterRef

from hmis.batches.adding import (
    ADDED,
    POSTED,
    AddFacts,
    AddResult,
    add_client_to_batch,
    add_facts,
)
from hmis.batches.errors import BatchError
from hmis.batches.models import EntryStatus, ServiceBatch
from hmis.clients.models import Client, Enrollment
from hmis.hudcsv.codes import RelationshipToHoH

HOUSEHOLD_LIMIT = 20


def household_members(*, batch: ServiceBatch, head: Client, on: date) -> list[Client]:
    """The other clients of the household `head` heads in the batch's program (their enrollment
    in it, with the head's HouseholdID, active on `on` or not: a member no longer enrolled is
    listed, and refused on their own line). One query."""
    households = (
        Enrollment.objects.active_on(on)
        .filter(
            client=head,
            project_id=batch.project_id,
            relationship_to_hoh=RelationshipToHoH.SELF,
        )
        .values("household_id")
    )
    ids = (
        Enrollment.objects.live()
        .filter(project_id=batch.project_id, household_id__in=households)
        .exclude(client=head)
        .values("client_id")
    )
    return list(
        Client.objects.live()
        .filter(pk__in=ids)
        .order_by("last_name", "first_name", "pk")[:HOUSEHOLD_LIMIT]
    )


def heads_household(*, batch: ServiceBatch, on: date):
    """Annotations for a scan's look-up of the client (`batches.adding.add_to_batch(also=)`):
    `heads_household`, whether `household_members` could find anyone, so that most scans (of
    clients heading no household) need no query for it."""

    def annotations(client_field: str) -> dict:
        # Read from the head's enrollment out, through the household index: the program's
        # other enrollments are never scanned.
        others = (
            Enrollment.objects.live()
            .filter(household_id=OuterRef("household_id"), project_id=batch.project_id)
            .exclude(client_id=OuterRef("client_id"))
        )
        heads = (
            Enrollment.objects.active_on(on)
            .filter(
                Exists(others),
                client_id=OuterRef(client_field),
                project_id=batch.project_id,
                relationship_to_hoh=RelationshipToHoH.SELF,
            )
            .order_by()
        )
        return {"heads_household": Exists(heads)}

    return annotations


def add_household_to_batch(
    *, batch: ServiceBatch, head: Client, user, batch_date: date, date_provided: date
) -> list[AddResult]:
    """One AddResult per member of `head`'s household (the head is added by the scan itself).
    Each add is its own transaction: one refusal never blocks the others."""
    results = []
    members = household_members(batch=batch, head=head, on=date_provided)
    # What each add needs to know, for every member in one query (batches.adding.add_facts).
    facts = {
        row.pk: AddFacts.of(row)
        for row in Client.objects.filter(pk__in=[member.pk for member in members])
        .annotate(**add_facts(batch=batch, client="pk", day=date_provided))
        .only("pk")
    }
    for member in members:
        try:
            entry = add_client_to_batch(
                batch=batch,
                client=member,
                user=user,
                batch_date=batch_date,
                date_provided=date_provided,
                facts=facts.get(member.pk),
            )
        except BatchError as refusal:
            results.append(AddResult(False, refusal.code, refusal.message, client=member))
            continue
        if entry.status == EntryStatus.POSTED:
            results.append(AddResult(True, POSTED, "Added and services posted.", member, entry))
        else:
            results.append(
                AddResult(True, ADDED, "Added. Pending until Post Services.", member, entry)
            )
    return results
