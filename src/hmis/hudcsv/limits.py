"""Limits on what a HUD CSV import reads, so a crafted upload cannot keep a worker busy.

A 204 KB zip can hold 200 MB of empty rows. Before anything is read, a zip is refused when its
files would unpack to more than `max_uncompressed_bytes`, or when one file unpacks to more than
`max_ratio` times its packed size (real CSV packs 5 to 15 times; padding thousands of times).
While reading, every file is counted as it streams: more bytes than its zip entry declared, more
than `max_rows_per_file` lines, or more than `max_seconds` since the import began stop it with a
message. The limits live in the reading code itself, so they hold wherever an import runs (the web
page, `hmis import-hud-csv`, a background job).
"""

import io
import time
from dataclasses import dataclass
from typing import IO

from django.conf import settings

MSG_TOO_LARGE = "{name} unpacks to {size} MB, more than the {limit} MB an import may read."
MSG_RATIO = (
    "{name} unpacks to {ratio} times its packed size (at most {limit}): "
    "the zip looks padded, not like a HUD CSV export."
)
MSG_TOO_MANY_ROWS = "{name} has more than {limit:,} lines, the most one file may have."
MSG_TOO_LONG = "The import was stopped after {limit} seconds, the most one import may take."
MSG_LYING_ENTRY = "{name} holds more data than its zip entry declares."

# Files smaller than this unpacked are never refused for their ratio (a tiny file of repeated
# headers packs very well and harms nobody).
RATIO_FLOOR_BYTES = 1 << 20


class LimitExceeded(Exception):
    """An import went beyond one of its limits; the message says which, for people."""


@dataclass(frozen=True)
class ImportLimits:
    max_uncompressed_bytes: int
    max_ratio: int
    max_rows_per_file: int
    max_seconds: float

    @classmethod
    def from_settings(cls) -> "ImportLimits":
        return cls(
            max_uncompressed_bytes=settings.HMIS_IMPORT_MAX_UNCOMPRESSED_MB << 20,
            max_ratio=settings.HMIS_IMPORT_MAX_RATIO,
            max_rows_per_file=settings.HMIS_IMPORT_MAX_ROWS_PER_FILE,
            max_seconds=settings.HMIS_IMPORT_MAX_SECONDS,
        )


def check_zip_entries(infos, limits: ImportLimits) -> None:
    """Refuse a zip whose entries would unpack too large, or too many times their packed size."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise LimitExceeded(
                MSG_TOO_LARGE.format(
                    name="The zip",
                    size=total >> 20,
                    limit=limits.max_uncompressed_bytes >> 20,
                )
            )
        if info.file_size > RATIO_FLOOR_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise LimitExceeded(
                    MSG_RATIO.format(name=info.filename, ratio=int(ratio), limit=limits.max_ratio)
                )


class GuardedStream(io.RawIOBase):
    """A file being read, counted as it goes: refuses more than `declared` bytes, more than the
    row limit in lines, and reading past the import's deadline."""

    def __init__(
        self,
        raw: IO[bytes],
        *,
        name: str,
        limits: ImportLimits,
        deadline: float,
        declared: int | None = None,
    ):
        super().__init__()
        self._raw = raw
        self._name = name
        self._limits = limits
        self._deadline = deadline
        self._allowed = min(
            declared if declared is not None else limits.max_uncompressed_bytes,
            limits.max_uncompressed_bytes,
        )
        self._bytes = 0
        self._lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        self._bytes += len(data)
        self._lines += data.count(b"\n")
        if self._bytes > self._allowed:
            raise LimitExceeded(MSG_LYING_ENTRY.format(name=self._name))
        if self._lines > self._limits.max_rows_per_file + 1:  # + the header line
            raise LimitExceeded(
                MSG_TOO_MANY_ROWS.format(name=self._name, limit=self._limits.max_rows_per_file)
            )
        if time.monotonic() > self._deadline:
            raise LimitExceeded(MSG_TOO_LONG.format(limit=int(self._limits.max_seconds)))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()
