"""Which dates the desk accepts for *Batch Date* and *Date Service Provided*, for whom.

Never in the future. Back-dated at most `HMIS_BACKDATE_DAYS` days (default 90) unless the account
*may back-date*; a scan-station account (the kiosk desk) is held to today unless it may back-date.
The desk's date fields carry these limits as min/max, and adding checks them again.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.batches import errors
from hmis.batches.errors import BatchError

LABELS = {"batch_date": "Batch Date", "date_provided": "Date Service Provided"}


@dataclass(frozen=True)
class DateLimits:
    earliest: date | None  # None: no lower limit
    latest: date


def date_limits(user) -> DateLimits:
    today = timezone.localdate()
    if getattr(user, "may_back_date", False):
        return DateLimits(earliest=None, latest=today)
    if getattr(user, "role", None) == Role.SCAN_STATION:
        return DateLimits(earliest=today, latest=today)
    return DateLimits(earliest=today - timedelta(days=settings.HMIS_BACKDATE_DAYS), latest=today)


def date_problem(*, user, field: str, value: date) -> BatchError | None:
    """The refusal for `value` in the desk field `field` ("batch_date" or "date_provided")."""
    limits = date_limits(user)
    label = LABELS[field]
    if value > limits.latest:
        return BatchError(
            errors.FUTURE_DATE, f"ERROR: {label} ({value:%m/%d/%Y}) cannot be in the future."
        )
    if limits.earliest is not None and value < limits.earliest:
        if limits.earliest == limits.latest:
            message = f"ERROR: {label} ({value:%m/%d/%Y}) must be today on this station."
        else:
            message = (
                f"ERROR: {label} ({value:%m/%d/%Y}) is more than {settings.HMIS_BACKDATE_DAYS} "
                f"days back. Only an account that may back-date can go before "
                f"{limits.earliest:%m/%d/%Y}."
            )
        return BatchError(errors.BACKDATE_LIMIT, message)
    return None


def check_dates(*, user, batch_date: date, date_provided: date, client=None) -> None:
    """Raise the first date refusal of the pair, naming the field."""
    for field, value in (("date_provided", date_provided), ("batch_date", batch_date)):
        problem = date_problem(user=user, field=field, value=value)
        if problem is not None:
            problem.client = client
            raise problem
