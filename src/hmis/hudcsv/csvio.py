"""Reading and writing HUD CSV files with the standard csv module, one row at a time.

Reading tolerates what real files do (reference section 8): a UTF-8 byte-order mark, header case
variants, quoted or unquoted fields, ``YYYY-MM-DD`` and ``MM-DD-YYYY`` dates with or without a time.
Writing produces only the HUD forms: strings quoted, numbers, dates and times bare, null as an
empty field.
"""

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import accumulate, islice
from pathlib import Path
from typing import IO

from django.utils import timezone

from hmis.hudcsv.columns import HEADER_ALIASES, Column
from hmis.hudcsv.limits import GuardedStream, ImportLimits, LimitExceeded, check_zip_entries

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class SourceError(Exception):
    """The path is not a folder or zip of CSV files we can read."""


class Source:
    """A HUD CSV export: a folder or a zip file. File names are matched case-insensitively."""

    def __init__(self, path: str | Path | IO[bytes], *, limits: ImportLimits | None = None):
        self._zip: zipfile.ZipFile | None = None
        self._folder: Path | None = None
        self.limits = limits or ImportLimits.from_settings()
        self._deadline = time.monotonic() + self.limits.max_seconds
        if not isinstance(path, str | Path):
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise SourceError("The upload is not a zip file.") from None
            self.name = getattr(path, "name", "upload.zip")
            self._names = self._zip_names()
            return
        path = Path(path)
        self.name = path.name
        if path.is_dir():
            self._folder = path
            self._names = {p.name.lower(): p.name for p in path.iterdir() if p.is_file()}
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise SourceError(f"{path} is neither a folder nor a zip file.") from None
            self._names = self._zip_names()
        else:
            raise SourceError(f"{path} does not exist.")

    def _zip_names(self) -> dict[str, str]:
        try:
            check_zip_entries(self._zip.infolist(), self.limits)
        except LimitExceeded as refusal:
            self._zip.close()
            raise SourceError(str(refusal)) from None
        names = {}
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            base = info.filename.rsplit("/", 1)[-1]
            if base and not base.startswith("."):
                names.setdefault(base.lower(), info.filename)
        return names

    def file_names(self) -> list[str]:
        """Base names of the files present, as spelled in the source."""
        return sorted(name.rsplit("/", 1)[-1] for name in self._names.values())

    def has(self, file_name: str) -> bool:
        return file_name.lower() in self._names

    def open_bytes(self, file_name: str) -> IO[bytes]:
        """The file's bytes, counted against the import's limits as they are read (a file too
        long, too many lines or read past the deadline raises LimitExceeded)."""
        real = self._names[file_name.lower()]
        if self._zip is not None:
            raw, declared = self._zip.open(real), self._zip.getinfo(real).file_size
        else:
            raw, declared = open(self._folder / real, "rb"), None  # type: ignore[operator]  # noqa: SIM115
        guarded = GuardedStream(
            raw, name=file_name, limits=self.limits, deadline=self._deadline, declared=declared
        )
        return io.BufferedReader(guarded, buffer_size=1 << 16)

    def open_text(self, file_name: str) -> IO[str]:
        # utf-8-sig drops a byte-order mark when there is one.
        return io.TextIOWrapper(self.open_bytes(file_name), encoding="utf-8-sig", newline="")

    def count_lines(self, file_name: str) -> int:
        """Data lines in a file (for progress), by counting newlines without parsing."""
        count = 0
        last = b"\n"
        with self.open_bytes(file_name) as stream:
            while chunk := stream.read(1 << 20):
                count += chunk.count(b"\n")
                last = chunk[-1:]
        if last != b"\n":
            count += 1
        return max(count - 1, 0)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def canonical_header(raw: str, expected: Sequence[str]) -> str | None:
    """The spec's name for a header cell, whatever its case; None for a column not in the spec."""
    cleaned = raw.strip().lstrip("\ufeff").strip()
    lowered = cleaned.lower()
    if lowered in HEADER_ALIASES and HEADER_ALIASES[lowered] in expected:
        return HEADER_ALIASES[lowered]
    for name in expected:
        if name.lower() == lowered:
            return name
    return None


