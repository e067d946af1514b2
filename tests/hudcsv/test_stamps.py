"""The fast date-time conversions give exactly what zoneinfo gives, through daylight-saving
changes and in zones whose offsets are not whole hours."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from hmis.hudcsv.stamps import StampConverter

# Whole-hour and half-hour offsets, a half-hour daylight-saving change, and (Goose Bay, 2010)
# whole-hour offsets that changed at one minute past midnight.
ZONES = [
    ("America/Chicago", 2025),
    ("America/St_Johns", 2025),
    ("Australia/Lord_Howe", 2025),
    ("Asia/Kolkata", 2025),
    ("UTC", 2025),
    ("America/Goose_Bay", 2010),
]


def _times(tz, year: int) -> list[datetime]:
    """Naive times through a year: an uneven step over the year, and every 61 seconds for three
    hours either side of each change of offset, read as wall-clock times or as UTC."""

    def offsets(hour: datetime):
        return hour.replace(tzinfo=tz).utcoffset(), hour.replace(tzinfo=UTC).astimezone(tz)

    start = datetime(year, 1, 1)
    times = [start + timedelta(seconds=s) for s in range(0, 365 * 86400, 3989)]
    hour = start
    while hour.year == year:
        (wall, utc), (next_wall, next_utc) = offsets(hour), offsets(hour + timedelta(hours=1))
        if wall != next_wall or utc.utcoffset() != next_utc.utcoffset():
            times += [hour + timedelta(seconds=s) for s in range(-3 * 3600, 4 * 3600, 61)]
        hour += timedelta(hours=1)
    return times


@pytest.mark.parametrize(("zone", "year"), ZONES)
def test_local_to_utc_is_zoneinfos_conversion(zone, year):
    tz = ZoneInfo(zone)
    stamps = StampConverter(tz)
    for wall in _times(tz, year):
        text = wall.isoformat(" ")
        expected = str(wall.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None))
        assert stamps.canonical_local(text) == text
        assert stamps.local_to_utc(text) == expected, text
        assert stamps.stored_from_local(text) == expected, text


@pytest.mark.parametrize(("zone", "year"), ZONES)
def test_utc_to_local_is_zoneinfos_conversion(zone, year):
    tz = ZoneInfo(zone)
    stamps = StampConverter(tz)
    for instant in _times(tz, year):
        stored = f"{instant.isoformat(' ')}.250000"  # SQLite may hold fractions of a second
        expected = str(instant.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None))
        assert stamps.utc_to_local(stored) == expected, stored


@override_settings(TIME_ZONE="America/Chicago")
def test_every_accepted_form_is_read_and_the_rest_refused():
    stamps = StampConverter(ZoneInfo("America/Chicago"))
    assert stamps.canonical_local("10/01/2025 8:05") == "2025-10-01 08:05:00"
    assert stamps.canonical_local("2025-10-01T08:05:09") == "2025-10-01 08:05:09"
    assert stamps.canonical_local("2025-10-01") == "2025-10-01 00:00:00"
    assert stamps.stored_from_local("10/01/2025 8:05") == "2025-10-01 13:05:00"
    for bad in ["2025-02-30 10:00:00", "2025-10-01 24:00:00", "2025-10-01 10:60:00", "soon"]:
        with pytest.raises(ValueError):
            stamps.canonical_local(bad)
        with pytest.raises(ValueError):
            stamps.stored_from_local(bad)
