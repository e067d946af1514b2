"""Enrollments and exits: enroll a client (or a household) in a program, exit, and correct both.

Rules (issue 10, item 4), each refusal an EnrollmentError that changes nothing:
- Entry and exit dates may be back-dated but not in the future.
- An exit date before the entry date: EXIT_BEFORE_ENTRY (the database refuses it too).
- A second open enrollment in the same program, or one overlapping another enrollment of the
  client in that program: ALREADY_ENROLLED. (`enroll_client(reuse_open=True)`, the desk's
  double-click guard, returns the enrollment already active on the entry date instead.)
- HUD's one head of household (Self) per household: a client enrolled alone is Self, and a
  correction may not leave a household with no head or two (HOUSEHOLD_INVALID).
- An exit date before the client's last (not void) service in that enrollment's program:
  EXIT_BEFORE_LAST_SERVICE; a corrected entry date after its first service:
  ENTRY_AFTER_FIRST_SERVICE. So no posted service falls outside its enrollment.

The HUD elements collected at entry (Enrollment.csv: DisablingCondition, LivingSituation and the
3.917 length-of-stay questions) are kept in `Enrollment.hud_data` under their HUD column names, as
the HUD CSV import stores them, so the export writes them unchanged. Exit's Destination is the
`destination` field. Every write records an audit row with the old and new values.
"""

from dataclasses import dataclass, fields
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.clients.intake import create_client
from hmis.clients.models import Client, Enrollment
from hmis.clients.ude import ClientDetails
from hmis.errors import DomainError
from hmis.hud_ids import new_hud_id
from hmis.hudcsv import codes
from hmis.projects.models import Project


