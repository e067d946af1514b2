"""Enrollment.csv: enrollments of known clients in known projects, by HUD EnrollmentID. A missing
HouseholdID is derived: a household of the enrollment alone, marked in hud_data."""

import hashlib

from hmis.clients.models import Enrollment
from hmis.hudcsv.columns import ENROLLMENT_IDENTITY_COLUMNS
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.files.project import DERIVED_KEY
from hmis.hudcsv.importing.messages import (
    ERROR,
    MSG_DERIVED_HOUSEHOLD,
    MSG_NO_HEAD,
    MSG_SEVERAL_HEADS,
    WARNING,
)
from hmis.hudcsv.importing.spec import FileSpec

MODELLED = list(ENROLLMENT_IDENTITY_COLUMNS)


def write(im, chunk, summary) -> None:
    im.check_references(
        chunk, "Enrollment", summary, "PersonalID", "Client", im.clients, store.load_clients
    )
    im.check_references(
        chunk, "Enrollment", summary, "ProjectID", "Project", im.projects, store.load_projects
    )
    rows = chunk.kept()
    users = im.user_pks(chunk, rows, "Enrollment")
    v = chunk.values
    ids, households = v("EnrollmentID"), v("HouseholdID")
    relationships, deleted = v("RelationshipToHoH"), v("DateDeleted")
    hud_data = store.extras(chunk, rows, MODELLED)
    household_of = []
    for n, i in enumerate(rows):
        household = households[i]
        if household is None:
            household = derived_household_id(ids[i])
            hud_data[n][DERIVED_KEY] = ["HouseholdID"]
            im.problem(
                WARNING,
                "Enrollment.csv",
                chunk.lines[i],
                "HouseholdID",
                "",
                MSG_DERIVED_HOUSEHOLD.format(value=household),
                strict_severity=ERROR,
            )
        if not deleted[i]:
            im.household_of[ids[i]] = (household, relationships[i] == 1, chunk.lines[i])
        household_of.append(household)
    clients, projects, entries = v("PersonalID"), v("ProjectID"), v("EntryDate")
    count = len(rows)
    store.upsert(
        im,
        Enrollment,
        "hud_enrollment_id",
        summary,
        {
            "hud_enrollment_id": [ids[i] for i in rows],
            "client_id": [im.clients[clients[i]] for i in rows],
            "project_id": [im.projects[projects[i]][0] for i in rows],
            "entry_date": [entries[i] for i in rows],
            "household_id": household_of,
            "relationship_to_hoh": [
                99 if relationships[i] is None else relationships[i] for i in rows
            ],
            "hud_data": hud_data,
            "created_by_id": users,
            **im.timestamps(chunk, rows),
            # Exit fields of a new enrollment (Exit.csv fills them).
            "exit_date": [None] * count,
            "destination": [None] * count,
            "hud_exit_id": [None] * count,
            "exit_hud_data": [{}] * count,
        },
        [
            "client_id",
            "project_id",
            "entry_date",
            "household_id",
            "relationship_to_hoh",
            "hud_data",
        ],
    )
    for i in rows:
        im.enrollments.pop(ids[i], None)
    im.resolve(im.enrollments, {ids[i] for i in rows}, store.load_enrollments)


def derived_household_id(enrollment_id: str) -> str:
    """The HouseholdID of an enrollment whose household is missing: a household of its own. The
    prefix keeps it apart from the source's IDs; a long EnrollmentID is shortened by a hash to
    stay within HUD's 32 characters."""
    if len(enrollment_id) <= 24:
        return f"derived-{enrollment_id}"
    return f"derived-{hashlib.sha1(enrollment_id.encode()).hexdigest()[:24]}"  # noqa: S324


def check_households(im) -> None:
    """HUD expects exactly one head of household (RelationshipToHoH 1) in each household."""
    households: dict[str, list[int]] = {}  # HouseholdID -> [heads, first line]
    for household_id, head, line in im.household_of.values():
        household = households.setdefault(household_id, [0, line])
        household[0] += head
    for household_id, (heads, line) in households.items():
        if heads != 1:
            im.problem(
                WARNING,
                "Enrollment.csv",
                line,
                "HouseholdID",
                household_id,
                MSG_NO_HEAD if heads == 0 else MSG_SEVERAL_HEADS.format(count=heads),
            )
    im.household_of = {}


SPEC = FileSpec(
    "Enrollment",
    frozenset({"EnrollmentID", "PersonalID", "ProjectID", "EntryDate", "DateDeleted"}),
    write,
    derived=frozenset({"HouseholdID"}),
    after=check_households,
)
