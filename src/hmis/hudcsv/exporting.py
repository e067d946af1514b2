"""Exporting HUD HMIS CSV (FY2026) and our own services CSV, streamed from the database.

`export_hud_csv` writes one zip in one pass: Export.csv (one row; its ExportID on every row of every
file), Organization, Project, Funder, ProjectCoC, Inventory, Client, Enrollment, Exit, Services and
User. Rows are read with `.iterator()` and written as they come, so memory stays flat whatever the
size; only the sets of IDs the completeness rules need are held.

Completeness: Client.csv has exactly the clients of Enrollment.csv, Project.csv every project of
Enrollment.csv, Organization.csv every organization of Project.csv, User.csv every UserID written
anywhere. Services.csv holds only services whose code maps to a valid HUD RecordType/TypeProvided
that fits the enrollment's project (bed nights only for night-by-night shelters).

Selection (Export.csv ExportPeriodType): *reporting period* (3) takes live enrollments active in the
range (entry on or before the end, exit empty or on or after the start) and their services provided
in the range; *updated* (1) takes every record created, updated or deleted in the range, deleted
ones with DateDeleted, plus the enrollments (and clients) those records need.
"""

import csv
import io
import json
import queue
import threading
import uuid
import zipfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from types import MappingProxyType, SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

import hmis
from hmis.accounts.models import User
from hmis.clients.models import Client, Enrollment
from hmis.clients.ssn import get_ssn
from hmis.hudcsv import codes
from hmis.hudcsv.collector import cycle_collector_paused
from hmis.hudcsv.columns import (
    CLIENT_IDENTITY_COLUMNS,
    CSV_VERSION,
    ENROLLMENT_IDENTITY_COLUMNS,
    FILES,
    FY2026,
    Column,
)
from hmis.hudcsv.csvio import EMPTY, Bare, Writer, format_date, format_value, parse_date
from hmis.hudcsv.models import ProjectRecord, ProjectRecordKind
from hmis.hudcsv.stamps import converter
from hmis.projects.models import Organization, Project
from hmis.services.models import Service, ServiceCode

SOFTWARE_NAME = "HMIS Batch Services"
ITERATOR_CHUNK = 5000
ROWS_OF_EXTRA_KEPT = 4096
RACE_COLUMNS = (
    "AmIndAKNative",
    "Asian",
    "BlackAfAmerican",
    "HispanicLatinao",
    "MidEastNAfrican",
    "NativeHIPacific",
    "White",
)
EXPORT_FILE_ORDER = [
    "Export",
    "Organization",
    "Project",
    "Funder",
    "ProjectCoC",
    "Inventory",
    "Client",
    "Enrollment",
    "Exit",
    "Services",
    "User",  # last: it lists every UserID written in the other files
]


@dataclass
class ExportResult:
    export_id: str
    period_type: int
    start: date
    end: date
    rows: dict[str, int] = field(default_factory=dict)


def _columns(file: str) -> tuple[Column, ...]:
    return FILES[file][FY2026]


@lru_cache(maxsize=65536)
def _datetime(value: datetime | None):
    if value is None:
        return EMPTY
    return format_value(_T, value)


_T = Column("T", "T", None, True, None)


def _clean(column: Column, value: Any):
    """A stored value as it may be written: never a value outside the column's list; a required
    list column with no answer written as 99 where the list has it (0 for yes/no lists)."""
    if value is None or value == "":
        value = None
    elif column.type == "I":
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is not None and value < 0:
            value = None
        allowed = codes.LISTS.get(column.list_id) if column.list_id else None
        if value is not None and allowed is not None and value not in allowed:
            value = None
    elif column.type == "D" and not isinstance(value, date):
        try:
            value = parse_date(str(value))
        except ValueError:
            value = None
    if value is None:
        if not column.nullable and column.list_id:
            allowed = codes.LISTS.get(column.list_id, frozenset())
            if codes.NOT_COLLECTED in allowed:
                return codes.NOT_COLLECTED
            if column.list_id == "1.10":
                return 0
        return EMPTY
    return format_value(column, value)


def _cleaner(column: Column):
    """`_clean` for one column, specialised once: called for every value written."""
    empty = _clean(column, None)
    if column.type == "I":
        allowed = codes.LISTS.get(column.list_id) if column.list_id else None

        def clean_int(value):
            if type(value) is not int:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    return empty
            if value < 0 or (allowed is not None and value not in allowed):
                return empty
            return value

        return clean_int
    if column.type == "S":
        length = column.length

        def clean_text(value):
            text = (value if type(value) is str else str(value)).translate(_FORBIDDEN)
            return text[:length] if length else text

        return clean_text
    if column.type == "D":

        def clean_date(value):
            if type(value) is date:
                return Bare(value.isoformat())
            return _date(value) or empty

        return clean_date
    return lambda value: _clean(column, value)


_FORBIDDEN = str.maketrans("", "", "<>[]{}")