class EnrollmentError(DomainError):
    """An enrollment or exit was refused. `fields` maps form fields to their messages."""

    def __init__(self, code: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(code, message)
        self.fields = fields or {}


# Stable codes, shared by the web pages and the API.
EXIT_BEFORE_ENTRY = "exit_before_entry"
ALREADY_ENROLLED = "already_enrolled"
EXIT_BEFORE_LAST_SERVICE = "exit_before_last_service"
ENTRY_AFTER_FIRST_SERVICE = "entry_after_first_service"
FUTURE_DATE = "future_date"
INVALID_ANSWER = "invalid_answer"
NOT_EXITED = "not_exited"
ALREADY_EXITED = "already_exited"
HOUSEHOLD_INVALID = "household_invalid"
PROGRAM_NOT_AVAILABLE = "program_not_available"

# 3.12.1 groups (HUD FY2026 3.917): what decides the follow-up questions.
HOMELESS_SITUATIONS = frozenset({116, 101, 118})
INSTITUTIONAL_SITUATIONS = frozenset({215, 206, 207, 225, 204, 205})
MISSING = frozenset({codes.DOESNT_KNOW, codes.PREFERS_NOT, codes.NOT_COLLECTED})
# LOSUnderThreshold: under 90 days in an institution, under 7 nights in other housing.
SHORT_INSTITUTIONAL_STAY = frozenset({10, 11, 2, 3})
SHORT_HOUSED_STAY = frozenset({10, 11})

PRIOR_LIVING_SITUATIONS = [
    (value, label)
    for value, label in codes.LivingSituation.choices
    if value not in codes.NOT_PRIOR_LIVING_SITUATION
]
DESTINATIONS = [
    (value, label)
    for value, label in codes.LivingSituation.choices
    if value not in codes.NOT_DESTINATION
]


@dataclass(frozen=True)
class EntryAssessment:
    """The HUD elements asked at project entry. `None`: not asked (or not answered)."""

    disabling_condition: int = codes.NOT_COLLECTED
    living_situation: int | None = None
    length_of_stay: int | None = None
    previous_street_essh: int | None = None
    date_to_street_essh: date | None = None
    times_homeless_past_three_years: int | None = None
    months_homeless_past_three_years: int | None = None

    @classmethod
    def from_hud_data(cls, data: dict) -> "EntryAssessment":
        """What an enrollment holds, to fill the edit form."""
        try:
            dated = date.fromisoformat(str(data.get("DateToStreetESSH") or "")[:10])
        except ValueError:  # none, or an imported value that is not a date: asked again
            dated = None
        return cls(
            disabling_condition=data.get("DisablingCondition", codes.NOT_COLLECTED),
            living_situation=data.get("LivingSituation"),
            length_of_stay=data.get("LengthOfStay"),
            previous_street_essh=data.get("PreviousStreetESSH"),
            date_to_street_essh=dated,
            times_homeless_past_three_years=data.get("TimesHomelessPastThreeYears"),
            months_homeless_past_three_years=data.get("MonthsHomelessPastThreeYears"),
        )

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def hud_entry_data(assessment: EntryAssessment, *, entry_date: date) -> dict:
    """The Enrollment.csv values of `assessment`, following HUD's 3.917 flow: answers to
    questions the flow does not ask are dropped. Raises EnrollmentError (INVALID_ANSWER) naming
    each wrong answer."""
    a = assessment
    problems: dict[str, str] = {}

    def check(name: str, value, allowed, label: str) -> None:
        if value is not None and value not in allowed:
            problems[name] = f"Choose a {label} from HUD's list."

    check("disabling_condition", a.disabling_condition, codes.NoYesReasons.values, "answer")
    prior = {value for value, _ in PRIOR_LIVING_SITUATIONS}
    check("living_situation", a.living_situation, prior, "prior living situation")
    check("length_of_stay", a.length_of_stay, codes.LengthOfStay.values, "length of stay")
    check("previous_street_essh", a.previous_street_essh, codes.NoYesMissing.values, "answer")
    check(
        "times_homeless_past_three_years",
        a.times_homeless_past_three_years,
        codes.TimesHomelessPastThreeYears.values,
        "number of times",
    )
    check(
        "months_homeless_past_three_years",
        a.months_homeless_past_three_years,
        codes.MonthsHomelessPastThreeYears.values,
        "number of months",
    )
    if a.disabling_condition is None:
        problems["disabling_condition"] = "Disabling condition is required by HUD."
    if a.living_situation is None:
        problems["living_situation"] = "Prior living situation is required by HUD."
    if problems:
        raise _invalid(problems)

    data = {"DisablingCondition": a.disabling_condition, "LivingSituation": a.living_situation}
    situation = a.living_situation
    if situation in MISSING:
        return data
    homeless = situation in HOMELESS_SITUATIONS
    if not homeless:
        if a.length_of_stay is None:
            raise _invalid(
                {
                    "length_of_stay": "Length of stay in prior living situation is "
                    "required for this living situation."
                }
            )
        data["LengthOfStay"] = a.length_of_stay
        short = (
            SHORT_INSTITUTIONAL_STAY if situation in INSTITUTIONAL_SITUATIONS else SHORT_HOUSED_STAY
        )
        data["LOSUnderThreshold"] = 1 if a.length_of_stay in short else 0
        if not data["LOSUnderThreshold"]:
            return data
        if a.previous_street_essh is None:
            raise _invalid(
                {
                    "previous_street_essh": "Say whether the client was on the streets, in an "
                    "emergency shelter or a safe haven the night before."
                }
            )
        data["PreviousStreetESSH"] = a.previous_street_essh
        if a.previous_street_essh != 1:
            return data
    elif a.length_of_stay is not None:
        data["LengthOfStay"] = a.length_of_stay
    # Literally homeless, or homeless the night before a short stay: the homeless history.
    if a.date_to_street_essh is not None:
        if a.date_to_street_essh > entry_date:
            raise _invalid(
                {
                    "date_to_street_essh": "The date homelessness started cannot be after the "
                    "entry date."
                }
            )
        data["DateToStreetESSH"] = a.date_to_street_essh.isoformat()
    if a.times_homeless_past_three_years is not None:
        data["TimesHomelessPastThreeYears"] = a.times_homeless_past_three_years
    if a.months_homeless_past_three_years is not None:
        data["MonthsHomelessPastThreeYears"] = a.months_homeless_past_three_years
    return data


def _invalid(problems: dict[str, str]) -> EnrollmentError:
    first = next(iter(problems.values()))
    return EnrollmentError(INVALID_ANSWER, f"ERROR: {first}", fields=problems)


ENTRY_KEYS = (
    "DisablingCondition",
    "LivingSituation",
    "LengthOfStay",
    "LOSUnderThreshold",
    "PreviousStreetESSH",
    "DateToStreetESSH",
    "TimesHomelessPastThreeYears",
    "MonthsHomelessPastThreeYears",
)


# ---- refusals -----------------------------------------------------------------------------


def _refuse_future(day: date, label: str) -> None:
    if day > timezone.localdate():
        raise EnrollmentError(
            FUTURE_DATE,
            f"ERROR: {label} ({day:%m/%d/%Y}) cannot be in the future.",
            fields={"entry_date" if label == "Entry Date" else "exit_date": "Not in the future."},
        )


def _refuse_exit_before_entry(entry_date: date, exit_date: date | None) -> None:
    if exit_date is not None and exit_date < entry_date:
        raise EnrollmentError(
            EXIT_BEFORE_ENTRY,
            f"ERROR: Exit Date ({exit_date:%m/%d/%Y}) cannot be before the Entry Date "
            f"({entry_date:%m/%d/%Y}).",
            fields={"exit_date": "Cannot be before the entry date."},
        )


def _refuse_overlap(
    *, client: Client, project: Project, entry_date: date, exit_date: date | None, exclude=None
) -> None:
    """Another enrollment of the client in the project that is open, or whose dates overlap."""
    others = Enrollment.objects.live().filter(client=client, project=project)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    overlap = Q(exit_date__isnull=True) | Q(exit_date__gte=entry_date)
    if exit_date is not None:
        overlap &= Q(entry_date__lte=exit_date)
    clash = others.filter(overlap).order_by("-entry_date").first()
    if clash is not None:
        state = "an open enrollment" if clash.exit_date is None else "an enrollment"
        raise EnrollmentError(
            ALREADY_ENROLLED,
            f"ERROR: {client.full_name} already has {state} in {project.name} (entered "
            f"{clash.entry_date:%m/%d/%Y}). Exit or correct it first.",
            fields={"entry_date": "Overlaps another enrollment in this program."},
        )


def last_service_date(enrollment: Enrollment) -> date | None:
    """The latest date of a live service of the client in the enrollment's program."""
    from hmis.services.models import Service

    return (
        Service.objects.live()
        .filter(client_id=enrollment.client_id, enrollment=enrollment)
        .aggregate(last=Max("date_provided"))["last"]
    )


def _refuse_services_outside(enrollment: Enrollment, entry_date: date, exit_date) -> None:
    from hmis.services.models import Service

    services = Service.objects.live().filter(enrollment=enrollment)
    if exit_date is not None:
        last = services.aggregate(last=Max("date_provided"))["last"]
        if last is not None and exit_date < last:
            raise EnrollmentError(
                EXIT_BEFORE_LAST_SERVICE,
                f"ERROR: Exit Date ({exit_date:%m/%d/%Y}) cannot be before the client's last "
                f"service in {enrollment.project.name} ({last:%m/%d/%Y}). Void that service "
                "first, or choose a later date.",
                fields={"exit_date": f"The last service was on {last:%m/%d/%Y}."},
            )
    first = services.order_by("date_provided").values_list("date_provided", flat=True).first()
    if first is not None and entry_date > first:
        raise EnrollmentError(
            ENTRY_AFTER_FIRST_SERVICE,
            f"ERROR: Entry Date ({entry_date:%m/%d/%Y}) cannot be after the client's first "
            f"service in {enrollment.project.name} ({first:%m/%d/%Y}).",
            fields={"entry_date": f"The first service was on {first:%m/%d/%Y}."},
        )


# ---- enrolling ----------------------------------------------------------------------------


def enroll_client(
    *,
    client: Client,
    project: Project,
    entry_date: date,
    user,
    relationship_to_hoh: int = codes.RelationshipToHoH.SELF,
    household_id: str | None = None,
    assessment: EntryAssessment | None = None,
    reuse_open: bool = True,
) -> Enrollment:
    """Enroll `client` in `project` from `entry_date`.

    With `reuse_open` (the desk's intake), the enrollment already active that day in that
    program is returned (a second click must not make a second enrollment); without it (the
    profile's *Enroll*, the API) that is refused as ALREADY_ENROLLED."""
    if household_id is None and relationship_to_hoh != codes.RelationshipToHoH.SELF:
        # HUD: every household has exactly one head; a client enrolled alone is their own.
        raise EnrollmentError(
            HOUSEHOLD_INVALID,
            "ERROR: A client enrolled alone is their own head of household (Self). Use Enroll "
            "household to enroll a family together.",
            fields={"relationship_to_hoh": "Self, for a client enrolled alone."},
        )
    with transaction.atomic():
        # Lock the client row so two simultaneous intakes of one client make one enrollment.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if reuse_open:
            existing = (
                Enrollment.objects.active_on(entry_date)
                .filter(client=client, project=project)
                .first()
            )
            if existing is not None:
                return existing
        enrollment = _create_enrollment(
            client=client,
            project=project,
            entry_date=entry_date,
            user=user,
            relationship_to_hoh=relationship_to_hoh,
            household_id=household_id or new_hud_id(),
            assessment=assessment,
        )
    return enrollment


def _create_enrollment(
    *, client, project, entry_date, user, relationship_to_hoh, household_id, assessment
) -> Enrollment:
    if relationship_to_hoh not in codes.RelationshipToHoH.values:
        raise _invalid({"relationship_to_hoh": "Choose a relationship from HUD's list."})
    _refuse_future(entry_date, "Entry Date")
    _refuse_overlap(client=client, project=project, entry_date=entry_date, exit_date=None)
    hud_data = (
        hud_entry_data(assessment, entry_date=entry_date)
        if assessment is not None
        else {"DisablingCondition": codes.NOT_COLLECTED}
    )
    enrollment = Enrollment.objects.create(
        client=client,
        project=project,
        entry_date=entry_date,
        household_id=household_id,
        relationship_to_hoh=relationship_to_hoh,
        hud_data=hud_data,
        created_by=user,
    )
    record(
        actor=user,
        action=AuditAction.CREATE,
        obj=enrollment,
        organization_id=project.organization_id,
        client_id=client.pk,
        changes={
            "project": [None, project.name],
            "entry_date": [None, str(entry_date)],
            "household_id": [None, household_id],
            "relationship_to_hoh": [None, relationship_to_hoh],
            **{key: [None, value] for key, value in hud_data.items()},
        },
        message=f"Enrolled in {project.name}",
    )
    return enrollment


@dataclass(frozen=True)
class HouseholdMember:
    """A member of a household being enrolled: an existing `client`, or a new client created
    through the same HUD intake (`details`, `clients/intake.create_client`) in the household's
    transaction (`client=None`). Exactly one of the two is given."""

    client: Client | None
    relationship_to_hoh: int
    disabling_condition: int = codes.NOT_COLLECTED
    details: ClientDetails | None = None


def enroll_household(
    *,
    head: Client,
    members: list[HouseholdMember],
    project: Project,
    entry_date: date,
    user,
    assessment: EntryAssessment | None = None,
) -> list[Enrollment]:
    """Enroll a head of household and members together: one HouseholdID, the head as *Self*,
    each member with their relationship. All or nothing: a refusal of one member (named in the
    message) enrolls no one, and no new member's client record is created. A new member's
    details breaking a HUD data-quality rule raise IntakeError (clients/intake.py), also before
    anything is kept."""
    for member in members:
        if (member.client is None) == (member.details is None):
            raise ValueError("A household member is an existing client or new details, not both.")
    ids = [head.pk, *(m.client.pk for m in members if m.client is not None)]
    if len(set(ids)) != len(ids):
        raise EnrollmentError(
            HOUSEHOLD_INVALID,
            "ERROR: A client can be in the household only once.",
            fields={"members": "A client is listed twice."},
        )
    for member in members:
        if member.relationship_to_hoh == codes.RelationshipToHoH.SELF:
            raise EnrollmentError(
                HOUSEHOLD_INVALID,
                f"ERROR: {_member_name(member)}: only the head of household is Self.",
                fields={"members": "Only the head of household is Self."},
            )
    household_id = new_hud_id()
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk__in=ids).order_by("pk").count()
        enrollments = [
            _create_enrollment(
                client=head,
                project=project,
                entry_date=entry_date,
                user=user,
                relationship_to_hoh=codes.RelationshipToHoH.SELF,
                household_id=household_id,
                assessment=assessment,
            )
        ]
        for member in members:
            client = member.client
            if client is None:
                # The same intake as *New client*; rolled back with the rest on any refusal.
                client = create_client(user=user, details=member.details)
            try:
                enrollments.append(
                    _create_enrollment(
                        client=client,
                        project=project,
                        entry_date=entry_date,
                        user=user,
                        relationship_to_hoh=member.relationship_to_hoh,
                        household_id=household_id,
                        assessment=EntryAssessment(
                            disabling_condition=member.disabling_condition,
                            living_situation=codes.NOT_COLLECTED,
                        ),
                    )
                )
            except EnrollmentError as refusal:
                raise EnrollmentError(
                    refusal.code,
                    refusal.message,
                    fields={"members": f"{client.full_name}: {refusal.message}"},
                ) from None
    return enrollments


