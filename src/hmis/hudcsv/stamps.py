"""HUD date-times ("YYYY-MM-DD hh:mm:ss", the installation's local time) to and from the UTC text
SQLite stores, a million at a time.

Real files have a different DateCreated and DateUpdated on nearly every row, so these run once per
value. Local time and UTC differ by whole hours through nearly every hour (in the US, all but the
hour of a daylight-saving change): then only the "YYYY-MM-DD hh" part changes, and each hour's
shifted prefix is worked out once, with zoneinfo; minutes and seconds are copied. Any other hour
is converted value by value with zoneinfo. Local times read as Python's default (fold=0) reads
them, as parse_datetime does: the first of a repeated hour, the old offset in a skipped one.
"""

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from hmis.hudcsv.csvio import parse_datetime

_HOUR = timedelta(hours=1)
_MINUTES_SECONDS = frozenset(f":{m:02d}:{s:02d}" for m in range(60) for s in range(60))


def _whole_hours(offset: timedelta | None) -> bool:
    return offset is not None and offset % _HOUR == timedelta(0)


class StampConverter:
    """Conversions for one time zone, with the per-hour prefixes they have worked out."""

    def __init__(self, tz: tzinfo):
        self.tz = tz
        # "YYYY-MM-DD hh" -> the same hour's prefix in the other time, or "" when that hour is
        # converted value by value. local_prefixes is public for a loop that inlines
        # utc_to_local's first step (prefix + stored[13:19]) for a million values.
        self._to_utc: dict[str, str] = {}
        self.local_prefixes: dict[str, str] = {}

    def canonical_local(self, raw: str) -> str:
        """A HUD date-time as "YYYY-MM-DD hh:mm:ss" local time. ValueError when it is not one
        (every form parse_datetime reads is accepted)."""
        if (
            len(raw) == 19
            and raw[4] == raw[7] == "-"
            and raw[10] == " "
            and raw[13:] in _MINUTES_SECONDS
            and (raw[:13] in self._to_utc or self._utc_prefix(raw[:13]) is not None)
        ):
            return raw
        return parse_datetime(raw).replace(tzinfo=None).isoformat(" ", "seconds")

    def stored_from_local(self, raw: str) -> str:
        """local_to_utc(canonical_local(raw)) in one step, for a column of a file."""
        if len(raw) == 19 and raw[4] == raw[7] == "-" and raw[10] == " ":
            prefix = self._to_utc.get(raw[:13])
            if prefix and raw[13:] in _MINUTES_SECONDS:
                return prefix + raw[13:]
        return self.local_to_utc(self.canonical_local(raw))

    def local_to_utc(self, local: str) -> str:
        """canonical_local() text as SQLite stores it (naive UTC, as Django writes it)."""
        prefix = self._to_utc.get(local[:13])
        if prefix:
            return prefix + local[13:]
        if prefix is None and self._utc_prefix(local[:13]):
            return self.local_to_utc(local)
        aware = datetime.fromisoformat(local).replace(tzinfo=self.tz)
        return str(aware.astimezone(UTC).replace(tzinfo=None))

    def utc_to_local(self, stored: str) -> str:
        """SQLite's UTC text (fractions of a second dropped) as "YYYY-MM-DD hh:mm:ss" local."""
        prefix = self.local_prefixes.get(stored[:13])
        if prefix:
            return prefix + stored[13:19]
        if prefix is None and self._local_prefix(stored[:13]):
            return self.utc_to_local(stored)
        aware = datetime.fromisoformat(stored[:19]).replace(tzinfo=UTC)
        return str(aware.astimezone(self.tz).replace(tzinfo=None))

    def _utc_prefix(self, hour: str) -> str | None:
        """Works out (and keeps) the UTC prefix of a local "YYYY-MM-DD hh": "" when the hour is
        converted value by value, None when it is no hour at all."""
        try:
            start = datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=self.tz)
        except ValueError:
            return None
        end = start.replace(minute=59, second=59)
        same = start.utcoffset() == end.utcoffset() and _whole_hours(start.utcoffset())
        prefix = str(start.astimezone(UTC).replace(tzinfo=None))[:13] if same else ""
        self._to_utc[hour] = prefix
        return prefix

    def _local_prefix(self, hour: str) -> str:
        """Works out (and keeps) the local prefix of a UTC "YYYY-MM-DD hh" ("" as above)."""
        start = datetime.fromisoformat(f"{hour}:00:00").replace(tzinfo=UTC)
        first = start.astimezone(self.tz)
        last = start.replace(minute=59, second=59).astimezone(self.tz)
        same = first.utcoffset() == last.utcoffset() and _whole_hours(first.utcoffset())
        prefix = str(first.replace(tzinfo=None))[:13] if same else ""
        self.local_prefixes[hour] = prefix
        return prefix


@lru_cache(maxsize=8)
def converter(tz: tzinfo) -> StampConverter:
    """The converter of a time zone (pass timezone.get_default_timezone())."""
    return StampConverter(tz)