class _FileWriter:
    """One file of the zip: the FY2026 header, then rows built from known values and hud_data."""

    def __init__(self, archive: zipfile.ZipFile, file: str, export_id: str):
        self.file = file
        self.columns = _columns(file)
        self.export_id = export_id
        self._raw = archive.open(f"{file}.csv", "w", force_zip64=True)
        self._sink = _BackgroundWriter(self._raw)
        self._buffer = io.BufferedWriter(self._sink, buffer_size=4 << 20)
        self._text = io.TextIOWrapper(self._buffer, encoding="utf-8", newline="")
        self.writer = Writer(self._text, [c.name for c in self.columns])
        self.plan = [
            (c.name, export_id if c.name == "ExportID" else _clean(c, None), _cleaner(c))
            for c in self.columns
        ]
        # Most columns are empty: the row starts as every column's written empty form
        # (computed once), and only the values given are cleaned into it.
        self.empty_row = [empty for _, empty, _ in self.plan]
        self.slots = {name: (i, clean, empty) for i, (name, empty, clean) in enumerate(self.plan)}
        # Rows of shared (read-only) hud_data with only its values filled in, by the mapping's
        # identity; each entry holds the mapping, so the identity is not reused while kept.
        self._rows_of_extra: dict[int, tuple[Mapping, list]] = {}

    def write(self, known: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """One row: each column's value from `known` (even when empty), else from `extra`
        (hud_data)."""
        self.write_row(self.positions(tuple(known)), tuple(known.values()), extra)

    def positions(self, names: Sequence[str]) -> list[tuple[int, Callable, Any] | None]:
        """Where write_row() puts values given in this order (None: a column not in the file)."""
        return [self.slots.get(name) for name in names]

    def write_row(self, plan, known: Sequence, extra: Mapping[str, Any] | None = None) -> None:
        """write() for values given in the order of positions(), for the big files."""
        values = self._row_of_extra(extra) if extra else self.empty_row.copy()
        for slot, value in zip(plan, known, strict=True):
            if slot is not None:
                index, clean, empty = slot
                if value is None or value == "":
                    values[index] = empty
                else:
                    # A Bare value is already in its HUD form (dates read by _fast_rows).
                    values[index] = value if type(value) is Bare else clean(value)
        self.writer.writerow(values)

    def _row_of_extra(self, extra: Mapping[str, Any]) -> list:
        shared = type(extra) is MappingProxyType
        if shared:
            kept = self._rows_of_extra.get(id(extra))
            if kept is not None and kept[0] is extra:
                return kept[1].copy()
        values = self.empty_row.copy()
        slots = self.slots
        for name, value in extra.items():
            slot = slots.get(name)
            if slot is not None and value is not None and value != "":
                values[slot[0]] = value if type(value) is Bare else slot[1](value)
        if shared:
            if len(self._rows_of_extra) >= ROWS_OF_EXTRA_KEPT:
                self._rows_of_extra.clear()
            self._rows_of_extra[id(extra)] = (extra, values.copy())
        return values

    def close(self) -> int:
        try:
            self._text.detach()  # flushes the text and its buffer into the sink
            self._buffer.detach()
        except BaseException:
            self.abandon()
            raise
        try:
            self._sink.close()
        finally:
            self._raw.close()
        return self.writer.rows

    def abandon(self) -> None:
        """After a failure: stop the background writer and end the (useless) zip entry, keeping
        the failure that got us here rather than any the cleanup meets."""
        for step in (self._text.detach, self._buffer.detach):
            with suppress(Exception):
                step()
        self._sink.close(discard=True)
        with suppress(Exception):
            self._raw.close()


class _BackgroundWriter(io.RawIOBase):
    """Hands what is written to `target` on a helper thread: compressing and checksumming a few
    megabytes for the zip (zlib lets go of the GIL for both) overlaps with making the next rows.
    At most QUEUED_CHUNKS chunks wait, so memory stays flat; a failure of the target is raised
    in the writing thread at its next write, or at close."""

    QUEUED_CHUNKS = 4

    def __init__(self, target: IO[bytes]):
        super().__init__()
        self._target = target
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self.QUEUED_CHUNKS)
        self._error: BaseException | None = None
        self._discard = False
        self._thread = threading.Thread(target=self._run, name="hud-export-writer", daemon=True)
        self._thread.start()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.closed:
            raise ValueError("write to a closed background writer")
        if self._error is not None:
            raise self._error
        self._queue.put(bytes(data))  # a copy: the caller reuses its buffer
        return len(data)

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None and not self._discard:
                try:
                    self._target.write(chunk)
                except BaseException as error:  # noqa: BLE001 - re-raised in the writing thread
                    self._error = error

    def close(self, discard: bool = False) -> None:
        if self.closed:
            return
        self._discard = discard
        self._queue.put(None)
        self._thread.join()
        super().close()
        if self._error is not None and not discard:
            raise self._error


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    return since, until