def _member_name(member: HouseholdMember) -> str:
    if member.client is not None:
        return member.client.full_name
    return " ".join(p for p in (member.details.first_name, member.details.last_name) if p)


# ---- exits and corrections ----------------------------------------------------------------


def exit_enrollment(
    *, enrollment: Enrollment, exit_date: date, destination: int, user
) -> Enrollment:
    """Exit an open enrollment on `exit_date` to `destination` (HUD 3.12.1)."""
    _check_destination(destination)
    with transaction.atomic():
        enrollment = _locked(enrollment)
        if enrollment.exit_date is not None:
            raise EnrollmentError(
                ALREADY_EXITED,
                f"ERROR: This enrollment was already exited on {enrollment.exit_date:%m/%d/%Y}. "
                "Use Edit to correct it.",
            )
        _refuse_future(exit_date, "Exit Date")
        _refuse_exit_before_entry(enrollment.entry_date, exit_date)
        _refuse_services_outside(enrollment, enrollment.entry_date, exit_date)
        enrollment.exit_date = exit_date
        enrollment.destination = destination
        enrollment.hud_exit_id = enrollment.hud_exit_id or new_hud_id()
        enrollment.save(update_fields=["exit_date", "destination", "hud_exit_id", "updated_at"])
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=enrollment,
            organization_id=enrollment.project.organization_id,
            client_id=enrollment.client_id,
            changes={"exit_date": [None, str(exit_date)], "destination": [None, destination]},
            message=f"Exited from {enrollment.project.name}",
        )
    return enrollment


