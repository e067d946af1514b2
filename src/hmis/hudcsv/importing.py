"""Importing a HUD HMIS CSV export (FY2026, or FY2024) into the database.

`import_hud_csv` reads the files in dependency order, in blocks of rows, validates every row and
upserts valid rows by their HUD ID in chunks, all inside one transaction. A block of clean rows is
converted and written column by column; any other goes row by row, which reports each problem.
Problems have two severities: an *error* makes a row unusable and rejects it; a *warning* is a
data-quality problem the row survives (the value is stored as empty, or 99 where the list has it).
With any error nothing is committed, unless `skip_invalid_rows` is set (then rejected rows, and rows
that depend on them, are left out and the rest commits). `strict` turns warnings into errors;
`dry_run` validates and reports without keeping anything.

Upsert rules: a row whose HUD ID is new is created; a row whose DateUpdated is later than the stored
record's updates it; a row with DateDeleted soft-deletes it; anything else is left unchanged, so
importing the same export twice changes nothing. The source's DateCreated/DateUpdated/DateDeleted
become the record's created_at/updated_at/deleted_at.
"""

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import itemgetter
from types import SimpleNamespace
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from hmis.accounts.models import Role, User
from hmis.clients.models import Client, Enrollment
from hmis.clients.ssn import set_ssn
from hmis.clients.text import fold
from hmis.hudcsv import codes
from hmis.hudcsv.bulk_insert import Table
from hmis.hudcsv.collector import cycle_collector_paused
from hmis.hudcsv.columns import (
    CLIENT_IDENTITY_COLUMNS,
    ENROLLMENT_IDENTITY_COLUMNS,
    FILES,
    FY2024,
    FY2026,
    KEYS,
    Column,
)
from hmis.hudcsv.csvio import (
    BlockReader,
    Source,
    SourceError,
    canonical_header,
    parse_date,
    parse_datetime,
    parse_int,
    parse_money,
    read_rows,
)
from hmis.hudcsv.limits import ImportLimits, LimitExceeded
from hmis.hudcsv.models import ImportRun, ProjectRecord
from hmis.hudcsv.stamps import converter
from hmis.projects.models import Organization, Project
from hmis.services.models import Service, ServiceCode, ServiceGroup

logger = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"
CHUNK_SIZE = 2000
MAX_PROBLEMS_KEPT = 100_000
IMPORTED_SERVICES_GROUP = "Imported HUD services"
DELETED_IN_SOURCE = "Deleted in the source system (HUD CSV import)."

# Messages, defined once (tests assert them verbatim).
MSG_NO_FILES = (
    "No HUD CSV files found in {name}: expected Export.csv, Client.csv, Enrollment.csv..."
)
MSG_OLD_EDITION = (
    "This is an {edition} export. Only FY2026 and FY2024 HUD CSV files can be imported: "
    "ask the sending system for an FY2026 export."
)
MSG_UNKNOWN_EDITION = (
    "The edition of this export could not be recognised: Export.csv CSVVersion is {version!r} "
    "and Client.csv has neither the FY2026 nor the FY2024 columns."
)
MSG_CRASHED = "The import stopped on an unexpected error ({error}); nothing was written."
MSG_NOT_UTF8 = (
    "{file} is not UTF-8 text (the problem is after data row {rows}): HUD CSV files must be "
    "saved as UTF-8. Nothing was written."
)
MSG_BAD_CSV = "{file} cannot be read as CSV after data row {rows} ({error}). Nothing was written."
MSG_EMPTY_FILE = "the file is empty (no header row)"
MSG_MISSING_COLUMN = "column {column} is missing from the header"
MSG_EXTRA_COLUMN = "column {column} is not part of the {edition} specification; ignored"
MSG_REQUIRED = "required value is missing"
MSG_REQUIRED_STORED = "required value is missing; stored as {stored}"
MSG_DUPLICATE = "duplicate {column}: the same ID is on an earlier line of this file"
MSG_TOO_LONG_ID = "longer than 32 characters"
MSG_TOO_LONG = "longer than {length} characters; cut to {length}"
MSG_NOT_INTEGER = "not a whole number"
MSG_NOT_INTEGER_STORED = "not a whole number; stored as {stored}"
MSG_NOT_IN_LIST = "not a value of list {list_id}"
MSG_NOT_IN_LIST_STORED = "not a value of list {list_id}; stored as {stored}"
MSG_BAD_DATE = "not a date (YYYY-MM-DD or MM-DD-YYYY)"
MSG_BAD_DATE_STORED = "not a date (YYYY-MM-DD or MM-DD-YYYY); stored as {stored}"
MSG_BAD_DATETIME = "not a date and time (YYYY-MM-DD hh:mm:ss)"
MSG_BAD_DATETIME_STORED = "not a date and time (YYYY-MM-DD hh:mm:ss); stored as {stored}"
MSG_BAD_MONEY = "not an amount of money"
MSG_BAD_MONEY_STORED = "not an amount of money; stored as {stored}"
MSG_UNKNOWN_REFERENCE = "{value} is in neither {file} nor the database"
MSG_REJECTED_REFERENCE = "depends on {file} {column} {value}, which was rejected"
MSG_PERSON_MISMATCH = "does not match the enrollment's PersonalID {expected}"
MSG_EXIT_BEFORE_ENTRY = "ExitDate is before the enrollment's EntryDate {entry}"
MSG_OPERATING_END_BEFORE_START = "OperatingEndDate is before OperatingStartDate; stored as empty"
MSG_EXIT_ID_TAKEN = "this ExitID already belongs to another enrollment"
MSG_TYPE_NOT_FOR_RECORD = "not a TypeProvided of RecordType {record_type}"
MSG_UNKNOWN_USER = "UserID {value} is in neither User.csv nor the database; kept without a user"
MSG_PARTIAL_SSN = "not 9 digits (unknown digits marked x); only the last four digits are kept"
MSG_NO_HEAD = "household has no head of household (RelationshipToHoH 1)"
MSG_SEVERAL_HEADS = (
    "household has {count} heads of household (RelationshipToHoH 1); HUD expects one"
)
MSG_SEVERAL_EXPORT_ROWS = "Export.csv has {count} rows; using ExportID {export_id}"
MSG_NO_EXPORT_FILE = "Export.csv is missing; edition taken from the Client.csv header"
MSG_SKIPPED_FILE = "not used by this system; skipped"

# Columns whose problem makes the row unusable (an error rather than a warning): keys,
# references, and the dates a record cannot exist without.
KEY_COLUMNS = {
    "Export": {"ExportID"},
    "Organization": {"OrganizationID", "DateDeleted"},
    "User": {"UserID", "DateDeleted"},
    "Project": {"ProjectID", "OrganizationID", "OperatingStartDate", "DateDeleted"},
    "Funder": {"FunderID", "ProjectID", "DateDeleted"},
    "ProjectCoC": {"ProjectCoCID", "ProjectID", "DateDeleted"},
    "Inventory": {"InventoryID", "ProjectID", "DateDeleted"},
    "Client": {"PersonalID", "DateDeleted"},
    "Enrollment": {
        "EnrollmentID",
        "PersonalID",
        "ProjectID",
        "EntryDate",
        "HouseholdID",
        "DateDeleted",
    },
    "Exit": {"ExitID", "EnrollmentID", "PersonalID", "ExitDate", "DateDeleted"},
    "Services": {
        "ServicesID",
        "EnrollmentID",
        "PersonalID",
        "DateProvided",
        "RecordType",
        "TypeProvided",
        "DateDeleted",
    },
}
# Users first: every other file names them in UserID.
FILES_WE_IMPORT = ["User", *(name for name in FILES if name not in ("Export", "User"))]


@dataclass(slots=True)
class Problem:
    severity: str
    file: str
    line: int | None
    column: str
    value: str
    reason: str


@dataclass
class FileSummary:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass
class ImportResult:
    source_name: str
    dry_run: bool = False
    skip_invalid_rows: bool = False
    edition: str = ""
    export_id: str = ""
    refused: str = ""  # why the whole import was refused, if it was
    committed: bool = False
    summaries: dict[str, FileSummary] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    run_id: int | None = None

    @property
    def succeeded(self) -> bool:
        """Nothing refused, and no rejected row unless rejected rows were allowed."""
        if self.refused:
            return False
        return self.error_count == 0 or self.skip_invalid_rows

    @property
    def edition_label(self) -> str:
        return f"FY{self.edition}" if self.edition else ""

    def add(self, problem: Problem) -> None:
        if problem.severity == ERROR:
            self.error_count += 1
        else:
            self.warning_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    @property
    def problems_left_out(self) -> int:
        return self.error_count + self.warning_count - len(self.problems)

    def report_csv(self, stream: IO[str]) -> None:
        """The validation report: one line per problem."""
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["Severity", "File", "Line", "Column", "Value", "Reason"])
        if self.refused:
            writer.writerow([ERROR, "", "", "", "", self.refused])
        for p in self.problems:
            writer.writerow([p.severity, p.file, p.line or "", p.column, p.value, p.reason])

    def report_text(self) -> str:
        buffer = io.StringIO()
        self.report_csv(buffer)
        return buffer.getvalue()


