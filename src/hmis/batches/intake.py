"""Intake at the desk: a client refused for want of an enrollment (or a new client) is enrolled in
the batch's program and added to the batch, in one transaction.

`enroll_and_add` is the one path of the desk's *Enroll client* / *New client* flow: it creates the
client (HUD intake, `clients/intake.py`) when none is given, enrolls them from the entry date, and
adds them to the batch. A refusal of the add itself (a bar, a frequency limit) comes back as a
value: the client and the enrollment stay, as a case manager would expect after a full intake.
Any other failure leaves nothing written.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from hmis.batches import errors
from hmis.batches.adding import add_client_to_batch
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry, ServiceBatch
from hmis.clients.cards import issue_card
from hmis.clients.enrolling import enroll_client
from hmis.clients.intake import create_client
from hmis.clients.models import Client, Enrollment
from hmis.clients.ude import ClientDetails


@dataclass(frozen=True)
class IntakeResult:
    client: Client
    enrollment: Enrollment
    created: bool
    entry: BatchEntry | None = None
    refusal: BatchError | None = None


def check_entry_date(*, entry_date: date, date_provided: date) -> None:
    """The entry date may not be in the future, nor after the date the service was provided
    (the new enrollment must be active that day)."""
    if entry_date > timezone.localdate():
        raise BatchError(errors.ENTRY_DATE_FUTURE, "The entry date cannot be in the future.")
    if entry_date > date_provided:
        raise BatchError(
            errors.ENTRY_AFTER_SERVICE,
            "The entry date must be on or before the Date Service Provided "
            f"({date_provided:%m/%d/%Y}).",
        )


def enroll_and_add(
    *,
    batch: ServiceBatch,
    user,
    entry_date: date,
    batch_date: date,
    date_provided: date,
    client: Client | None = None,
    details: ClientDetails | None = None,
    card_code: str = "",
) -> IntakeResult:
    """Enroll `client` (or a new client made from `details`) in the batch's program from
    `entry_date` and add them to the batch for `date_provided`. `card_code`: the unknown card just
    scanned, issued to the new client so that the next scan finds them. Raises BatchError for a
    bad entry date, IntakeError for details breaking a HUD rule and CardError for a card that
    cannot be issued, writing nothing."""
    if (client is None) == (details is None):
        raise ValueError("Give either an existing client or the details of a new one.")
    check_entry_date(entry_date=entry_date, date_provided=date_provided)
    with transaction.atomic():
        created = client is None
        if created:
            client = create_client(user=user, details=details)
            if card_code:
                issue_card(client=client, user=user, code=card_code)
        enrollment = enroll_client(
            client=client, project=batch.project, entry_date=entry_date, user=user
        )
        try:
            entry = add_client_to_batch(
                batch=batch,
                client=client,
                user=user,
                batch_date=batch_date,
                date_provided=date_provided,
            )
        except BatchError as refusal:
            return IntakeResult(client, enrollment, created, refusal=refusal)
    return IntakeResult(client, enrollment, created, entry=entry)