def correct_enrollment(
    *,
    enrollment: Enrollment,
    user,
    entry_date: date,
    relationship_to_hoh: int,
    assessment: EntryAssessment,
    exit_date: date | None = None,
    destination: int | None = None,
) -> Enrollment:
    """Edit an enrollment's entry (and exit, when it has one): the same rules as entering them.
    An exit is corrected here, never removed (an exit entered by mistake is voided in the admin).
    """
    if relationship_to_hoh not in codes.RelationshipToHoH.values:
        raise _invalid({"relationship_to_hoh": "Choose a relationship from HUD's list."})
    with transaction.atomic():
        enrollment = _locked(enrollment)
        if enrollment.exit_date is None and exit_date is not None:
            raise EnrollmentError(
                NOT_EXITED, "ERROR: This enrollment is open: use Exit to exit the client."
            )
        if enrollment.exit_date is not None:
            if exit_date is None:
                raise EnrollmentError(
                    INVALID_ANSWER,
                    "ERROR: Exit Date is required for an exited enrollment.",
                    fields={"exit_date": "Exit Date is required."},
                )
            _check_destination(destination)
            _refuse_future(exit_date, "Exit Date")
        _refuse_future(entry_date, "Entry Date")
        _refuse_exit_before_entry(entry_date, exit_date)
        _refuse_overlap(
            client=enrollment.client,
            project=enrollment.project,
            entry_date=entry_date,
            exit_date=exit_date,
            exclude=enrollment,
        )
        _refuse_services_outside(enrollment, entry_date, exit_date)
        if relationship_to_hoh != enrollment.relationship_to_hoh:
            _refuse_headless_household(enrollment, relationship_to_hoh)
        entry_data = hud_entry_data(assessment, entry_date=entry_date)
        new_hud_data = {
            **{k: v for k, v in enrollment.hud_data.items() if k not in ENTRY_KEYS},
            **entry_data,
        }
        old = {
            "entry_date": str(enrollment.entry_date),
            "relationship_to_hoh": enrollment.relationship_to_hoh,
            "exit_date": str(enrollment.exit_date) if enrollment.exit_date else None,
            "destination": enrollment.destination,
            **{k: enrollment.hud_data.get(k) for k in ENTRY_KEYS},
        }
        new = {
            "entry_date": str(entry_date),
            "relationship_to_hoh": relationship_to_hoh,
            "exit_date": str(exit_date) if exit_date else None,
            "destination": destination if exit_date else None,
            **{k: new_hud_data.get(k) for k in ENTRY_KEYS},
        }
        changes = {k: [old[k], new[k]] for k in old if old[k] != new[k]}
        if not changes:
            return enrollment
        enrollment.entry_date = entry_date
        enrollment.relationship_to_hoh = relationship_to_hoh
        enrollment.exit_date = exit_date
        enrollment.destination = destination if exit_date else None
        enrollment.hud_data = new_hud_data
        enrollment.save(
            update_fields=[
                "entry_date",
                "relationship_to_hoh",
                "exit_date",
                "destination",
                "hud_data",
                "updated_at",
            ]
        )
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=enrollment,
            organization_id=enrollment.project.organization_id,
            client_id=enrollment.client_id,
            changes=changes,
            message=f"Enrollment in {enrollment.project.name} corrected",
        )
    return enrollment