class _Refused(Exception):
    pass


class _Rollback(Exception):
    pass


ProgressCallback = Callable[[str, int, int], None]  # (file name, rows done, rows expected)


def import_hud_csv(
    *,
    source: str | Source,
    organization: Organization | None = None,
    user: User | None = None,
    skip_invalid_rows: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    source_name: str = "",
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import a HUD CSV export (a folder, a zip path, or an open Source). Never raises for bad data:
    everything wrong is in the result's problems (or `refused`). `limits` (default: the settings'
    `HMIS_IMPORT_*`) bound what is read; beyond them the import is refused and nothing written."""
    started = timezone.now()
    try:
        src = source if isinstance(source, Source) else Source(source, limits=limits)
    except SourceError as error:
        result = ImportResult(
            source_name=source_name or str(source), dry_run=dry_run, refused=str(error)
        )
        _finish(result, started=started, user=user, organization=organization)
        return result
    result = ImportResult(
        source_name=source_name or src.name, dry_run=dry_run, skip_invalid_rows=skip_invalid_rows
    )
    importer = _Importer(
        source=src,
        result=result,
        organization=organization,
        strict=strict,
        progress=progress,
    )
    try:
        importer.prepare()
        with transaction.atomic():
            importer.run()
            if dry_run or not result.succeeded:
                raise _Rollback
            result.committed = True
    except (_Refused, LimitExceeded) as refusal:
        result.committed = False
        result.refused = str(refusal)
    except _Rollback:
        pass
    except Exception as error:  # the transaction rolled back: say so instead of a stack trace
        logger.exception("HUD CSV import of %s failed", src.name)
        result.committed = False
        result.refused = MSG_CRASHED.format(error=error)
    finally:
        if not isinstance(source, Source):
            src.close()
    _finish(result, started=started, user=user, organization=organization)
    return result


def _finish(result: ImportResult, *, started, user, organization) -> None:
    from hmis.audit.models import AuditAction
    from hmis.audit.recording import record

    if result.refused:
        outcome = "refused"
    elif result.committed:
        outcome = "committed"
    elif result.dry_run:
        outcome = "dry run, nothing written"
    else:
        outcome = "rolled back, nothing written"
    with transaction.atomic():
        run = ImportRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            user=user if getattr(user, "pk", None) else None,
            organization=organization,
            source_name=result.source_name[:255],
            edition=result.edition,
            export_id=result.export_id,
            dry_run=result.dry_run,
            committed=result.committed,
            error_count=result.error_count,
            warning_count=result.warning_count,
            summary={name: s.as_dict() for name, s in result.summaries.items()},
            message=result.refused or outcome,
        )
        record(
            actor=user,
            action=AuditAction.IMPORT,
            obj=run,
            changes={
                "source": result.source_name,
                "edition": result.edition_label,
                "outcome": outcome,
                "errors": result.error_count,
                "warnings": result.warning_count,
                "files": {name: s.as_dict() for name, s in result.summaries.items()},
            },
            message=f"HUD CSV import of {result.source_name}: {outcome}",
        )
    result.run_id = run.pk


# --- edition detection ---

_YEAR = re.compile(r"(20\d\d|19\d\d)")


def detect_edition(csv_version: str, client_header: list[str] | None) -> str:
    """FY2026 or FY2024, from Export.CSVVersion, else from the Client.csv header.

    Raises _Refused naming an older edition, or saying it could not be recognised."""
    version = (csv_version or "").strip()
    if match := _YEAR.search(version):
        year = int(match.group(1))
        if year == 2026:
            return FY2026
        if year == 2024:
            return FY2024
        if year < 2024:
            raise _Refused(MSG_OLD_EDITION.format(edition=f"FY{year}"))
    names = {h.strip().lstrip("\ufeff").lower() for h in client_header or []}
    if "sex" in names and "hispaniclatinao" in names:
        return FY2026
    if "woman" in names and "hispaniclatinaeo" in names:
        return FY2024
    if "ethnicity" in names or "female" in names:
        raise _Refused(MSG_OLD_EDITION.format(edition="FY2022"))
    if "gender" in names:
        raise _Refused(MSG_OLD_EDITION.format(edition="FY2020 (or older)"))
    raise _Refused(MSG_UNKNOWN_EDITION.format(version=version))


# --- row parsing ---


class _Row:
    """A valid row: its line and its values by HUD column name (None when empty)."""

    __slots__ = ("line", "values")

    def __init__(self, line: int, values: dict[str, Any]):
        self.line = line
        self.values = values


def _storable_missing(column: Column):
    """What a required but empty (or invalid) list value is stored as: 99 where the list has it."""
    if column.list_id and codes.NOT_COLLECTED in codes.LISTS.get(column.list_id, ()):
        return codes.NOT_COLLECTED
    return None


def _strict_converter(column: Column) -> Callable[[str], Any]:
    """The value of a non-empty cell, raising ValueError on anything that is not plainly valid."""
    kind, length = column.type, column.length
    if kind == "S":

        def text(raw: str) -> str:
            if length and len(raw) > length:
                raise ValueError(raw)
            return raw

        return text
    if kind == "I":
        allowed = codes.LISTS.get(column.list_id) if column.list_id else None

        def integer(raw: str) -> int:
            value = int(raw)
            if value < 0 or (allowed is not None and value not in allowed):
                raise ValueError(raw)
            return value

        return integer
    return {"D": parse_date, "T": parse_datetime, "M": parse_money}[kind]


class _FileReader:
    """Parses and validates the rows of one file, column by column."""

    def __init__(self, importer: "_Importer", file: str, header: list[str]):
        self.importer = importer
        self.file = file
        self.file_name = f"{file}.csv"
        edition = importer.result.edition or FY2026
        self.columns = FILES[file][edition]
        self.keys = KEY_COLUMNS[file]
        self.strict = importer.strict
        expected = [c.name for c in self.columns]
        index: dict[str, int] = {}
        for position, raw in enumerate(header):
            name = canonical_header(raw, expected)
            if name is None:
                if raw.strip():
                    importer.problem(
                        WARNING,
                        self.file_name,
                        1,
                        raw.strip(),
                        "",
                        MSG_EXTRA_COLUMN.format(column=raw.strip(), edition=f"FY{edition}"),
                    )
                continue
            index.setdefault(name, position)
        self.missing_key_column = False
        for column in self.columns:
            if column.name not in index and column.name != "ExportID":
                key = column.name in self.keys and column.name != "DateDeleted"
                importer.problem(
                    ERROR if key or self.strict else WARNING,
                    self.file_name,
                    1,
                    column.name,
                    "",
                    MSG_MISSING_COLUMN.format(column=column.name),
                )
                if key:
                    self.missing_key_column = True
        self.plan = [(c, index.get(c.name)) for c in self.columns if c.name != "ExportID"]
        self.fast_plan = (
            None
            if any(position is None for _, position in self.plan)
            else [(c.name, position, _strict_converter(c), c.nullable) for c, position in self.plan]
        )
        # The same, unpacked once: parse() runs for every column of every row.
        self.fast = [
            (c, position, c.name, c.type, c.name in self.keys, c.length)
            for c, position in self.plan
        ]
        self.key_column = KEYS[file]
        self.seen: set[str] = set()
        # For parse_block: the same plan, column by column.
        self.names = [c.name for c, _ in self.plan]
        self.block_plan = None
        if self.fast_plan is not None and self.key_column in self.names:
            # A block holds date-times as the database stores them (stored_datetime): a real
            # file has a different one on nearly every row.
            self.block_plan = [
                (
                    position,
                    c.type,
                    c.length,
                    importer.stored_datetime if c.type == "T" else convert,
                    nullable,
                )
                for (c, _), (_, position, convert, nullable) in zip(
                    self.plan, self.fast_plan, strict=True
                )
            ]
            self.datetime_indexes = [i for i, (c, _) in enumerate(self.plan) if c.type == "T"]
            self.last_position = max(position for _, position, _, _ in self.fast_plan)
            self.key_index = self.names.index(self.key_column)

    def parse_block(self, raw_rows: list[list[str]]) -> list[list | None] | None:
        """Clean rows, converted column by column: a list per column in plan order (None for a
        column empty on every row); or None, with nothing reported and nothing remembered, when
        any row is not plainly valid (then each row goes through parse(), which reports).

        The same checks as parse()'s fast pass, with each distinct value converted once."""
        if self.block_plan is None or min(map(len, raw_rows)) <= self.last_position:
            return None
        columns: list[list | None] = []
        strip = str.strip
        by_position = list(
            zip(*raw_rows, strict=False)
        )  # the cells of each column (rows may be longer)
        try:
            for position, kind, length, convert, nullable in self.block_plan:
                cells = by_position[position]
                if any(cells):
                    cells = list(map(strip, cells))
                if not any(cells):
                    if not nullable:
                        return None
                    columns.append(None)
                    continue
                complete = all(cells)
                if not complete and not nullable:
                    return None
                if kind == "S":
                    if length and max(map(len, cells)) > length:
                        return None
                    columns.append(cells if complete else [c or None for c in cells])
                    continue
                if kind == "T" and complete:  # nearly all different: no point sharing
                    columns.append(list(map(convert, cells)))
                    continue
                converted = {raw: convert(raw) for raw in set(cells) if raw}
                converted[""] = None
                columns.append(list(map(converted.__getitem__, cells)))
        except (ValueError, OverflowError):
            return None
        keys = columns[self.key_index]
        if keys is None or None in keys:
            return None
        distinct = set(keys)
        if len(distinct) != len(keys) or not self.seen.isdisjoint(distinct):
            return None
        self.seen.update(distinct)
        return columns

    def rows_from_block(self, lines: list[int], columns: list[list | None]) -> list[_Row]:
        """parse_block's columns as the rows parse() makes (date-times as aware datetimes)."""
        full = [c if c is not None else [None] * len(lines) for c in columns]
        for i in self.datetime_indexes:
            if columns[i] is not None:
                full[i] = [None if v is None else _aware(v) for v in full[i]]
        names = self.names
        return [
            _Row(line, dict(zip(names, values, strict=True)))
            for line, values in zip(lines, zip(*full, strict=True), strict=True)
        ]

    def _parse_carefully(self, line: int, raw_values: list[str]) -> _Row | None:
        values: dict[str, Any] = {}
        ok = True
        width = len(raw_values)
        problem = self.importer.problem
        for column, position, name, kind, is_key, length in self.fast:
            raw = raw_values[position].strip() if position is not None and position < width else ""
            if not raw:
                if not column.nullable and position is not None:
                    stored = _storable_missing(column)
                    if is_key or self.strict:
                        problem(ERROR, self.file_name, line, name, "", MSG_REQUIRED)
                        ok = False
                    else:
                        label = "empty" if stored is None else str(stored)
                        problem(
                            WARNING,
                            self.file_name,
                            line,
                            name,
                            "",
                            MSG_REQUIRED_STORED.format(stored=label),
                        )
                    values[name] = stored
                else:
                    values[name] = None
                continue
            try:
                if kind == "S":
                    if length and len(raw) > length:
                        if is_key or (length == 32 and name.endswith("ID")):
                            problem(ERROR, self.file_name, line, name, raw, MSG_TOO_LONG_ID)
                            ok = False
                            continue
                        self._warn(line, name, raw, MSG_TOO_LONG.format(length=column.length))
                        if self.strict:
                            ok = False
                        raw = raw[: column.length]
                    values[name] = raw
                elif kind == "I":
                    value = parse_int(raw)
                    allowed = codes.LISTS.get(column.list_id) if column.list_id else None
                    if allowed is not None and value not in allowed:
                        if is_key:
                            problem(
                                ERROR,
                                self.file_name,
                                line,
                                name,
                                raw,
                                MSG_NOT_IN_LIST.format(list_id=column.list_id),
                            )
                            ok = False
                            continue
                        stored = _storable_missing(column) if not column.nullable else None
                        self._warn(
                            line,
                            name,
                            raw,
                            MSG_NOT_IN_LIST_STORED.format(
                                list_id=column.list_id,
                                stored="empty" if stored is None else stored,
                            ),
                        )
                        if self.strict:
                            ok = False
                        value = stored
                    values[name] = value
                elif kind == "D":
                    values[name] = parse_date(raw)
                elif kind == "T":
                    values[name] = parse_datetime(raw)
                else:  # money
                    values[name] = parse_money(raw)
            except (ValueError, OverflowError):
                if kind == "I":
                    message, stored_message = MSG_NOT_INTEGER, MSG_NOT_INTEGER_STORED
                elif kind == "D":
                    message, stored_message = MSG_BAD_DATE, MSG_BAD_DATE_STORED
                elif kind == "T":
                    message, stored_message = MSG_BAD_DATETIME, MSG_BAD_DATETIME_STORED
                else:
                    message, stored_message = MSG_BAD_MONEY, MSG_BAD_MONEY_STORED
                if is_key or self.strict:
                    problem(ERROR, self.file_name, line, name, raw, message)
                    ok = False
                else:
                    stored = None if column.nullable else _storable_missing(column)
                    label = "empty" if stored is None else str(stored)
                    self._warn(line, name, raw, stored_message.format(stored=label))
                    values[name] = stored
        if not ok:
            return None
        return self._unique(line, values)

    def _unique(self, line: int, values: dict[str, Any]) -> _Row | None:
        """The row, unless its ID is already on an earlier line (then an error)."""
        key = values.get(self.key_column)
        if key is not None:
            if key in self.seen:
                self.importer.problem(
                    ERROR,
                    self.file_name,
                    line,
                    self.key_column,
                    key,
                    MSG_DUPLICATE.format(column=self.key_column),
                )
                return None
            self.seen.add(key)
        return _Row(line, values)

    def parse(self, line: int, raw_values: list[str]) -> _Row | None:
        """The row's typed values, or None when it is rejected (its problems are reported).

        Most rows are clean: a fast pass converts them with no checks beyond the conversions
        themselves. Anything unusual (an empty required value, a value outside its list, a
        long string, a bad date, a short row) makes it raise, and the row goes through the
        careful pass, which reports each problem exactly."""
        if self.fast_plan is not None:
            try:
                values = {}
                for name, position, convert, nullable in self.fast_plan:
                    raw = raw_values[position].strip()
                    if raw:
                        values[name] = convert(raw)
                    elif nullable:
                        values[name] = None
                    else:
                        raise ValueError(name)
            except (ValueError, OverflowError, IndexError):
                pass
            else:
                return self._unique(line, values)
        return self._parse_carefully(line, raw_values)

    def _warn(self, line: int, column: str, value: str, reason: str) -> None:
        self.importer.problem(
            ERROR if self.strict else WARNING, self.file_name, line, column, value, reason
        )