def _changed(since: datetime, until: datetime, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}created_at__gte": since, f"{prefix}created_at__lt": until})
        | Q(**{f"{prefix}updated_at__gte": since, f"{prefix}updated_at__lt": until})
        | Q(**{f"{prefix}deleted_at__gte": since, f"{prefix}deleted_at__lt": until})
    )


def projects_in_scope(*, organization: Organization | None = None, projects=None):
    """Projects an export may cover: the chosen ones, limited to one organization if given."""
    scope = Project.objects.all()
    if organization is not None:
        scope = scope.filter(organization=organization)
    if projects:
        scope = scope.filter(pk__in=[p.pk if hasattr(p, "pk") else p for p in projects])
    return scope


def select_enrollments(*, start: date, end: date, period_type: int, projects):
    """The enrollments an export holds (a queryset: the database does the work)."""
    base = Enrollment.objects.filter(project__in=projects)
    if period_type == codes.ExportPeriodType.UPDATED:
        since, until = _day_range(start, end)
        changed_service = Service.objects.filter(_changed(since, until), enrollment=OuterRef("pk"))
        return base.filter(
            _changed(since, until)
            | _changed(since, until, "client__")
            | Exists(changed_service)
            | Q(exit_date__gte=start, exit_date__lte=end)
        )
    return base.filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=start),
        deleted_at__isnull=True,
        client__deleted_at__isnull=True,
        entry_date__lte=end,
    )