def _refuse_headless_household(enrollment: Enrollment, relationship_to_hoh: int) -> None:
    """HUD: exactly one head of household (Self) per household, after the change."""
    heads = (
        Enrollment.objects.live()
        .filter(
            household_id=enrollment.household_id,
            project_id=enrollment.project_id,
            relationship_to_hoh=codes.RelationshipToHoH.SELF,
        )
        .exclude(pk=enrollment.pk)
        .count()
    )
    if heads + (relationship_to_hoh == codes.RelationshipToHoH.SELF) != 1:
        raise EnrollmentError(
            HOUSEHOLD_INVALID,
            "ERROR: A household has exactly one head of household (Self): change the other "
            "member's relationship first.",
            fields={"relationship_to_hoh": "The household would have no head, or two."},
        )


def _check_destination(destination) -> None:
    if destination not in {value for value, _ in DESTINATIONS}:
        raise EnrollmentError(
            INVALID_ANSWER,
            "ERROR: Choose a Destination from HUD's list.",
            fields={"destination": "Choose a destination from HUD's list."},
        )


def _locked(enrollment: Enrollment) -> Enrollment:
    # Read-then-write: lock the row so a simultaneous exit or correction waits for this one.
    return (
        Enrollment.objects.select_for_update()
        .select_related("project", "client")
        .get(pk=enrollment.pk)
    )