def read_rows(stream: IO[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (line number, values). Blank lines are skipped."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[str]]]:
        for values in reader:
            if _is_blank(values):
                continue
            yield reader.line_num, values

    return header, rows()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _is_blank(values: list[str]) -> bool:
    return not values or (len(values) == 1 and not values[0].strip())


class BlockReader:
    """A CSV file read in blocks of rows, with each row's physical line number (the last line of
    a row whose quoted fields hold line breaks), blank lines skipped: what read_rows gives, without
    a Python step per row. Lines are counted from the reader's position before and after a block;
    only a block holding line breaks inside fields has its rows' line breaks counted one by one."""

    def __init__(self, stream: IO[str]):
        self._reader = csv.reader(stream)
        self.header: list[str] = next(self._reader, [])
        self._error: Exception | None = None
        self._ended = False

    def read(self, size: int) -> tuple[list[int], list[list[str]]]:
        """`size` rows, fewer only at the end of the file. When the file cannot be read further
        (not CSV, not UTF-8), the rows before the fault come first and the next call raises."""
        if self._error is not None:
            raise self._error
        lines: list[int] = []
        rows: list[list[str]] = []
        while len(rows) < size and not self._ended and self._error is None:
            more_lines, more_rows = self._read_raw(size - len(rows))
            lines += more_lines
            rows += more_rows
        if self._error is not None and not rows:
            raise self._error
        return lines, rows

    def _read_raw(self, size: int) -> tuple[list[int], list[list[str]]]:
        start = self._reader.line_num
        rows: list[list[str]] = []
        try:
            rows.extend(islice(self._reader, size))
        except (UnicodeDecodeError, csv.Error) as error:
            self._error = error
        self._ended = len(rows) < size
        if len(rows) == self._reader.line_num - start and self._error is None:
            lines = list(range(start + 1, start + len(rows) + 1))  # a line per row
        else:
            lines = list(
                accumulate(
                    (1 + sum(len(_LINE_BREAK.findall(value)) for value in row) for row in rows),
                    initial=start,
                )
            )[1:]
        if min(map(len, rows), default=2) < 2:  # a row of one cell may be a blank line
            kept = [pair for pair in zip(lines, rows, strict=True) if not _is_blank(pair[1])]
            lines, rows = [line for line, _ in kept], [row for _, row in kept]
        return lines, rows


# --- parsing values ---

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_US_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")
_MON_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """YYYY-MM-DD, MM-DD-YYYY (or with slashes) or DD-Mon-YYYY. Raises ValueError."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    if match := _US_DATE.match(text):
        month, day, year = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _MON_DATE.match(text):
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            raise ValueError(text)
        return date(int(year), month, int(day))
    raise ValueError(text)


@lru_cache(maxsize=65536)
def parse_datetime(text: str) -> datetime:
    """A date as parse_date accepts, optionally followed by hh:mm[:ss]; local time. ValueError."""
    text = text.strip()
    if len(text) == 19 and text[4] == "-" and text[10] == " ":  # the HUD form: the fast path
        return datetime.fromisoformat(text).replace(tzinfo=timezone.get_default_timezone())
    day_part, _, time_part = text.partition(" ")
    if not time_part and "T" in day_part:
        day_part, _, time_part = day_part.partition("T")
    day = parse_date(day_part)
    hour = minute = second = 0
    if time_part:
        match = _TIME.match(time_part.strip())
        if not match:
            raise ValueError(text)
        hour, minute = int(match.group(1)), int(match.group(2))
        second = int(match.group(3) or 0)
    naive = datetime(day.year, day.month, day.day, hour, minute, second)  # noqa: DTZ001
    return timezone.make_aware(naive, timezone.get_default_timezone())


def parse_int(text: str) -> int:
    value = int(text.strip())
    if value < 0:
        raise ValueError(text)
    return value


def parse_money(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


# --- writing ---


class Bare(str):
    """A string written without quotes: csv.QUOTE_NONNUMERIC leaves objects with __float__ bare."""

    __slots__ = ()

    def __float__(self) -> float:  # pragma: no cover - never called, only looked up by csv
        return 0.0


EMPTY = Bare("")
_FORBIDDEN = str.maketrans("", "", "<>[]{}")
_TWO_PLACES = Decimal("0.01")


def format_date(value: date | None):
    return EMPTY if value is None else Bare(value.isoformat())


def format_datetime(value: datetime | None):
    if value is None:
        return EMPTY
    if value.tzinfo is not None:
        # HUD's local time is the installation's TIME_ZONE (get_default_timezone is cached).
        value = value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)
    return Bare(value.replace(microsecond=0).isoformat(" "))


def format_value(column: Column, value):
    """A Python value as the HUD type of `column` says it is written."""
    if value is None or value == "":
        return EMPTY
    kind = column.type
    if kind == "S":
        text = str(value).translate(_FORBIDDEN)
        return text[: column.length] if column.length else text
    if kind == "I":
        return int(value)
    if kind == "D":
        return format_date(value if isinstance(value, date) else parse_date(str(value)))
    if kind == "T":
        return format_datetime(value if isinstance(value, datetime) else parse_datetime(str(value)))
    if kind == "M":
        return Bare(str(Decimal(value).quantize(_TWO_PLACES)))
    raise ValueError(f"unknown HUD type {kind!r}")


class Writer:
    """Writes one HUD CSV file: the header, then rows of values made by format_value."""

    def __init__(self, stream: IO[str], header: Sequence[str]):
        self.csv_writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        self.csv_writer.writerow(header)
        self.rows = 0

    def writerow(self, values: Sequence) -> None:
        self.csv_writer.writerow(values)
        self.rows += 1
