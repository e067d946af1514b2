"""How the import holds HUD date-times (DateCreated, DateUpdated, DateDeleted): as the database
stores them, so that a million of them go in without a conversion each.

On SQLite that is Django's naive UTC text, made from the file's local text by the hour-prefix
converter (hudcsv/stamps.py): measured on a 53,762-row import, parsing to aware datetimes and
formatting them again took 0.6 s of 1.5 s (profiled), the converter under 0.1 s. On PostgreSQL
the driver takes aware datetimes (parsed once per distinct value). Text in the same form
compares as the times do."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

from hmis.hudcsv.csvio import parse_datetime
from hmis.hudcsv.stamps import converter


class Times:
    def __init__(self):
        self.as_text = connection.vendor == "sqlite"
        self.converter = converter(timezone.get_default_timezone())
        # The columns an upsert writes already as the database driver takes them.
        self.ready = ("created_at", "updated_at", "deleted_at") if self.as_text else ()
        # Called for every date-time of a file: the converter's own method, not a wrapper.
        self.parse = self.converter.stored_from_local if self.as_text else parse_datetime

    def held(self, value: datetime | None):
        """A stored (or current) datetime as held, to compare with the file's."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return str(value.astimezone(UTC).replace(tzinfo=None)) if self.as_text else value

    def aware(self, held) -> datetime | None:
        if held is None or not self.as_text:
            return held
        return datetime.fromisoformat(held).replace(tzinfo=UTC)

    def local_text(self, held) -> str | None:
        """ "YYYY-MM-DD hh:mm:ss" local time, as HUD writes it (and hud_data keeps it)."""
        if held is None:
            return None
        if self.as_text:
            return self.converter.utc_to_local(held)
        return timezone.localtime(held).strftime("%Y-%m-%d %H:%M:%S")
