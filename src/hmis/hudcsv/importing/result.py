"""What an import found and did: its problems and, file by file, what happened to the rows."""

import csv
import io
from dataclasses import dataclass, field
from typing import IO

from hmis.hudcsv.importing.messages import ERROR

MAX_PROBLEMS_KEPT = 100_000


class Refused(Exception):
    """The whole import is refused (the message says why); nothing is written."""


@dataclass(slots=True)
class Problem:
    severity: str
    file: str
    line: int | None
    column: str
    value: str
    reason: str
    # The severity the same problem has under `strict` (a tolerated problem that strict rejects).
    strict_severity: str = ""

    def __post_init__(self):
        self.strict_severity = self.strict_severity or self.severity


@dataclass
class FileSummary:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0
    superseded: int = 0  # lines repeating an ID, beaten by one with a later DateUpdated

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "superseded": self.superseded,
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
    strict_error_count: int = 0  # the warnings that `strict` would make errors
    strict: bool = False
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
            if problem.strict_severity == ERROR:
                self.strict_error_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    @property
    def problems_left_out(self) -> int:
        return self.error_count + self.warning_count - len(self.problems)

    def report_csv(self, stream: IO[str]) -> None:
        """The validation report: one line per problem."""
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(["Severity", "File", "Line", "Column", "Value", "Reason", "In strict mode"])
        if self.refused:
            writer.writerow([ERROR, "", "", "", "", self.refused, ERROR])
        for p in self.problems:
            writer.writerow(
                [p.severity, p.file, p.line or "", p.column, p.value, p.reason, p.strict_severity]
            )

    def report_text(self) -> str:
        buffer = io.StringIO()
        self.report_csv(buffer)
        return buffer.getvalue()