class _Block:
    """Clean rows as parse_block() gives them, for a handler that works column by column."""

    __slots__ = ("by_name", "columns", "lines", "nothing", "reader")

    def __init__(self, reader: _FileReader, lines: list[int], columns: list[list | None]):
        self.reader = reader
        self.lines = lines
        self.columns = columns
        self.by_name = dict(zip(reader.names, columns, strict=True))
        self.nothing = [None] * len(lines)

    def values(self, name: str) -> list:
        """A column's values, one per row (None where empty)."""
        found = self.by_name.get(name)
        return found if found is not None else self.nothing

    def rows(self) -> list["_Row"]:
        return self.reader.rows_from_block(self.lines, self.columns)

    def extras(
        self, modelled: Iterable[str], also_modelled=(), renames: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Each row's hud_data: the columns we do not model, as _extra() keeps them."""
        skip = _not_extra(tuple(modelled)) | set(also_modelled)
        renames = renames or {}
        extras = [
            (
                renames.get(name, name),
                [v if v is None or type(v) is int or type(v) is str else _iso(v) for v in c],
            )
            for name, c in self.by_name.items()
            if c is not None and name not in skip
        ]
        if not extras:
            return [{}] * len(self.lines)
        names = [name for name, _ in extras]
        return [
            {k: v for k, v in zip(names, row, strict=True) if v is not None}
            for row in zip(*(c for _, c in extras), strict=True)
        ]


def _bulk_update(model, rows: list[dict[str, Any]], fields: list[str]) -> None:
    """Update existing records (each row has "pk") without auto_now touching updated_at."""
    if not rows:
        return
    objects = []
    for row in rows:
        obj = model(pk=row["pk"])
        for name in fields:
            setattr(obj, name, row[name])
        objects.append(obj)
    model.objects.bulk_update(objects, fields, batch_size=500)


def _iso(value) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if value is not None and not isinstance(value, int | str):
        return str(value)
    return value


@lru_cache(maxsize=64)
def _not_extra(modelled: tuple[str, ...]) -> frozenset[str]:
    return frozenset(modelled) | {"DateCreated", "DateUpdated", "DateDeleted", "ExportID"}


def _extra(values: dict[str, Any], modelled: Iterable[str]) -> dict[str, Any]:
    """The row's columns we do not model, for the record's hud_data (empty ones left out)."""
    skip = _not_extra(tuple(modelled))
    extra = {}
    for key, value in values.items():
        if value is None or key in skip:
            continue
        extra[key] = value if type(value) is int or type(value) is str else _iso(value)
    return extra


_SERVICES_MODELLED = [
    "ServicesID",
    "EnrollmentID",
    "PersonalID",
    "DateProvided",
    "RecordType",
    "TypeProvided",
    "FAAmount",
]

# The date-time columns of a block, already as the database stores them (stored_datetime).
_STORED_STAMPS = ("created_at", "updated_at", "deleted_at")

_CLIENT_MODELLED = [*CLIENT_IDENTITY_COLUMNS, "VeteranStatus"]

_ENROLLMENT_MODELLED = list(ENROLLMENT_IDENTITY_COLUMNS)

# Client.csv FY2024 spelling -> FY2026 spelling, so hud_data always uses the newest names.
_CLIENT_RENAMES = {"HispanicLatinaeo": "HispanicLatinao"}


class _Importer:
    def __init__(self, *, source: Source, result: ImportResult, organization, strict, progress):
        self.source = source
        self.result = result
        self.organization = organization
        self.strict = strict
        self.progress = progress
        self.rejected: dict[str, set[str]] = {name: set() for name in FILES}
        # HUD ID -> what later files need to know about the record.
        self.organizations: dict[str, int | None] = {}
        self.users: dict[str, int | None] = {}
        self.projects: dict[str, tuple[int, int | None] | None] = {}
        self.clients: dict[str, int | None] = {}
        self.enrollments: dict[str, tuple | None] = {}
        self.service_codes: dict[tuple[int, int], int] = {}
        self.tables: dict[Any, Table] = {}
        # HouseholdID -> [heads of household seen, first line]: HUD wants exactly one head.
        self.households: dict[str, list[int]] = {}
        self.services_were_empty = False
        # A date-time of a file as the database stores it: SQLite's UTC text, else a datetime.
        self.stored_datetime = (
            converter(timezone.get_default_timezone()).stored_from_local
            if connection.vendor == "sqlite"
            else parse_datetime
        )

    def problem(self, severity, file, line, column, value, reason) -> None:
        self.result.add(Problem(severity, file, line, column, value, reason))

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model)
        return self.tables[model]

    # --- before the transaction: which files, which edition ---

    def prepare(self) -> None:
        present = self.source.file_names()
        known = {f"{name}.csv".lower() for name in FILES}
        csv_files = [n for n in present if n.lower().endswith(".csv")]
        if not any(n.lower() in known for n in csv_files):
            raise _Refused(MSG_NO_FILES.format(name=self.source.name))
        self.result.skipped_files = [n for n in csv_files if n.lower() not in known]
        version = ""
        if self.source.has("Export.csv"):
            try:
                version = self._read_export()
            except UnicodeDecodeError:
                raise _Refused(MSG_NOT_UTF8.format(file="Export.csv", rows=0)) from None
        else:
            self.problem(WARNING, "Export.csv", None, "", "", MSG_NO_EXPORT_FILE)
        client_header = None
        if self.source.has("Client.csv"):
            try:
                with self.source.open_text("Client.csv") as stream:
                    client_header, _ = read_rows(stream)
            except UnicodeDecodeError:
                raise _Refused(MSG_NOT_UTF8.format(file="Client.csv", rows=0)) from None
        self.result.edition = detect_edition(version, client_header)

    def _read_export(self) -> str:
        with self.source.open_text("Export.csv") as stream:
            header, rows = read_rows(stream)
            names = [c.name for c in FILES["Export"][FY2026]]
            index = {}
            for position, raw in enumerate(header):
                name = canonical_header(raw, names)
                if name:
                    index.setdefault(name, position)
            candidates = []
            for _line, values in rows:

                def cell(name, values=values):
                    position = index.get(name)
                    return (
                        values[position].strip()
                        if position is not None and position < len(values)
                        else ""
                    )

                try:
                    exported = parse_datetime(cell("ExportDate"))
                except ValueError:
                    exported = None
                candidates.append((exported, cell("ExportID"), cell("CSVVersion")))
        if not candidates:
            return ""
        # Several rows (HUD's own LSA sample has 24): take the newest.
        oldest = datetime.min.replace(tzinfo=UTC)
        candidates.sort(key=lambda c: c[0] or oldest)
        _exported, export_id, version = candidates[-1]
        self.result.export_id = export_id[:32]
        if len(candidates) > 1:
            self.problem(
                WARNING,
                "Export.csv",
                None,
                "ExportID",
                export_id,
                MSG_SEVERAL_EXPORT_ROWS.format(count=len(candidates), export_id=export_id),
            )
        return version

    # --- inside the transaction ---

    def run(self) -> None:
        handlers = {
            "Organization": self._organizations,
            "User": self._users,
            "Project": self._projects,
            "Funder": self._project_records,
            "ProjectCoC": self._project_records,
            "Inventory": self._project_records,
            "Client": self._clients,
            "Enrollment": self._enrollments,
            "Exit": self._exits,
            "Services": self._services,
        }
        with cycle_collector_paused():
            self._run_files(handlers)

    def _run_files(self, handlers) -> None:
        for file in FILES_WE_IMPORT:
            if not self.source.has(f"{file}.csv"):
                continue
            if file == "Services":
                with self._services_load():
                    self._import_file(file, handlers[file])
            else:
                self._import_file(file, handlers[file])

    @contextmanager
    def _services_load(self):
        """Loading Services.csv, the big file. Into an empty services table (a new site), no
        stored row can match an imported ID, and on SQLite the indexes are dropped and built
        again once the rows are in: sorting a million keys once is faster than keeping seven
        B-trees in order row by row. Both happen inside the import's transaction, so a failure
        or a dry run rolls the indexes back with the rows; the indexes are rebuilt from the
        database's own definitions (sqlite_master), so they are exactly the migration's, and
        building a unique one checks every row again (the import has already: IDs are unique
        in the file, and the table was empty)."""
        table = connection.ops.quote_name(Service._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608
            self.services_were_empty = cursor.fetchone() is None
            indexes = []
            if self.services_were_empty and connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [Service._meta.db_table],
                )
                indexes = cursor.fetchall()
                for name, _sql in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            if indexes:
                # SQLite may sort for CREATE INDEX on helper threads (a setting per connection).
                cursor.execute("PRAGMA threads")
                threads = cursor.fetchone()[0]
                cursor.execute("PRAGMA threads = 2")
                try:
                    for _name, sql in indexes:
                        cursor.execute(sql)
                finally:
                    cursor.execute(f"PRAGMA threads = {int(threads)}")
        self.services_were_empty = False

    def _import_file(self, file: str, handler) -> None:
        file_name = f"{file}.csv"
        summary = FileSummary(file=file_name)
        self.result.summaries[file_name] = summary
        try:
            self._read_file(file, handler, summary)
        except UnicodeDecodeError:
            raise _Refused(MSG_NOT_UTF8.format(file=file_name, rows=summary.rows)) from None
        except csv.Error as error:
            raise _Refused(
                MSG_BAD_CSV.format(file=file_name, rows=summary.rows, error=error)
            ) from None

    def _read_file(self, file: str, handler, summary: FileSummary) -> None:
        file_name = summary.file
        expected = self.source.count_lines(file_name) if self.progress else 0
        with self.source.open_text(file_name) as stream:
            blocks = BlockReader(stream)
            if not blocks.header:
                self.problem(ERROR, file_name, 1, "", "", MSG_EMPTY_FILE)
                return
            reader = _FileReader(self, file, blocks.header)
            if reader.missing_key_column:
                while rejected := len(blocks.read(CHUNK_SIZE)[1]):
                    summary.rows += rejected
                    summary.rejected += rejected
                return
            takes_blocks = file in ("Client", "Enrollment", "Services")
            chunk: list[_Row] = []

            def take(line: int, values: list[str]) -> None:
                nonlocal chunk
                summary.rows += 1
                row = reader.parse(line, values)
                if row is None:
                    summary.rejected += 1
                    key = values_key(reader, values)
                    # A duplicate is rejected, but the row first holding the ID stands.
                    if key not in reader.seen:
                        self._reject(file, key)
                    return
                chunk.append(row)
                if len(chunk) >= CHUNK_SIZE:
                    handler(file, chunk, summary)
                    chunk = []
                    if self.progress:
                        self.progress(file_name, summary.rows, expected)

            # Rows are read in blocks that fill the chunk. A block of clean rows is converted
            # column by column (parse_block); any other block goes row by row through take(),
            # so what is reported, and when the handler runs, is the same either way.
            while True:
                lines, raw_rows = blocks.read(CHUNK_SIZE - len(chunk))
                if not raw_rows:
                    break
                columns = reader.parse_block(raw_rows)
                if columns is None:
                    for line, values in zip(lines, raw_rows, strict=True):
                        take(line, values)
                    continue
                summary.rows += len(raw_rows)
                if not chunk and takes_blocks:
                    handler(file, _Block(reader, lines, columns), summary)
                else:
                    chunk.extend(reader.rows_from_block(lines, columns))
                    if len(chunk) < CHUNK_SIZE:  # the end of the file: the next read says so
                        continue
                    handler(file, chunk, summary)
                    chunk = []
                if self.progress:
                    self.progress(file_name, summary.rows, expected)
            if chunk:
                handler(file, chunk, summary)
            if file == "Enrollment":
                self._check_households()
            if self.progress:
                self.progress(file_name, summary.rows, max(expected, summary.rows))

    def _check_households(self) -> None:
        for household_id, (heads, line) in self.households.items():
            if heads != 1:
                self.problem(
                    WARNING,
                    "Enrollment.csv",
                    line,
                    "HouseholdID",
                    household_id,
                    MSG_NO_HEAD if heads == 0 else MSG_SEVERAL_HEADS.format(count=heads),
                )
        self.households = {}

    def _reject(self, file: str, hud_id: str | None) -> None:
        if hud_id:
            self.rejected[file].add(hud_id)

    def _reject_row(self, file, row: _Row, summary, column, value, reason) -> None:
        self.problem(ERROR, f"{file}.csv", row.line, column, value or "", reason)
        summary.rejected += 1
        self._reject(file, row.values.get(KEYS[file]))

    # --- references ---

    def _resolve(self, cache: dict, ids: set[str], load: Callable[[set[str]], dict]) -> None:
        unknown = {i for i in ids if i not in cache}
        if unknown:
            found = load(unknown)
            for hud_id in unknown:
                cache[hud_id] = found.get(hud_id)

    def _check_reference(self, file, row, summary, column, value, target_file, cache) -> bool:
        """True when the referenced record exists; otherwise reject the row and say why."""
        if value in self.rejected[target_file]:
            self._reject_row(
                file,
                row,
                summary,
                column,
                value,
                MSG_REJECTED_REFERENCE.format(
                    file=f"{target_file}.csv", column=column, value=value
                ),
            )
            return False
        if cache.get(value) is None:
            self._reject_row(
                file,
                row,
                summary,
                column,
                value,
                MSG_UNKNOWN_REFERENCE.format(value=value, file=f"{target_file}.csv"),
            )
            return False
        return True

    def _user_pk(self, file: str, row: _Row) -> int | None:
        """The row's UserID as a user, or None (with a warning) when no such user exists."""
        hud_id = row.values.get("UserID")
        if not hud_id:
            return None
        if hud_id not in self.users:
            self._resolve(self.users, {hud_id}, _load_users)
        pk = self.users.get(hud_id)
        if pk is None:
            self.problem(
                WARNING,
                f"{file}.csv",
                row.line,
                "UserID",
                hud_id,
                MSG_UNKNOWN_USER.format(value=hud_id),
            )
            row.values["UserID"] = None
        return pk

    def _preload_users(self, rows: list[_Row]) -> None:
        ids = {r.values["UserID"] for r in rows if r.values.get("UserID")}
        self._resolve(self.users, ids, _load_users)

    # --- upsert ---

    def _timestamps(self, values: dict[str, Any]) -> tuple[datetime, datetime, datetime | None]:
        created = values.get("DateCreated") or values.get("DateUpdated") or timezone.now()
        updated = values.get("DateUpdated") or created
        return created, updated, values.get("DateDeleted")

    def _upsert(
        self,
        *,
        model,
        key_field: str,
        summary: FileSummary,
        items: list[dict[str, Any]],
        update_fields: list[str],
    ) -> None:
        """Create or update records by HUD ID. Each item holds the model's values by attname,
        including key_field, created_at, updated_at and deleted_at."""
        if not items:
            return
        ids = [item[key_field] for item in items]
        existing = _existing(model, key_field, ids)
        creates, updates, deletes = [], [], []
        for item in items:
            old = existing.get(item[key_field])
            if old is None:
                creates.append(item)
                if item["deleted_at"]:
                    summary.deleted += 1
                else:
                    summary.created += 1
            elif item["updated_at"] > old["updated_at"]:
                item["pk"] = old["pk"]
                updates.append(item)
                if item["deleted_at"] and not old["deleted_at"]:
                    summary.deleted += 1
                else:
                    summary.updated += 1
            elif item["deleted_at"] and not old["deleted_at"]:
                deletes.append({"pk": old["pk"], "deleted_at": item["deleted_at"]})
                summary.deleted += 1
            else:
                summary.unchanged += 1
        self.table(model).insert(creates)
        _bulk_update(model, updates, [*update_fields, "updated_at", "deleted_at"])
        _bulk_update(model, deletes, ["deleted_at"])

    # --- the files ---

    def _organizations(self, file, rows, summary) -> None:
        self._preload_users(rows)
        items = []
        for row in rows:
            v = row.values
            self._user_pk(file, row)
            created, updated, deleted = self._timestamps(v)
            items.append(
                {
                    "hud_organization_id": v["OrganizationID"],
                    "name": v["OrganizationName"] or v["OrganizationID"],
                    "common_name": v["OrganizationCommonName"] or "",
                    "victim_service_provider": v["VictimServiceProvider"] == 1,
                    "hud_data": _extra(
                        v,
                        [
                            "OrganizationID",
                            "OrganizationName",
                            "OrganizationCommonName",
                            "VictimServiceProvider",
                        ],
                    ),
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                }
            )
        self._upsert(
            model=Organization,
            key_field="hud_organization_id",
            summary=summary,
            items=items,
            update_fields=["name", "common_name", "victim_service_provider", "hud_data"],
        )
        self._resolve(
            self.organizations, {i["hud_organization_id"] for i in items}, _load_organizations
        )

    def _users(self, file, rows, summary) -> None:
        ids = [r.values["UserID"] for r in rows]
        existing = {
            u["hud_user_id"]: u
            for u in User.objects.filter(hud_user_id__in=ids).values(
                "pk", "hud_user_id", "updated_at"
            )
        }
        wanted = {f"hud-{i}"[:150] for i in ids}
        taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        creates, updates = [], []
        for row in rows:
            v = row.values
            created, updated, _deleted = self._timestamps(v)
            values = {
                "first_name": v["UserFirstName"] or "",
                "last_name": v["UserLastName"] or "",
                "email": (v["UserEmail"] or "")[:254],
                "phone": v["UserPhone"] or "",
                "phone_extension": v["UserExtension"] or "",
                "updated_at": updated,
            }
            old = existing.get(v["UserID"])
            if old is None:
                username = f"hud-{v['UserID']}"[:150]
                if username in taken:
                    username = f"hud-{v['UserID']}-{row.line}"[:150]
                creates.append(
                    {
                        **values,
                        "username": username,
                        "password": make_password(None),
                        "hud_user_id": v["UserID"],
                        "is_active": False,
                        "is_staff": False,
                        "is_superuser": False,
                        "role": Role.READ_ONLY,
                        "can_override_bars": False,
                        "organization_id": getattr(self.organization, "pk", None),
                        "date_joined": created,
                    }
                )
                summary.created += 1
            elif updated > old["updated_at"]:
                updates.append({**values, "pk": old["pk"]})
                summary.updated += 1
            else:
                summary.unchanged += 1
        self.table(User).insert(creates)
        _bulk_update(User, updates, [k for k in updates[0] if k != "pk"] if updates else [])
        self._resolve(self.users, set(ids), _load_users)

    def _projects(self, file, rows, summary) -> None:
        self._resolve(
            self.organizations, {r.values["OrganizationID"] for r in rows}, _load_organizations
        )
        self._preload_users(rows)
        items = []
        for row in rows:
            v = row.values
            if not self._check_reference(
                file,
                row,
                summary,
                "OrganizationID",
                v["OrganizationID"],
                "Organization",
                self.organizations,
            ):
                continue
            self._user_pk(file, row)
            end = v["OperatingEndDate"]
            if end is not None and end < v["OperatingStartDate"]:
                self.problem(
                    WARNING,
                    "Project.csv",
                    row.line,
                    "OperatingEndDate",
                    _iso(end),
                    MSG_OPERATING_END_BEFORE_START,
                )
                end = None
            created, updated, deleted = self._timestamps(v)
            items.append(
                {
                    "hud_project_id": v["ProjectID"],
                    "organization_id": self.organizations[v["OrganizationID"]],
                    "name": v["ProjectName"] or v["ProjectID"],
                    "common_name": v["ProjectCommonName"] or "",
                    "project_type": v["ProjectType"],
                    "operating_start_date": v["OperatingStartDate"],
                    "operating_end_date": end,
                    "continuum_project": v["ContinuumProject"] == 1,
                    "active": True,
                    "hud_data": _extra(
                        v,
                        [
                            "ProjectID",
                            "OrganizationID",
                            "ProjectName",
                            "ProjectCommonName",
                            "ProjectType",
                            "OperatingStartDate",
                            "OperatingEndDate",
                            "ContinuumProject",
                        ],
                    ),
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                }
            )
        self._upsert(
            model=Project,
            key_field="hud_project_id",
            summary=summary,
            items=items,
            update_fields=[
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
        self._resolve(self.projects, {i["hud_project_id"] for i in items}, _load_projects)
        # A project updated in this run may have a new type: forget cached types.
        for item in items:
            cached = self.projects.get(item["hud_project_id"])
            if cached is not None:
                self.projects[item["hud_project_id"]] = (cached[0], item["project_type"])

    def _project_records(self, file, rows, summary) -> None:
        self._resolve(self.projects, {r.values["ProjectID"] for r in rows}, _load_projects)
        self._preload_users(rows)
        key = KEYS[file]
        items = []
        for row in rows:
            v = row.values
            if not self._check_reference(
                file, row, summary, "ProjectID", v["ProjectID"], "Project", self.projects
            ):
                continue
            self._user_pk(file, row)
            created, updated, deleted = self._timestamps(v)
            items.append(
                {
                    "kind": file,
                    "hud_id": v[key],
                    "project_id": self.projects[v["ProjectID"]][0],
                    "data": _extra(v, [key, "ProjectID", "UserID"]),
                    "user_hud_id": v["UserID"] or "",
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                }
            )
        if not items:
            return
        ids = [i["hud_id"] for i in items]
        existing = {
            r["hud_id"]: r
            for r in ProjectRecord.objects.filter(kind=file, hud_id__in=ids).values(
                "pk", "hud_id", "updated_at", "deleted_at"
            )
        }
        creates, updates = [], []
        for item in items:
            old = existing.get(item["hud_id"])
            if old is None:
                creates.append(item)
                summary.created += 1
            elif item["updated_at"] > old["updated_at"] or (
                item["deleted_at"] and not old["deleted_at"]
            ):
                item["pk"] = old["pk"]
                updates.append(item)
                if item["deleted_at"] and not old["deleted_at"]:
                    summary.deleted += 1
                else:
                    summary.updated += 1
            else:
                summary.unchanged += 1
        self.table(ProjectRecord).insert(creates)
        _bulk_update(
            ProjectRecord,
            updates,
            ["project_id", "data", "user_hud_id", "updated_at", "deleted_at"],
        )

    def _clients(self, file, rows, summary) -> None:
        if isinstance(rows, _Block):
            self._clients_block(file, rows, summary)
            return
        self._preload_users(rows)
        modelled = _CLIENT_MODELLED
        items = []
        for row in rows:
            v = row.values
            user_pk = self._user_pk(file, row)
            created, updated, deleted = self._timestamps(v)
            extra = _extra(v, modelled)
            for old_name, new_name in _CLIENT_RENAMES.items():
                if old_name in extra:
                    extra[new_name] = extra.pop(old_name)
            ssn_encrypted, ssn_last4 = self._ssn(row.line, v["SSN"])
            names = [v["FirstName"] or "", v["MiddleName"] or "", v["LastName"] or ""]
            items.append(
                {
                    "personal_id": v["PersonalID"],
                    "first_name": names[0],
                    "middle_name": names[1],
                    "last_name": names[2],
                    "name_suffix": v["NameSuffix"] or "",
                    "name_data_quality": v["NameDataQuality"]
                    if v["NameDataQuality"] is not None
                    else 99,
                    "dob": v["DOB"],
                    "dob_data_quality": v["DOBDataQuality"]
                    if v["DOBDataQuality"] is not None
                    else 99,
                    "ssn_encrypted": ssn_encrypted,
                    "ssn_last4": ssn_last4,
                    "ssn_data_quality": v["SSNDataQuality"]
                    if v["SSNDataQuality"] is not None
                    else 99,
                    "veteran_status": v["VeteranStatus"] if v["VeteranStatus"] is not None else 99,
                    "search_name": fold(" ".join(names)),
                    "organization_id": getattr(self.organization, "pk", None),
                    "created_by_id": user_pk,
                    "hud_data": extra,
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                }
            )
        self._upsert(
            model=Client,
            key_field="personal_id",
            summary=summary,
            items=items,
            update_fields=[
                "first_name",
                "middle_name",
                "last_name",
                "name_suffix",
                "name_data_quality",
                "dob",
                "dob_data_quality",
                "ssn_encrypted",
                "ssn_last4",
                "ssn_data_quality",
                "veteran_status",
                "search_name",
                "hud_data",
            ],
        )
        for item in items:
            self.clients.pop(item["personal_id"], None)
        self._resolve(self.clients, {i["personal_id"] for i in items}, _load_clients)

    def _block_users(self, block: _Block) -> set[str]:
        """The UserIDs a block names, looked up."""
        if block.by_name.get("UserID") is None:
            return set()
        wanted = set(block.values("UserID"))
        wanted.discard(None)
        self._resolve(self.users, wanted, _load_users)
        return wanted

    def _block_is_new(
        self, block: _Block, model, key_field: str, wanted_users, table_was_empty=False
    ) -> bool:
        """The usual block: new records (certainly so in a table that was empty), known users,
        both timestamps. Anything else goes row by row, which reports each problem."""
        values = block.values
        return (
            all(self.users.get(u) is not None for u in wanted_users)
            and None not in values("DateCreated")
            and None not in values("DateUpdated")
            and (
                table_was_empty or not _existing(model, key_field, values(KEYS[block.reader.file]))
            )
        )

    def _block_user_pks(self, block: _Block, wanted_users) -> list:
        """The block's users (looked up by _block_users) as primary keys, one per row."""
        return list(map(self.users.get, block.values("UserID"))) if wanted_users else block.nothing

    def _count_created(self, block: _Block, summary: FileSummary) -> int:
        """Counts a block of new records as created or (with DateDeleted) deleted; the deleted."""
        deletions = len(block.lines) - block.values("DateDeleted").count(None)
        summary.deleted += deletions
        summary.created += len(block.lines) - deletions
        return deletions

    def _clients_block(self, file, block: _Block, summary) -> None:
        """_clients() column by column, for a block of new clients."""
        values = block.values
        wanted_users = self._block_users(block)
        if not self._block_is_new(block, Client, "personal_id", wanted_users):
            self._clients(file, block.rows(), summary)
            return
        ids = values("PersonalID")
        names = [[v or "" for v in values(n)] for n in ("FirstName", "MiddleName", "LastName")]
        ssns = list(map(self._ssn, block.lines, values("SSN")))
        self._count_created(block, summary)
        self.table(Client).insert_columns(
            {
                "personal_id": ids,
                "first_name": names[0],
                "middle_name": names[1],
                "last_name": names[2],
                "name_suffix": [v or "" for v in values("NameSuffix")],
                "name_data_quality": _or_not_collected(values("NameDataQuality")),
                "dob": values("DOB"),
                "dob_data_quality": _or_not_collected(values("DOBDataQuality")),
                "ssn_encrypted": [encrypted for encrypted, _ in ssns],
                "ssn_last4": [last4 for _, last4 in ssns],
                "ssn_data_quality": _or_not_collected(values("SSNDataQuality")),
                "veteran_status": _or_not_collected(values("VeteranStatus")),
                "search_name": [fold(" ".join(parts)) for parts in zip(*names, strict=True)],
                "organization_id": [getattr(self.organization, "pk", None)] * len(ids),
                "created_by_id": self._block_user_pks(block, wanted_users),
                "hud_data": block.extras(_CLIENT_MODELLED, renames=_CLIENT_RENAMES),
                "created_at": values("DateCreated"),
                "updated_at": values("DateUpdated"),
                "deleted_at": values("DateDeleted"),
            },
            len(ids),
            ready=_STORED_STAMPS,
        )
        for personal_id in ids:
            self.clients.pop(personal_id, None)
        self._resolve(self.clients, set(ids), _load_clients)

    def _enrollments_block(self, file, block: _Block, summary) -> None:
        """_enrollments() column by column, for a block of new enrollments of known clients and
        projects."""
        values = block.values
        personal_ids, project_ids = values("PersonalID"), values("ProjectID")
        self._resolve(self.clients, set(personal_ids), _load_clients)
        self._resolve(self.projects, set(project_ids), _load_projects)
        client_pks = list(map(self.clients.get, personal_ids))
        projects = list(map(self.projects.get, project_ids))
        wanted_users = self._block_users(block)
        if (
            None in client_pks
            or None in projects
            or not self.rejected["Client"].isdisjoint(personal_ids)
            or not self.rejected["Project"].isdisjoint(project_ids)
            or not self._block_is_new(block, Enrollment, "hud_enrollment_id", wanted_users)
        ):
            self._enrollments(file, block.rows(), summary)
            return
        ids, deleted = values("EnrollmentID"), values("DateDeleted")
        households, relationships = values("HouseholdID"), values("RelationshipToHoH")
        for household_id, relationship, gone, line in zip(
            households, relationships, deleted, block.lines, strict=True
        ):
            if not gone:
                household = self.households.setdefault(household_id, [0, line])
                household[0] += relationship == 1
        self._count_created(block, summary)
        count = len(ids)
        self.table(Enrollment).insert_columns(
            {
                "hud_enrollment_id": ids,
                "client_id": client_pks,
                "project_id": [project[0] for project in projects],
                "entry_date": values("EntryDate"),
                "household_id": households,
                "relationship_to_hoh": _or_not_collected(relationships),
                "hud_data": block.extras(_ENROLLMENT_MODELLED),
                "created_by_id": self._block_user_pks(block, wanted_users),
                "created_at": values("DateCreated"),
                "updated_at": values("DateUpdated"),
                "deleted_at": deleted,
                # Exit fields of a new enrollment (Exit.csv fills them).
                "exit_date": block.nothing,
                "destination": block.nothing,
                "hud_exit_id": block.nothing,
                "exit_hud_data": [{}] * count,
            },
            count,
            ready=_STORED_STAMPS,
        )
        for hud_id in ids:
            self.enrollments.pop(hud_id, None)
        self._resolve(self.enrollments, set(ids), _load_enrollments)

    def _ssn(self, line: int, ssn: str | None) -> tuple[str, str]:
        """The SSN encrypted (as clients/ssn.py stores it) and its last four digits."""
        ssn = (ssn or "").strip()
        if not ssn or ssn == "000000000":  # a placeholder carries no information
            return "", ""
        if not ssn.isdigit() or len(ssn) != 9:
            # The report is a file people pass around: it shows the SSN masked, never in full.
            masked = "x" * max(len(ssn) - 4, 0) + ssn[-4:]
            self.problem(WARNING, "Client.csv", line, "SSN", masked, MSG_PARTIAL_SSN)
            return "", ssn[-4:] if ssn[-4:].isdigit() else ""
        holder = SimpleNamespace(ssn_encrypted="", ssn_last4="")
        set_ssn(holder, ssn)
        return holder.ssn_encrypted, holder.ssn_last4

    def _enrollments(self, file, rows, summary) -> None:
        if isinstance(rows, _Block):
            self._enrollments_block(file, rows, summary)
            return
        self._resolve(self.clients, {r.values["PersonalID"] for r in rows}, _load_clients)
        self._resolve(self.projects, {r.values["ProjectID"] for r in rows}, _load_projects)
        self._preload_users(rows)
        modelled = _ENROLLMENT_MODELLED
        items = []
        for row in rows:
            v = row.values
            if not self._check_reference(
                file, row, summary, "PersonalID", v["PersonalID"], "Client", self.clients
            ):
                continue
            if not self._check_reference(
                file, row, summary, "ProjectID", v["ProjectID"], "Project", self.projects
            ):
                continue
            user_pk = self._user_pk(file, row)
            created, updated, deleted = self._timestamps(v)
            relationship = v["RelationshipToHoH"]
            if not v["DateDeleted"]:
                household = self.households.setdefault(v["HouseholdID"], [0, row.line])
                household[0] += relationship == 1
            items.append(
                {
                    "hud_enrollment_id": v["EnrollmentID"],
                    "client_id": self.clients[v["PersonalID"]],
                    "project_id": self.projects[v["ProjectID"]][0],
                    "entry_date": v["EntryDate"],
                    "household_id": v["HouseholdID"],
                    "relationship_to_hoh": relationship if relationship is not None else 99,
                    "hud_data": _extra(v, modelled),
                    "created_by_id": user_pk,
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                    # Exit fields of a new enrollment (Exit.csv fills them).
                    "exit_date": None,
                    "destination": None,
                    "hud_exit_id": None,
                    "exit_hud_data": {},
                }
            )
        self._upsert(
            model=Enrollment,
            key_field="hud_enrollment_id",
            summary=summary,
            items=items,
            update_fields=[
                "client_id",
                "project_id",
                "entry_date",
                "household_id",
                "relationship_to_hoh",
                "hud_data",
            ],
        )
        for item in items:
            self.enrollments.pop(item["hud_enrollment_id"], None)
        self._resolve(self.enrollments, {i["hud_enrollment_id"] for i in items}, _load_enrollments)

    def _exits(self, file, rows, summary) -> None:
        self._resolve(self.enrollments, {r.values["EnrollmentID"] for r in rows}, _load_enrollments)
        self._preload_users(rows)
        exit_ids = [r.values["ExitID"] for r in rows]
        owners = dict(
            Enrollment.objects.filter(hud_exit_id__in=exit_ids).values_list("hud_exit_id", "pk")
        )
        current = {
            e["pk"]: e
            for e in Enrollment.objects.filter(
                hud_enrollment_id__in=[r.values["EnrollmentID"] for r in rows]
            ).values("pk", "exit_date", "exit_hud_data")
        }
        modelled = ["ExitID", "EnrollmentID", "PersonalID", "ExitDate", "Destination"]
        updates = []
        for row in rows:
            v = row.values
            enrollment = self._enrollment_of(file, row, summary)
            if enrollment is None:
                continue
            pk, _client, personal_id, _project, _type, entry_date = enrollment
            if v["ExitDate"] < entry_date:
                self._reject_row(
                    file,
                    row,
                    summary,
                    "ExitDate",
                    _iso(v["ExitDate"]),
                    MSG_EXIT_BEFORE_ENTRY.format(entry=entry_date.isoformat()),
                )
                continue
            owner = owners.get(v["ExitID"])
            if owner is not None and owner != pk:
                self._reject_row(file, row, summary, "ExitID", v["ExitID"], MSG_EXIT_ID_TAKEN)
                continue
            self._user_pk(file, row)
            created, updated, deleted = self._timestamps(v)
            data = _extra(v, modelled)
            data.update({"DateCreated": _iso(created), "DateUpdated": _iso(updated)})
            if deleted:
                # Kept so that an "updated" export can show the deletion.
                data["DateDeleted"] = _iso(deleted)
                data["ExitDate"] = _iso(v["ExitDate"])
            destination = v["Destination"]
            if destination in codes.NOT_DESTINATION:
                self.problem(
                    WARNING,
                    "Exit.csv",
                    row.line,
                    "Destination",
                    str(destination),
                    MSG_NOT_IN_LIST_STORED.format(list_id="3.12.1", stored=99),
                )
                destination = 99
            old = current.get(pk)
            old_data = old["exit_hud_data"] if old else {}
            old_updated = old_data.get("DateUpdated")
            if (
                old_updated
                and old_updated >= data["DateUpdated"]
                and bool(old_data.get("DateDeleted")) == bool(deleted)
            ):
                summary.unchanged += 1
                continue
            if deleted:
                summary.deleted += 1
            elif old_updated:
                summary.updated += 1
            else:
                summary.created += 1
            updates.append(
                {
                    "pk": pk,
                    "exit_date": None if deleted else v["ExitDate"],
                    "destination": None
                    if deleted
                    else (destination if destination is not None else 99),
                    "hud_exit_id": v["ExitID"],
                    "exit_hud_data": data,
                }
            )
        _bulk_update(
            Enrollment, updates, ["exit_date", "destination", "hud_exit_id", "exit_hud_data"]
        )

    def _service_code(self, record_type: int, type_provided: int) -> int:
        key = (record_type, type_provided)
        if not self.service_codes:
            for code in (
                ServiceCode.objects.filter(hud_record_type__isnull=False)
                .order_by("pk")
                .values("pk", "hud_record_type", "hud_type_provided")
            ):
                self.service_codes.setdefault(
                    (code["hud_record_type"], code["hud_type_provided"]), code["pk"]
                )
            self.service_codes.setdefault((0, 0), 0)  # loaded marker
        if key not in self.service_codes:
            group, _ = ServiceGroup.objects.get_or_create(
                name=IMPORTED_SERVICES_GROUP, organization=None
            )
            code = ServiceCode.objects.create(
                group=group,
                name=codes.hud_service_label(record_type, type_provided)[:200],
                hud_record_type=record_type,
                hud_type_provided=type_provided,
            )
            self.service_codes[key] = code.pk
        return self.service_codes[key]

    def _enrollment_of(self, file, row: _Row, summary):
        """The known enrollment a row names, checked against the row's PersonalID; or None with
        the row rejected."""
        v = row.values
        if not self._check_reference(
            file, row, summary, "EnrollmentID", v["EnrollmentID"], "Enrollment", self.enrollments
        ):
            return None
        enrollment = self.enrollments[v["EnrollmentID"]]
        personal_id = enrollment[2]
        if v["PersonalID"] != personal_id and not _is_alias_of(v["PersonalID"], enrollment[1]):
            self._reject_row(
                file,
                row,
                summary,
                "PersonalID",
                v["PersonalID"],
                MSG_PERSON_MISMATCH.format(expected=personal_id),
            )
            return None
        return enrollment

    def _services(self, file, rows, summary) -> None:
        if isinstance(rows, _Block):
            self._services_block(file, rows, summary)
            return
        self._resolve(self.enrollments, {r.values["EnrollmentID"] for r in rows}, _load_enrollments)
        self._preload_users(rows)
        modelled = _SERVICES_MODELLED
        items = []
        for row in rows:
            v = row.values
            enrollment = self._enrollment_of(file, row, summary)
            if enrollment is None:
                continue
            enrollment_pk, client_pk, personal_id, project_pk, _type, _entry = enrollment
            record_type, type_provided = v["RecordType"], v["TypeProvided"]
            if not codes.type_provided_valid(record_type, type_provided):
                self._reject_row(
                    file,
                    row,
                    summary,
                    "TypeProvided",
                    str(type_provided),
                    MSG_TYPE_NOT_FOR_RECORD.format(record_type=record_type),
                )
                continue
            user_pk = self._user_pk(file, row)
            if user_pk is not None:
                # The user is the service's created_by; exports read UserID from there.
                v["UserID"] = None
            created, updated, deleted = self._timestamps(v)
            items.append(
                {
                    "hud_services_id": v["ServicesID"],
                    "client_id": client_pk,
                    "enrollment_id": enrollment_pk,
                    "project_id": project_pk,
                    "service_code_id": self._service_code(record_type, type_provided),
                    "date_provided": v["DateProvided"],
                    "units": 1,
                    "fa_amount": v["FAAmount"],
                    "hud_data": _extra(v, modelled),
                    "created_by_id": user_pk,
                    "provider_id": user_pk,
                    "created_at": created,
                    "updated_at": updated,
                    "deleted_at": deleted,
                    "void_reason": DELETED_IN_SOURCE if deleted else "",
                }
            )
        self._upsert(
            model=Service,
            key_field="hud_services_id",
            summary=summary,
            items=items,
            update_fields=[
                "client_id",
                "enrollment_id",
                "project_id",
                "service_code_id",
                "date_provided",
                "fa_amount",
                "hud_data",
                "void_reason",
            ],
        )

    def _services_block(self, file, block: "_Block", summary) -> None:
        """_services() for a block of clean rows given column by column (parse_block). The
        usual case (known enrollments and users, valid types, new IDs) is done column-wise; any
        other block goes through _services() row by row, which reports each problem."""
        count = len(block.lines)
        values = block.values
        enrollment_ids = values("EnrollmentID")
        self._resolve(self.enrollments, set(enrollment_ids), _load_enrollments)
        wanted_users = self._block_users(block)
        enrollments = list(map(self.enrollments.get, enrollment_ids))
        record_types, types_provided = values("RecordType"), values("TypeProvided")
        pairs = list(zip(record_types, types_provided, strict=True))
        distinct_pairs = dict.fromkeys(pairs)
        rejected = self.rejected["Enrollment"]
        usual = (
            None not in enrollments
            and not (rejected and not rejected.isdisjoint(enrollment_ids))
            and list(map(itemgetter(2), enrollments)) == values("PersonalID")
            and all(codes.type_provided_valid(r, t) for r, t in distinct_pairs)
            and self._block_is_new(
                block,
                Service,
                "hud_services_id",
                wanted_users,
                table_was_empty=self.services_were_empty,
            )
        )
        if not usual:
            self._services(file, block.rows(), summary)
            return
        code_of = {pair: self._service_code(*pair) for pair in distinct_pairs}
        user_pks = self._block_user_pks(block, wanted_users)
        # UserID is always dropped from hud_data: a known user is the service's created_by.
        hud_data = block.extras(_SERVICES_MODELLED, also_modelled=("UserID",))
        deleted = values("DateDeleted")
        deletions = self._count_created(block, summary)
        self.table(Service).insert_columns(
            {
                "hud_services_id": values("ServicesID"),
                "client_id": list(map(itemgetter(1), enrollments)),
                "enrollment_id": list(map(itemgetter(0), enrollments)),
                "project_id": list(map(itemgetter(3), enrollments)),
                "service_code_id": list(map(code_of.__getitem__, pairs)),
                "date_provided": values("DateProvided"),
                "units": [1] * count,
                "fa_amount": values("FAAmount"),
                "hud_data": hud_data,
                "created_by_id": user_pks,
                "provider_id": user_pks,
                "created_at": values("DateCreated"),
                "updated_at": values("DateUpdated"),
                "deleted_at": deleted,
                "void_reason": [DELETED_IN_SOURCE if d else "" for d in deleted]
                if deletions
                else [""] * count,
            },
            count,
            ready=_STORED_STAMPS,
        )


def _or_not_collected(values: list) -> list:
    """A required list column's values, with 99 (data not collected) for the missing ones."""
    return [codes.NOT_COLLECTED if v is None else v for v in values]


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _existing(model, key_field: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored records with these HUD IDs: pk, updated_at, deleted_at."""
    table, pk, key, updated_at, deleted_at = _sql_names(
        model, "pk", key_field, "updated_at", "deleted_at"
    )
    rows = _select_in(f"SELECT {pk}, {key}, {updated_at}, {deleted_at} FROM {table}", key, ids)  # noqa: S608
    return {
        hud_id: {"pk": pk, "updated_at": _aware(updated), "deleted_at": _aware(deleted)}
        for pk, hud_id, updated, deleted in rows
    }


def values_key(reader: _FileReader, values: list[str]) -> str | None:
    """The HUD ID of a rejected row, read straight from its cells (for rejecting dependants)."""
    for column, position in reader.plan:
        if column.name == reader.key_column and position is not None and position < len(values):
            return values[position].strip() or None
    return None


def _load_organizations(ids: set[str]) -> dict:
    return dict(
        Organization.objects.filter(hud_organization_id__in=ids).values_list(
            "hud_organization_id", "pk"
        )
    )


def _load_users(ids: set[str]) -> dict:
    # By hud_user_id only: a numeric UserID from another system must never match one of our
    # primary keys by accident.
    return dict(User.objects.filter(hud_user_id__in=ids).values_list("hud_user_id", "pk"))


def _load_projects(ids: set[str]) -> dict:
    return {
        hud_id: (pk, project_type)
        for hud_id, pk, project_type in Project.objects.filter(hud_project_id__in=ids).values_list(
            "hud_project_id", "pk", "project_type"
        )
    }


def _load_clients(ids: set[str]) -> dict:
    """HUD PersonalID -> client pk; a record merged into another (clients/merging.py) answers
    with its survivor, so a later import's enrollments and services land on the survivor."""
    table, personal_id, pk, merged_into = _sql_names(Client, "personal_id", "pk", "merged_into")
    return dict(
        _select_in(
            f"SELECT {personal_id}, COALESCE({merged_into}, {pk}) FROM {table}",  # noqa: S608
            personal_id,
            ids,
        )
    )


def _is_alias_of(personal_id: str, client_pk: int) -> bool:
    """Whether `personal_id` is a record merged into client `client_pk` (clients/merging.py):
    its enrollments moved to the survivor, and later exports still name the old PersonalID."""
    return Client.objects.filter(personal_id=personal_id, merged_into_id=client_pk).exists()


def _load_enrollments(ids: set[str]) -> dict:
    """HUD EnrollmentID -> (pk, client pk, PersonalID, project pk, project type, entry date)."""
    enrollments, hud_id, pk, client_id, project_id, entry_date = _sql_names(
        Enrollment, "hud_enrollment_id", "pk", "client_id", "project_id", "entry_date"
    )
    clients, client_pk, personal_id = _sql_names(Client, "pk", "personal_id")
    projects, project_pk, project_type = _sql_names(Project, "pk", "project_type")
    rows = _select_in(
        f"SELECT {enrollments}.{hud_id}, {enrollments}.{pk}, {client_id}, {personal_id}, "  # noqa: S608
        f"{project_id}, {project_type}, {entry_date} FROM {enrollments} "
        f"JOIN {clients} ON {clients}.{client_pk} = {client_id} "
        f"JOIN {projects} ON {projects}.{project_pk} = {project_id}",
        f"{enrollments}.{hud_id}",
        ids,
    )
    return {row[0]: row[1:] for row in rows}


def _sql_names(model, *fields: str) -> list[str]:
    """The model's table and the fields' columns, quoted for SQL."""
    quote, meta = connection.ops.quote_name, model._meta
    columns = [meta.pk.column if name == "pk" else meta.get_field(name).column for name in fields]
    return [quote(meta.db_table), *map(quote, columns)]


def _select_in(select: str, key: str, ids: Iterable[str]) -> list[tuple]:
    """`select` for the rows whose `key` is one of `ids`. Plain SQL: Django's per-parameter
    preparation of a 2,000-value IN list costs more than the query."""
    ids = list(ids)
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"{select} WHERE {key} IN ({', '.join(['%s'] * len(ids))})", ids)
        return cursor.fetchall()
