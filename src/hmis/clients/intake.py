"""Intake: create a client record with its HUD Universal Data Elements, edit it, enroll a client
in a program, with audit. The rules of the data elements live in `clients/ude.py`."""

from datetime import date

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.clients import ude
from hmis.clients.models import Client
from hmis.clients.ssn import masked, set_ssn
from hmis.clients.ude import ClientDetails
from hmis.errors import DomainError


class IntakeError(DomainError):
    """The client's details break a HUD data-quality rule. `code` and `message` are the first
    problem's; `problems` lists every one (field, code, message) for messages beside fields."""

    def __init__(self, found: list[ude.Problem]):
        super().__init__(found[0].code, found[0].message, field=found[0].field)
        self.problems = found


def _checked(details: ClientDetails, *, ssn_on_file: bool = False) -> ClientDetails:
    details = details.cleaned()
    found = ude.problems(details, ssn_on_file=ssn_on_file)
    if found:
        raise IntakeError(found)
    return details


def _apply(client: Client, details: ClientDetails, *, ssn_given: bool) -> list[str]:
    """Put `details` on `client` (not saved); the names of the fields set."""
    for name in ude.CLIENT_FIELDS:
        setattr(client, name, getattr(details, name))
    data = dict(client.hud_data or {})
    for column in ude.RACE_COLUMNS:
        data[column] = 1 if column in details.races else 0
    if details.race_none is None:
        data.pop("RaceNone", None)
    else:
        data["RaceNone"] = details.race_none
    if details.additional_race_ethnicity:
        data["AdditionalRaceEthnicity"] = details.additional_race_ethnicity
    else:
        data.pop("AdditionalRaceEthnicity", None)
    data["Sex"] = details.sex
    client.hud_data = data
    names = [*ude.CLIENT_FIELDS, "hud_data"]
    if ssn_given or details.ssn_data_quality in ude.MISSING:
        # A missing-data answer clears a number kept from before; otherwise a blank SSN on the
        # edit form means "unchanged" (the number is never shown to be typed again).
        names += set_ssn(client, details.ssn, partial=details.ssn_data_quality == ude.PARTIAL)
    return names


def _snapshot(client: Client) -> dict:
    """What the audit compares: the UDE fields, the masked SSN and the HUD race/sex answers."""
    values = {name: getattr(client, name) for name in ude.CLIENT_FIELDS}
    values["dob"] = str(client.dob) if client.dob else None
    values["ssn"] = masked(client) or None
    data = client.hud_data or {}
    for key in (*ude.RACE_COLUMNS, "RaceNone", "AdditionalRaceEthnicity", "Sex"):
        values[key] = data.get(key)
    return values


def create_client(
    *,
    user,
    details: ClientDetails | None = None,
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    dob: date | None = None,
) -> Client:
    """A new client record owned by the user's organization, with its HUD Universal Data
    Elements (`details`; or only a name and birth date, the rest "Data not collected").
    Raises IntakeError when a data-quality rule is broken; nothing is written then."""
    if details is None:
        details = ClientDetails(
            first_name=first_name, middle_name=middle_name, last_name=last_name, dob=dob
        )
    details = _checked(details)
    with transaction.atomic():
        client = Client(organization_id=user.organization_id, created_by=user)
        _apply(client, details, ssn_given=bool(details.ssn))
        client.save()
        after = _snapshot(client)
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=client,
            client_id=client.pk,
            changes={name: [None, value] for name, value in after.items() if value is not None},
            message="Client created at intake",
        )
    return client


def update_client(*, client: Client, user, details: ClientDetails) -> Client:
    """Change the client's Universal Data Elements; the audit row keeps old and new values of
    each changed one (the SSN masked). A blank SSN keeps the stored number unless the SSN data
    quality says none was given. Raises IntakeError; nothing is written then."""
    details = _checked(details, ssn_on_file=bool(client.ssn_encrypted))
    with transaction.atomic():
        # Lock the row: two people editing at once must not lose each other's audit trail.
        locked = Client.objects.select_for_update().get(pk=client.pk)
        before = _snapshot(locked)
        names = _apply(locked, details, ssn_given=bool(details.ssn))
        after = _snapshot(locked)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            locked.save(update_fields=names)
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=locked,
                client_id=locked.pk,
                changes=changes,
                message="Client record edited",
            )
    return locked


def set_client_photo(*, client: Client, user, photo) -> Client:
    """Store a new photo (shown on the desk so staff can check the card belongs to the person)."""
    with transaction.atomic():
        old = client.photo.name if client.photo else ""
        client.photo = photo
        client.save(update_fields=["photo"])
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=client,
            client_id=client.pk,
            changes={"photo": [old, client.photo.name]},
            message="Photo uploaded",
        )
    return client
