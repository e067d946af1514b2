"""The driver: reads each file in dependency order, chunk by chunk, through its FileReader and its
spec's write, and keeps what later files need to know (IDs looked up, IDs rejected)."""

import csv
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from hmis.hudcsv.bulk_insert import Table
from hmis.hudcsv.collector import cycle_collector_paused
from hmis.hudcsv.columns import FILES, KEYS
from hmis.hudcsv.csvio import BlockReader, Source
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.files import SPECS
from hmis.hudcsv.importing.messages import (
    ERROR,
    MSG_BAD_CSV,
    MSG_EMPTY_FILE,
    MSG_NOT_UTF8,
    MSG_PERSON_MISMATCH,
    MSG_REJECTED_REFERENCE,
    MSG_SUPERSEDED,
    MSG_SUPERSEDES,
    MSG_UNKNOWN_REFERENCE,
    MSG_UNKNOWN_USER,
    WARNING,
)
from hmis.hudcsv.importing.reader import Chunk, FileReader
from hmis.hudcsv.importing.result import FileSummary, ImportResult, Problem, Refused
from hmis.hudcsv.importing.times import Times
from hmis.services.models import Service

# Rows per chunk: each chunk is one lookup of what is stored and one write per table.
CHUNK_SIZE = 2000


class Importer:
    def __init__(self, *, source: Source, result: ImportResult, organization, strict, progress):
        self.source = source
        self.result = result
        self.organization = organization
        self.organization_pk = getattr(organization, "pk", None)
        self.strict = strict
        self.progress = progress
        self.rejected: dict[str, set[str]] = {name: set() for name in FILES}
        # HUD ID -> what later files need to know about the record (None: not stored).
        self.organizations: dict[str, int | None] = {}
        self.users: dict[str, int | None] = {}
        self.projects: dict[str, tuple | None] = {}
        self.clients: dict[str, int | None] = {}
        self.enrollments: dict[str, tuple | None] = {}
        self.service_codes: dict[tuple[int, int], int] = {}
        self.tables: dict[Any, Table] = {}
        self.empty_tables: dict[Any, bool] = {}
        # EnrollmentID -> (HouseholdID, head of household?, line): HUD wants exactly one head.
        self.household_of: dict[str, tuple[str, bool, int]] = {}
        self.earliest_entries: dict | None = None  # read from Enrollment.csv when needed
        self.times = Times()

    def problem(self, severity, file, line, column, value, reason, strict_severity="") -> None:
        self.result.add(Problem(severity, file, line, column, value, reason, strict_severity))

    def table(self, model) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model)
        return self.tables[model]

    def table_was_empty(self, model) -> bool:
        """Whether the table was empty when this import first wrote to it: then no stored row can
        hold an imported ID (IDs are unique within a file) and none need be looked up."""
        if model not in self.empty_tables:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {store.sql_names(model)[0]} LIMIT 1")  # noqa: S608
                self.empty_tables[model] = cursor.fetchone() is None
        return self.empty_tables[model]

    # --- the files ---

    def run(self) -> None:
        with cycle_collector_paused():
            for spec in SPECS:
                if spec.file == "Services":
                    with self._services_load():
                        self._import_file(spec)
                else:
                    self._import_file(spec)

    def _import_file(self, spec) -> None:
        summary = FileSummary(file=f"{spec.file}.csv")
        self.result.summaries[summary.file] = summary
        try:
            self._read_file(spec, summary)
        except UnicodeDecodeError:
            raise Refused(MSG_NOT_UTF8.format(file=summary.file, rows=summary.rows)) from None
        except csv.Error as error:
            raise Refused(
                MSG_BAD_CSV.format(file=summary.file, rows=summary.rows, error=error)
            ) from None

    def _read_file(self, spec, summary: FileSummary) -> None:
        file_name = summary.file
        expected = self.source.count_lines(file_name) if self.progress else 0
        with self.source.open_text(file_name) as stream:
            blocks = BlockReader(stream)
            if not blocks.header:
                self.problem(ERROR, file_name, 1, "", "", MSG_EMPTY_FILE)
                return
            reader = FileReader(self, spec, blocks.header)
            while True:
                lines, raw_rows = blocks.read(CHUNK_SIZE)
                if not raw_rows:
                    break
                summary.rows += len(raw_rows)
                if reader.missing_key_column:
                    summary.rejected += len(raw_rows)
                    continue
                chunk, rejected = reader.read(lines, raw_rows)
                summary.rejected += rejected
                spec.write(self, chunk, summary)
                if self.progress:
                    self.progress(file_name, summary.rows, expected)
            if reader.repeats:
                self._settle_repeats(spec, reader, summary)
        if spec.after:
            spec.after(self)
        if self.progress:
            self.progress(file_name, summary.rows, max(expected, summary.rows))

    def _settle_repeats(self, spec, reader: FileReader, summary: FileSummary) -> None:
        """HUD practice for an ID on several lines: the line with the latest DateUpdated wins
        (the earliest such line on a tie). The first line of each ID has been written already;
        the best of its repeats is written now, and the upsert rule (a later DateUpdated
        updates) decides between the two. The other lines are superseded."""
        by_key: dict[str, list[tuple[int, dict]]] = {}
        for line, values in reader.repeats:
            by_key.setdefault(values[reader.key_column], []).append((line, values))
        reader.repeats = []
        self.empty_tables.clear()  # the first lines are stored now
        column, file_name = reader.key_column, reader.file_name
        for key, rows in by_key.items():
            best = max(
                rows,
                key=lambda r: (_stamp(r[1]), -r[0]),
            )
            before = self.household_of.get(key)
            outcome = FileSummary(file=file_name)
            spec.write(self, Chunk.of_rows([best], reader.names), outcome)
            kept = outcome.created + outcome.updated + outcome.deleted
            if outcome.created:  # the first line was rejected: this one stands instead
                summary.created += outcome.created
            summary.rejected += outcome.rejected
            if kept:
                self.rejected[spec.file].discard(key)
            elif before is not None:
                self.household_of[key] = before
            # Every line of the ID but one is superseded, unless the first line was rejected
            # (the best repeat then stands alone) or the best repeat is (its own problem).
            summary.superseded += len(rows) - (1 if outcome.rejected or outcome.created else 0)
            for row in rows:
                if row is best and outcome.rejected:
                    continue
                reason = MSG_SUPERSEDES if row is best and kept else MSG_SUPERSEDED
                self.problem(
                    WARNING,
                    file_name,
                    row[0],
                    column,
                    key,
                    reason.format(column=column, value=key),
                    strict_severity=ERROR,
                )

    @contextmanager
    def _services_load(self):
        """Loading Services.csv, the big file, into an empty services table (a new site): on
        SQLite the indexes are dropped and built again once the rows are in (sorting a million
        keys once is faster than keeping seven B-trees in order row by row). Inside the import's
        transaction, so a failure or a dry run rolls the indexes back with the rows; rebuilt
        from the database's own definitions (sqlite_master), so exactly the migration's."""
        indexes = []
        if connection.vendor == "sqlite" and self.table_was_empty(Service):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL",
                    [Service._meta.db_table],
                )
                indexes = cursor.fetchall()
                for name, _sql in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        if indexes:
            with connection.cursor() as cursor:
                # SQLite may sort for CREATE INDEX on helper threads (a setting per connection).
                cursor.execute("PRAGMA threads")
                threads = cursor.fetchone()[0]
                cursor.execute("PRAGMA threads = 2")
                try:
                    for _name, sql in indexes:
                        cursor.execute(sql)
                finally:
                    cursor.execute(f"PRAGMA threads = {int(threads)}")

    # --- helpers for the files' writes ---

    def reject_row(self, chunk: Chunk, i: int, file: str, summary, column, value, reason) -> None:
        self.problem(ERROR, f"{file}.csv", chunk.lines[i], column, value or "", reason)
        chunk.keep[i] = False
        summary.rejected += 1
        key = chunk.values(KEYS[file])[i]
        if key:
            self.rejected[file].add(key)

    def resolve(self, cache: dict, ids, load: Callable[[set[str]], dict]) -> None:
        unknown = {i for i in ids if i is not None and i not in cache}
        if unknown:
            found = load(unknown)
            for hud_id in unknown:
                cache[hud_id] = found.get(hud_id)

    def check_references(self, chunk, file, summary, column, target_file, cache, load) -> None:
        """Rejects the kept rows whose `column` names a record neither stored nor kept."""
        values = chunk.values(column)
        self.resolve(cache, {values[i] for i in chunk.kept()}, load)
        rejected = self.rejected[target_file]
        for i in chunk.kept():
            value = values[i]
            if value in rejected:
                reason = MSG_REJECTED_REFERENCE.format(
                    file=f"{target_file}.csv", column=column, value=value
                )
            elif cache.get(value) is None:
                reason = MSG_UNKNOWN_REFERENCE.format(value=value, file=f"{target_file}.csv")
            else:
                continue
            self.reject_row(chunk, i, file, summary, column, value, reason)

    def check_enrollments(self, chunk, file: str, summary) -> None:
        """Rejects the kept rows naming an enrollment neither stored nor kept, or naming it
        with another PersonalID."""
        self.check_references(
            chunk,
            file,
            summary,
            "EnrollmentID",
            "Enrollment",
            self.enrollments,
            store.load_enrollments,
        )
        enrollment_ids, personal_ids = chunk.values("EnrollmentID"), chunk.values("PersonalID")
        for i in chunk.kept():
            enrollment = self.enrollments[enrollment_ids[i]]
            expected = enrollment[2]
            if personal_ids[i] != expected and not store.is_alias_of(
                personal_ids[i], enrollment[1]
            ):
                reason = MSG_PERSON_MISMATCH.format(expected=expected)
                self.reject_row(chunk, i, file, summary, "PersonalID", personal_ids[i], reason)

    def user_pks(self, chunk, indexes: list[int], file: str) -> list[int | None]:
        """The rows' UserIDs as users; an unknown one is a warning and the row has no user."""
        user_ids = chunk.columns.get("UserID")
        if user_ids is None:
            return [None] * len(indexes)
        wanted = {user_ids[i] for i in indexes}
        self.resolve(self.users, wanted, store.load_users)
        if all(self.users.get(u) is not None for u in wanted if u):  # every user known
            return [self.users.get(user_ids[i]) if user_ids[i] else None for i in indexes]
        pks = []
        for i in indexes:
            hud_id = user_ids[i]
            pk = self.users.get(hud_id) if hud_id else None
            if hud_id and pk is None:
                self.problem(
                    WARNING,
                    f"{file}.csv",
                    chunk.lines[i],
                    "UserID",
                    hud_id,
                    MSG_UNKNOWN_USER.format(value=hud_id),
                )
                user_ids[i] = None  # not kept in hud_data either
            pks.append(pk)
        return pks

    def timestamps(self, chunk, indexes: list[int]) -> dict[str, list]:
        """created_at, updated_at and deleted_at of the rows (as Times holds them): the source's
        DateCreated, DateUpdated (else DateCreated) and DateDeleted."""
        created, updated = chunk.values("DateCreated"), chunk.values("DateUpdated")
        deleted = chunk.values("DateDeleted")
        now = self.times.held(timezone.now())
        created_at = [created[i] or updated[i] or now for i in indexes]
        return {
            "created_at": created_at,
            "updated_at": [updated[i] or c for i, c in zip(indexes, created_at, strict=True)],
            "deleted_at": [deleted[i] for i in indexes],
        }


def _stamp(values: dict) -> tuple:
    """A row's DateUpdated (else DateCreated) for ordering, a row without either first."""
    stamp = values.get("DateUpdated") or values.get("DateCreated")
    return (stamp is not None, stamp)