def export_hud_csv(
    *,
    output: IO[bytes],
    start: date,
    end: date,
    period_type: int = codes.ExportPeriodType.REPORTING_PERIOD,
    projects=None,
    organization: Organization | None = None,
    user: User | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportResult:
    """Write a HUD CSV export zip to `output`. `organization` limits it to that agency's projects
    (agency administrators); `projects` to the chosen ones. `progress(files done, files, name)`
    is called as each file is written."""
    if period_type not in (codes.ExportPeriodType.UPDATED, codes.ExportPeriodType.REPORTING_PERIOD):
        raise ValueError("period_type must be 1 (updated) or 3 (reporting period)")
    export_id = uuid.uuid4().hex
    exporter = _Exporter(
        export_id=export_id,
        start=start,
        end=end,
        period_type=int(period_type),
        projects=projects_in_scope(organization=organization, projects=projects),
        explicit_projects=bool(projects),
        user=user,
        organization=organization,
    )
    result = ExportResult(export_id=export_id, period_type=int(period_type), start=start, end=end)
    # Compression level 1: several times faster than the default, files barely larger.
    with (
        cycle_collector_paused(),
        zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for done, file in enumerate(EXPORT_FILE_ORDER):
            if progress:
                progress(done, len(EXPORT_FILE_ORDER), f"{file}.csv")
            writer = _FileWriter(archive, file, export_id)
            try:
                getattr(exporter, f"_{file.lower()}")(writer)
            except BaseException:
                writer.abandon()
                raise
            result.rows[f"{file}.csv"] = writer.close()
    if progress:
        progress(len(EXPORT_FILE_ORDER), len(EXPORT_FILE_ORDER), "")
    _audit(result, user=user, organization=organization, projects=projects)
    return result


def _audit(result: ExportResult, *, user, organization, projects) -> None:
    from hmis.audit.models import AuditAction
    from hmis.audit.recording import record

    record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="hudcsv.Export",
        object_id=result.export_id,
        organization_id=organization.pk if organization else None,
        changes={
            "start": result.start.isoformat(),
            "end": result.end.isoformat(),
            "period_type": result.period_type,
            "projects": [getattr(p, "pk", p) for p in projects] if projects else "all",
            "rows": result.rows,
        },
        message=f"HUD CSV export {result.export_id}",
    )


class _Exporter:
    def __init__(
        self,
        *,
        export_id,
        start,
        end,
        period_type,
        projects,
        explicit_projects,
        user,
        organization,
    ):
        self.export_id = export_id
        self.start = start
        self.end = end
        self.period_type = period_type
        self.updated = period_type == codes.ExportPeriodType.UPDATED
        self.since, self.until = _day_range(start, end)
        self.scope = projects
        self.explicit_projects = explicit_projects
        self.user = user
        self.organization = organization
        self.enrollments = select_enrollments(
            start=start, end=end, period_type=period_type, projects=projects
        )
        self.users_by_pk = dict(User.objects.values_list("pk", "hud_user_id"))
        self.user_ids: set[str] = set()
        self.default_user = self._user_hud_id(getattr(user, "pk", None)) if user else ""

    def _user_hud_id(self, pk: int | None) -> str:
        if pk is None or pk not in self.users_by_pk:
            return ""
        return self.users_by_pk[pk] or str(pk)

    def _who(self, hud_data: dict | None, created_by: int | None = None) -> str:
        """The UserID of a row: the source's, else who created it, else the exporting user."""
        user_id = (hud_data or {}).get("UserID") or self._user_hud_id(created_by)
        user_id = user_id or self.default_user or self._fallback_user()
        if user_id:
            self.user_ids.add(user_id)
        return user_id

    def _fallback_user(self) -> str:
        if not hasattr(self, "_fallback"):
            first = next(iter(sorted(self.users_by_pk)), None)
            self._fallback = self._user_hud_id(first)
        return self._fallback

    def _project_ids(self):
        """Every project of Enrollment.csv, plus the projects explicitly chosen."""
        return Project.objects.filter(pk__in=self._project_pks)

    @cached_property
    def _project_pks(self) -> list[int]:
        # Worked out once: five files need them, and each time it is a pass over the enrollments.
        used = Q(pk__in=self.enrollments.values("project_id"))
        if self.explicit_projects:
            chosen = self.scope if self.updated else self.scope.filter(deleted_at__isnull=True)
            used |= Q(pk__in=chosen.values("pk"))
        return list(Project.objects.filter(used).values_list("pk", flat=True))

    # --- files ---

    def _export(self, w: _FileWriter) -> None:
        name = self.organization.name if self.organization else ""
        name = name or getattr(settings, "HMIS_AGENCY_NAME", "") or SOFTWARE_NAME
        w.write(
            {
                "SourceType": codes.SourceType.STANDALONE,
                "SourceName": name[:50],
                "SourceContactFirst": getattr(self.user, "first_name", ""),
                "SourceContactLast": getattr(self.user, "last_name", ""),
                "SourceContactEmail": getattr(self.user, "email", ""),
                "ExportDate": timezone.now(),
                "ExportStartDate": self.start,
                "ExportEndDate": self.end,
                "SoftwareName": SOFTWARE_NAME,
                "SoftwareVersion": getattr(hmis, "__version__", "") or "0.1.0",
                "CSVVersion": CSV_VERSION,
                "ExportPeriodType": self.period_type,
                "ExportDirective": codes.ExportDirective.DELTA_REFRESH
                if self.updated
                else codes.ExportDirective.FULL_REFRESH,
                "HashStatus": codes.HashStatus.UNHASHED,
                "ImplementationID": getattr(settings, "HMIS_IMPLEMENTATION_ID", "")
                or SOFTWARE_NAME,
            }
        )

    def _organization(self, w: _FileWriter) -> None:
        organizations = Organization.objects.filter(
            pk__in=self._project_ids().values("organization_id")
        ).order_by("pk")
        for o in organizations.iterator(chunk_size=ITERATOR_CHUNK):
            w.write(
                {
                    "OrganizationID": o.hud_id,
                    "OrganizationName": o.name,
                    "VictimServiceProvider": int(o.victim_service_provider),
                    "OrganizationCommonName": o.common_name,
                    "DateCreated": o.created_at,
                    "DateUpdated": o.updated_at,
                    "UserID": self._who(o.hud_data),
                    "DateDeleted": o.deleted_at,
                },
                o.hud_data,
            )

    def _project(self, w: _FileWriter) -> None:
        projects = self._project_ids().select_related("organization").order_by("pk")
        for p in projects.iterator(chunk_size=ITERATOR_CHUNK):
            w.write(
                {
                    "ProjectID": p.hud_id,
                    "OrganizationID": p.organization.hud_id,
                    "ProjectName": p.name,
                    "ProjectCommonName": p.common_name,
                    "OperatingStartDate": p.operating_start_date,
                    "OperatingEndDate": p.operating_end_date,
                    "ContinuumProject": int(p.continuum_project),
                    "ProjectType": p.project_type,
                    "DateCreated": p.created_at,
                    "DateUpdated": p.updated_at,
                    "UserID": self._who(p.hud_data),
                    "DateDeleted": p.deleted_at,
                },
                p.hud_data,
            )

    def _project_records(self, w: _FileWriter, kind: str) -> None:
        records = ProjectRecord.objects.filter(
            kind=kind, project__in=self._project_ids().values("pk")
        )
        if not self.updated:
            records = records.filter(deleted_at__isnull=True)
        key = {"Funder": "FunderID", "ProjectCoC": "ProjectCoCID", "Inventory": "InventoryID"}[kind]
        rows = records.order_by("pk").values_list(
            "hud_id",
            "project__hud_project_id",
            "project_id",
            "data",
            "user_hud_id",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        for (
            hud_id,
            project_hud,
            project_pk,
            data,
            user_id,
            created,
            updated,
            deleted,
        ) in rows.iterator(chunk_size=ITERATOR_CHUNK):
            w.write(
                {
                    key: hud_id,
                    "ProjectID": project_hud or str(project_pk),
                    "DateCreated": created,
                    "DateUpdated": updated,
                    "UserID": self._who({"UserID": user_id}),
                    "DateDeleted": deleted,
                },
                data,
            )

    def _funder(self, w: _FileWriter) -> None:
        self._project_records(w, ProjectRecordKind.FUNDER)

    def _projectcoc(self, w: _FileWriter) -> None:
        self._project_records(w, ProjectRecordKind.PROJECT_COC)

    def _inventory(self, w: _FileWriter) -> None:
        self._project_records(w, ProjectRecordKind.INVENTORY)

    def _client(self, w: _FileWriter) -> None:
        clients = Client.objects.filter(pk__in=self.enrollments.values("client_id")).order_by("pk")
        fields = (
            "personal_id",
            "first_name",
            "middle_name",
            "last_name",
            "name_suffix",
            "name_data_quality",
            "ssn_encrypted",
            "ssn_data_quality",
            "dob",
            "dob_data_quality",
            "veteran_status",
            "hud_data",
            "created_by_id",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        plan = w.positions(
            (
                *CLIENT_IDENTITY_COLUMNS,
                *RACE_COLUMNS,
                "RaceNone",
                "VeteranStatus",
                "DateCreated",
                "DateUpdated",
                "UserID",
                "DateDeleted",
            )
        )
        for (
            personal_id,
            first_name,
            middle_name,
            last_name,
            name_suffix,
            name_data_quality,
            ssn_encrypted,
            ssn_data_quality,
            dob,
            dob_data_quality,
            veteran_status,
            data,
            created_by,
            created,
            updated,
            deleted,
        ) in _fast_rows(clients, fields):
            races = [data.get(name, 0) for name in RACE_COLUMNS]
            race_none = data.get("RaceNone")
            if 1 in races:
                race_none = None
            elif race_none is None:
                race_none = codes.NOT_COLLECTED
            w.write_row(
                plan,
                (
                    personal_id,
                    first_name,
                    middle_name,
                    last_name,
                    name_suffix,
                    name_data_quality,
                    get_ssn(SimpleNamespace(ssn_encrypted=ssn_encrypted))
                    if ssn_encrypted
                    else None,
                    ssn_data_quality,
                    dob,
                    dob_data_quality,
                    *races,
                    race_none,
                    veteran_status,
                    created,
                    updated,
                    self._who(data, created_by),
                    deleted,
                ),
                data,
            )

    def _enrollment(self, w: _FileWriter) -> None:
        fields = (
            "hud_enrollment_id",
            "client__personal_id",
            "project__hud_project_id",
            "project_id",
            "entry_date",
            "household_id",
            "relationship_to_hoh",
            "hud_data",
            "created_by_id",
            "created_at",
            "updated_at",
            "deleted_at",
        )
        plan = w.positions(
            (
                *ENROLLMENT_IDENTITY_COLUMNS,
                "DateCreated",
                "DateUpdated",
                "UserID",
                "DateDeleted",
            )
        )
        for (
            hud_id,
            personal_id,
            hud_project_id,
            project_id,
            entry_date,
            household_id,
            relationship,
            data,
            created_by,
            created,
            updated,
            deleted,
        ) in _fast_rows(self.enrollments.order_by("pk"), fields):
            w.write_row(
                plan,
                (
                    hud_id,
                    personal_id,
                    hud_project_id or str(project_id),
                    entry_date,
                    household_id,
                    relationship,
                    created,
                    updated,
                    self._who(data, created_by),
                    deleted,
                ),
                data,
            )

    def _exit(self, w: _FileWriter) -> None:
        exits = self.enrollments.filter(exit_date__isnull=False)
        if self.updated:
            exits = self.enrollments.filter(
                Q(exit_date__isnull=False) | Q(exit_hud_data__has_key="DateDeleted")
            )
        else:
            exits = exits.filter(exit_date__lte=self.end)
        fields = (
            "hud_enrollment_id",
            "hud_exit_id",
            "client__personal_id",
            "exit_date",
            "destination",
            "exit_hud_data",
            "created_by_id",
            "updated_at",
        )
        for e in exits.order_by("pk").values(*fields).iterator(chunk_size=ITERATOR_CHUNK):
            data = e["exit_hud_data"] or {}
            exit_date = e["exit_date"]
            if exit_date is None:  # an exit deleted in the source: show the deletion
                if not data.get("ExitDate"):
                    continue
                exit_date = data["ExitDate"]
            destination = e["destination"]
            if destination in codes.NOT_DESTINATION:
                destination = None
            w.write(
                {
                    "ExitID": e["hud_exit_id"] or e["hud_enrollment_id"],
                    "EnrollmentID": e["hud_enrollment_id"],
                    "PersonalID": e["client__personal_id"],
                    "ExitDate": exit_date,
                    "Destination": destination
                    if destination is not None
                    else data.get("Destination"),
                    "DateCreated": data.get("DateCreated") or e["updated_at"],
                    "DateUpdated": data.get("DateUpdated") or e["updated_at"],
                    "UserID": self._who(data, e["created_by_id"]),
                    "DateDeleted": data.get("DateDeleted"),
                },
                data,
            )

    def _services(self, w: _FileWriter) -> None:
        """The hot path (a site has millions of services): the service rows are read raw from a
        chunked cursor without joins; what they refer to comes from small maps built first."""
        codes_by_pk = {
            pk: (record_type, type_provided)
            for pk, record_type, type_provided in ServiceCode.objects.filter(
                hud_record_type__isnull=False
            ).values_list("pk", "hud_record_type", "hud_type_provided")
            if codes.type_provided_valid(record_type, type_provided)
        }
        enrollments = {
            pk: (hud_id, personal_id, project_type)
            for pk, hud_id, personal_id, project_type in self.enrollments.values_list(
                "pk", "hud_enrollment_id", "client__personal_id", "project__project_type"
            ).iterator(chunk_size=ITERATOR_CHUNK)
        }
        if (
            connection.vendor == "sqlite"
            and not self.updated
            and len(enrollments) * 2 >= Enrollment.objects.count()
        ):
            # Most of the site's enrollments: read the table in primary-key order. Left to
            # itself SQLite walks an index on service_code_id (not selective) and then sorts
            # every row for ORDER BY id in a temporary B-tree. `+ 0` keeps it off the indexes.
            # Which enrollments is checked below against `enrollments`, cheaper than in SQL.
            services = Service.objects.annotate(scan_code=F("service_code_id") + 0).filter(
                scan_code__in=list(codes_by_pk)
            )
        else:
            services = Service.objects.filter(
                enrollment__in=self.enrollments.values("pk"),
                service_code_id__in=list(codes_by_pk),
            )
        if self.updated:
            services = services.filter(_changed(self.since, self.until))
        else:
            services = services.filter(
                deleted_at__isnull=True, date_provided__gte=self.start, date_provided__lte=self.end
            )
        stamps = ["date_provided", "created_at", "updated_at", "deleted_at"]
        if connection.vendor == "sqlite":
            # As text, SQLite's stored UTC form skips the driver's per-value Python converter.
            services = services.annotate(
                **{f"{name}_text": Cast(name, CharField()) for name in stamps}
            )
            stamps = [f"{name}_text" for name in stamps]
        # A service made before HUD IDs were given at creation is written under its own pk.
        services = services.annotate(hud_id=Coalesce("hud_services_id", Cast("pk", CharField())))
        query = services.order_by("pk").values_list(
            "hud_id",
            "enrollment_id",
            "service_code_id",
            "fa_amount",
            "hud_data",
            "created_by_id",
            *stamps,
        )
        columns = {c.name: c for c in _columns("Services")}
        sub_type_col, other_col = columns["SubTypeProvided"], columns["OtherTypeProvided"]
        moving_col, referral_col = columns["MovingOnOtherType"], columns["ReferralOutcome"]
        export_id = self.export_id
        # The csv writer itself (not Writer.writerow): one Python call less per row.
        writerow = w.writer.csv_writer.writerow
        written = 0
        user_ids = self.user_ids
        default_who: dict[int | None, str] = {}
        written_dates: dict[Any, Bare] = {}  # each day's written form is made once
        # Nearly every row has its own DateCreated and DateUpdated: on SQLite the usual case of
        # StampConverter.utc_to_local is inlined below.
        written_stamp = _stamp_writer()
        local_prefixes = (
            converter(timezone.get_default_timezone()).local_prefixes
            if connection.vendor == "sqlite"
            else {}
        )
        for rows in _raw_chunks(query):
            for (
                hud_id,
                enrollment_pk,
                code_pk,
                fa_amount,
                data,
                created_by,
                provided,
                created,
                updated,
                deleted,
            ) in rows:
                enrollment = enrollments.get(enrollment_pk)
                if enrollment is None:  # not an enrollment of the export
                    continue
                enrollment_id, personal_id, project_type = enrollment
                record_type, type_provided = codes_by_pk[code_pk]
                # Bed nights only for night-by-night shelters (codes.record_type_fits_project).
                if project_type is None or (record_type == 200 and project_type != 1):
                    continue
                written += 1
                data = _NO_DATA if not data or data == "{}" else _json(data)
                # The values are SQLite's text or the driver's date and datetime objects.
                written_provided = written_dates.get(provided)
                if written_provided is None:
                    written_provided = written_dates[provided] = _db_date(provided)
                # (Empty, as on PostgreSQL, local_prefixes never slices a datetime.)
                prefix = local_prefixes and local_prefixes.get(created[:13])
                written_created = (
                    Bare(prefix + created[13:19]) if prefix else written_stamp(created)
                )
                prefix = local_prefixes and local_prefixes.get(updated[:13])
                written_updated = (
                    Bare(prefix + updated[13:19]) if prefix else written_stamp(updated)
                )
                who = data.get("UserID") if data else None
                if who:
                    user_ids.add(who)
                else:
                    who = default_who.get(created_by)
                    if who is None:
                        who = default_who[created_by] = self._who({}, created_by)
                if record_type == 200:  # a bed night: no dependent fields
                    writerow(
                        [
                            hud_id,
                            enrollment_id,
                            personal_id,
                            written_provided,
                            200,
                            type_provided,
                            EMPTY,
                            EMPTY,
                            EMPTY,
                            EMPTY,
                            EMPTY,
                            EMPTY,
                            EMPTY,
                            written_created,
                            written_updated,
                            who,
                            EMPTY if deleted is None else _db_datetime(deleted),
                            export_id,
                        ]
                    )
                    continue
                # Dependent fields stay empty unless their parent holds the triggering value.
                sub_type = other = moving = referral = EMPTY
                fa = fa_start = fa_end = EMPTY
                if record_type == codes.RecordType.SSVF_SERVICE:
                    allowed = codes.SSVF_SUB_TYPES.get(type_provided)
                    if allowed and data.get("SubTypeProvided") in allowed:
                        sub_type = format_value(sub_type_col, data["SubTypeProvided"])
                    if type_provided == 6:
                        other = format_value(other_col, data.get("OtherTypeProvided"))
                elif record_type == codes.RecordType.HUD_VASH_OTH_VOUCHER and type_provided == 12:
                    other = format_value(other_col, data.get("OtherTypeProvided"))
                elif record_type == codes.RecordType.MOVING_ON_ASSISTANCE and type_provided == 5:
                    moving = format_value(moving_col, data.get("MovingOnOtherType"))
                elif record_type in codes.FINANCIAL_ASSISTANCE_RECORD_TYPES:
                    fa = _money(fa_amount)
                    if record_type == codes.RecordType.SSVF_FINANCIAL_ASSISTANCE:
                        fa_start = _date(data.get("FAStartDate"))
                        fa_end = _date(data.get("FAEndDate"))
                elif record_type == codes.RecordType.PATH_REFERRAL:
                    referral = _clean(referral_col, data.get("ReferralOutcome"))
                writerow(
                    [
                        hud_id,
                        enrollment_id,
                        personal_id,
                        written_provided,
                        record_type,
                        type_provided,
                        other,
                        moving,
                        sub_type,
                        fa,
                        fa_start,
                        fa_end,
                        referral,
                        written_created,
                        written_updated,
                        who,
                        EMPTY if deleted is None else _db_datetime(deleted),
                        export_id,
                    ]
                )
        w.writer.rows += written

    def _user(self, w: _FileWriter) -> None:
        wanted = self.user_ids
        by_hud = {hud: pk for pk, hud in self.users_by_pk.items() if hud}
        pks = {by_hud[i] for i in wanted if i in by_hud}
        pks |= {
            int(i) for i in wanted if i.isdigit() and int(i) in self.users_by_pk and i not in by_hud
        }
        users = User.objects.filter(pk__in=pks).order_by("pk")
        for u in users.iterator(chunk_size=ITERATOR_CHUNK):
            w.write(
                {
                    "UserID": u.hud_id,
                    "UserFirstName": u.first_name,
                    "UserLastName": u.last_name,
                    "UserPhone": u.phone if len(u.phone) == 10 and u.phone.isdigit() else None,
                    "UserExtension": u.phone_extension,
                    "UserEmail": u.email,
                    "DateCreated": u.date_joined,
                    "DateUpdated": u.updated_at,
                    "DateDeleted": None,
                }
            )


def _fast_rows(queryset, fields):
    """Like `queryset.values_list(*fields).iterator()`, but dates and times come back already in
    their HUD form (Bare text) and JSON as (read-only) mappings, without Django's per-value
    converters."""
    meta = queryset.model._meta
    sqlite = connection.vendor == "sqlite"
    select, annotations, converters = [], {}, []
    for name in fields:
        kind = "" if "__" in name else meta.get_field(name).get_internal_type()
        if sqlite and kind in ("DateTimeField", "DateField"):
            alias = f"hud_text_{name}"
            annotations[alias] = Cast(name, CharField())
            select.append(alias)
        else:
            select.append(name)
        converters.append(
            {"DateTimeField": _stamp_writer(), "DateField": _db_date, "JSONField": _json}.get(kind)
        )
    if annotations:
        queryset = queryset.annotate(**annotations)
    converted = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    for row in _raw_rows(queryset.values_list(*select)):
        values = list(row)
        for i, convert in converted:
            values[i] = convert(values[i])
        yield values


def _raw_chunks(queryset):
    """_raw_rows() a fetched chunk (a list of rows) at a time."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. an empty __in list: nothing to read
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(ITERATOR_CHUNK):
            yield rows


def _raw_rows(queryset):
    """The queryset's rows as the database driver returns them, from a chunked (server-side on
    PostgreSQL) cursor: no per-value conversion by Django, memory flat whatever the size."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. an empty __in list: nothing to read
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(ITERATOR_CHUNK):
            yield from rows


_NO_DATA: Mapping[str, Any] = MappingProxyType({})


def _json(value) -> Mapping[str, Any]:
    if not value:
        return _NO_DATA
    if isinstance(value, str):  # SQLite returns the stored text
        return _NO_DATA if value == "{}" else _decoded(value)
    return value


@lru_cache(maxsize=4096)
def _decoded(text: str) -> Mapping[str, Any]:
    """Stored JSON as a read-only mapping: many records hold the same hud_data, so each distinct
    text is decoded once, and the shared result cannot be changed by one row's writer."""
    return MappingProxyType(json.loads(text))


def _db_date(value):
    """A date column as the driver returns it (a date, or ISO text on SQLite), HUD-formatted."""
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return Bare(value[:10])
    return format_date(value)


def _stamp_writer() -> Callable[[Any], Any]:
    """_db_datetime for one run of many values: on SQLite, straight to the time zone's
    converter (real records have a different time on nearly every row)."""
    if connection.vendor != "sqlite":
        return _db_datetime
    to_local = converter(timezone.get_default_timezone()).utc_to_local
    return lambda value: EMPTY if value is None else Bare(to_local(value))


def _db_datetime(value):
    """A datetime column as the driver returns it (aware, or UTC text on SQLite), in local time."""
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return Bare(converter(timezone.get_default_timezone()).utc_to_local(value))
    if value.tzinfo is None:  # SQLite's converter gives naive UTC
        value = value.replace(tzinfo=UTC)
    return _datetime(value)


def _money(value):
    if value is None or value == "":
        return EMPTY
    if isinstance(value, float):
        value = repr(value)
    return Bare(str(Decimal(value).quantize(Decimal("0.01"))))


def _date(value) -> Any:
    if not value:
        return EMPTY
    try:
        return format_date(value if isinstance(value, date) else parse_date(str(value)))
    except ValueError:
        return EMPTY


# --- our own services CSV ---

SERVICES_CSV_COLUMNS = [
    "ServiceID",
    "ClientID",
    "PersonalID",
    "EnrollmentID",
    "ProgramID",
    "ProgramName",
    "OrganizationName",
    "Location",
    "ServiceGroup",
    "ServiceCode",
    "HUDRecordType",
    "HUDTypeProvided",
    "DateProvided",
    "Units",
    "FAAmount",
    "Provider",
    "BatchID",
    "Comments",
    "DateCreated",
    "DateUpdated",
    "DateDeleted",
    "VoidReason",
]


def export_services_csv(
    *,
    output: IO[str],
    start: date,
    end: date,
    projects=None,
    organization: Organization | None = None,
    include_voided: bool = False,
    user: User | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Every service provided in the range, mapped to HUD or not, one row per service (columns:
    SERVICES_CSV_COLUMNS; documented in the README). Returns the number of rows.
    `progress(rows done, rows, "")` is called as rows are written."""
    scope = projects_in_scope(organization=organization, projects=projects)
    services = Service.objects.filter(
        project__in=scope, date_provided__gte=start, date_provided__lte=end
    )
    if not include_voided:
        services = services.filter(deleted_at__isnull=True)
    rows = services.order_by("date_provided", "pk").values_list(
        "pk",
        "client_id",
        "client__personal_id",
        "enrollment__hud_enrollment_id",
        "project_id",
        "project__name",
        "project__organization__name",
        "location__name",
        "service_code__group__name",
        "service_code__name",
        "service_code__hud_record_type",
        "service_code__hud_type_provided",
        "date_provided",
        "units",
        "fa_amount",
        "provider__first_name",
        "provider__last_name",
        "batch_entry__batch_id",
        "comments",
        "created_at",
        "updated_at",
        "deleted_at",
        "void_reason",
    )
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(SERVICES_CSV_COLUMNS)
    count = 0
    total = services.count() if progress else 0
    for r in rows.iterator(chunk_size=ITERATOR_CHUNK):
        provider = f"{r[15] or ''} {r[16] or ''}".strip()
        writer.writerow(
            [
                *r[:5],
                *(_spreadsheet_safe(text) for text in r[5:10]),
                r[10],
                r[11],
                r[12].isoformat(),
                r[13],
                "" if r[14] is None else r[14],
                _spreadsheet_safe(provider),
                r[17],
                _spreadsheet_safe(r[18]),
                _plain_datetime(r[19]),
                _plain_datetime(r[20]),
                _plain_datetime(r[21]),
                _spreadsheet_safe(r[22]),
            ]
        )
        count += 1
        if progress and count % 1000 == 0:
            progress(count, max(total, count), "")
    if progress:
        progress(count, max(total, count), "")
    from hmis.audit.models import AuditAction
    from hmis.audit.recording import record

    record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="hudcsv.ServicesCSV",
        organization_id=organization.pk if organization else None,
        changes={"start": start.isoformat(), "end": end.isoformat(), "rows": count},
        message="Services CSV export",
    )
    return count


def _spreadsheet_safe(text: str | None) -> str:
    # Our services CSV is opened in spreadsheets: a cell starting with = + - @ would be a formula
    # (CSV injection), so it is kept text. (HUD files are not touched: they go to HMIS software.)
    text = text or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _plain_datetime(value: datetime | None) -> str:
    return "" if value is None else str(_datetime(value))
