"""Project.csv: our projects, by HUD ProjectID, each under a known organization. A missing
OperatingStartDate is derived: the earliest EntryDate of the project's enrollments, else the
project's DateCreated."""

from datetime import date

from django.utils import timezone

from hmis.clients.models import Enrollment
from hmis.hudcsv.csvio import canonical_header, parse_date, read_rows
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.messages import (
    ERROR,
    MSG_DERIVED_START,
    MSG_DERIVED_START_CREATED,
    MSG_OPERATING_END_BEFORE_START,
    WARNING,
)
from hmis.hudcsv.importing.spec import FileSpec
from hmis.projects.models import Project

MODELLED = [
    "ProjectID",
    "OrganizationID",
    "ProjectName",
    "ProjectCommonName",
    "ProjectType",
    "OperatingStartDate",
    "OperatingEndDate",
    "ContinuumProject",
]
DERIVED_KEY = "_derived"  # in hud_data: the HUD values the import derived rather than read


def write(im, chunk, summary) -> None:
    im.check_references(
        chunk,
        "Project",
        summary,
        "OrganizationID",
        "Organization",
        im.organizations,
        store.load_organizations,
    )
    rows = chunk.kept()
    im.user_pks(chunk, rows, "Project")
    v = chunk.values
    ids, starts, ends = v("ProjectID"), v("OperatingStartDate"), v("OperatingEndDate")
    hud_data = store.extras(chunk, rows, MODELLED)
    start_of, end_of = [], []
    for n, i in enumerate(rows):
        start, end = starts[i], ends[i]
        if start is None:
            start = _derived_start(im, chunk, i)
            hud_data[n][DERIVED_KEY] = ["OperatingStartDate"]
        if end is not None and end < start:
            im.problem(
                WARNING,
                "Project.csv",
                chunk.lines[i],
                "OperatingEndDate",
                end.isoformat(),
                MSG_OPERATING_END_BEFORE_START,
            )
            end = None
        start_of.append(start)
        end_of.append(end)
    organizations, names = v("OrganizationID"), v("ProjectName")
    common, types, continuum = v("ProjectCommonName"), v("ProjectType"), v("ContinuumProject")
    store.upsert(
        im,
        Project,
        "hud_project_id",
        summary,
        {
            "hud_project_id": [ids[i] for i in rows],
            "organization_id": [im.organizations[organizations[i]] for i in rows],
            "name": [names[i] or ids[i] for i in rows],
            "common_name": [common[i] or "" for i in rows],
            "project_type": [types[i] for i in rows],
            "operating_start_date": start_of,
            "operating_end_date": end_of,
            "continuum_project": [continuum[i] == 1 for i in rows],
            "active": [True] * len(rows),
            "hud_data": hud_data,
            **im.timestamps(chunk, rows),
        },
        [
            "organization_id",
            "name",
            "common_name",
            "project_type",
            "operating_start_date",
            "operating_end_date",
            "continuum_project",
            "hud_data",
        ],
    )
    # A project updated in this run may have a new type: look them up again.
    for i in rows:
        im.projects.pop(ids[i], None)
    im.resolve(im.projects, {ids[i] for i in rows}, store.load_projects)


def _derived_start(im, chunk, i: int) -> date:
    project_id = chunk.values("ProjectID")[i]
    if im.earliest_entries is None:
        im.earliest_entries = _earliest_entries(im.source)
    entries = [
        im.earliest_entries.get(project_id),
        Enrollment.objects.filter(project__hud_project_id=project_id)
        .order_by("entry_date")
        .values_list("entry_date", flat=True)
        .first(),
    ]
    entries = [e for e in entries if e is not None]
    if entries:
        start, message = min(entries), MSG_DERIVED_START
    else:
        now = timezone.now()
        stamp = chunk.values("DateCreated")[i] or chunk.values("DateUpdated")[i] or now
        stamp = im.times.aware(stamp) if stamp != now else stamp
        start, message = timezone.localtime(stamp).date(), MSG_DERIVED_START_CREATED
    im.problem(
        WARNING,
        "Project.csv",
        chunk.lines[i],
        "OperatingStartDate",
        "",
        message.format(value=start.isoformat()),
        strict_severity=ERROR,
    )
    return start


def _earliest_entries(source) -> dict[str, date]:
    """ProjectID -> the earliest readable EntryDate in Enrollment.csv (read only when a project
    lacks its start date)."""
    earliest: dict[str, date] = {}
    with source.open_text("Enrollment.csv") as stream:
        header, rows = read_rows(stream)
        index: dict[str, int] = {}
        for position, raw in enumerate(header):
            name = canonical_header(raw, ["ProjectID", "EntryDate"])
            if name:
                index.setdefault(name, position)
        if len(index) < 2:
            return earliest
        project_at, entry_at = index["ProjectID"], index["EntryDate"]
        for _line, values in rows:
            if len(values) <= max(project_at, entry_at):
                continue
            try:
                entry = parse_date(values[entry_at].strip())
            except ValueError:
                continue
            project_id = values[project_at].strip()
            if project_id not in earliest or entry < earliest[project_id]:
                earliest[project_id] = entry
    return earliest


SPEC = FileSpec(
    "Project",
    frozenset({"ProjectID", "OrganizationID", "DateDeleted"}),
    write,
    derived=frozenset({"OperatingStartDate"}),
)
