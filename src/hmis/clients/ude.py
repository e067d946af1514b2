"""The HUD FY2026 Universal Data Elements a client record carries, and their data-quality rules.

One place for the response lists and the rules, used by the intake and edit forms (messages beside
their fields), by `clients/intake.py` (which refuses what breaks a rule) and by the API.

Rules (HUD FY2026 HMIS Data Standards, 3.01 Name, 3.02 SSN, 3.03 DOB, 3.04 Race and Ethnicity,
3.06 Sex, 3.07 Veteran Status), as a case manager meets them:
- Name Data Quality *Full name reported* needs a first and a last name; *Partial, street name, or
  code name* needs at least one of them; *Client doesn't know*, *Client prefers not to answer* and
  *Data not collected* mean no name was given, so a typed name contradicts them.
- SSN Data Quality *Full SSN reported* needs nine digits, not a number the SSA never issues (area
  000, 666 or 900-999, group 00, serial 0000); *Approximate or partial* takes nine characters with
  `x` for unknown digits (HUD CSV's `^[0-9xX]{9}$`); the missing-data answers take no number.
- DOB Data Quality *Full* or *Approximate or partial* needs a date, not in the future nor before
  1900; the missing-data answers take no date.
- Race and Ethnicity: one or more races, or one missing-data answer, never both.
- Veteran Status *Yes* only for a client 18 or older on the date of collection.
"""

import re
from dataclasses import dataclass, field, fields
from datetime import date

from django.utils import timezone

from hmis.clients.ssn import INVALID_SSN
from hmis.hudcsv.codes import (
    DOBDataQuality,
    NameDataQuality,
    NoYesReasons,
    RaceNone,
    Sex,
    SSNDataQuality,
)

FULL, PARTIAL = 1, 2
MISSING = frozenset({8, 9, 99})
NOT_COLLECTED = 99
EARLIEST_DOB = date(1900, 1, 1)
TEXT_LIMIT = 50
ADDITIONAL_DETAIL_LIMIT = 100

# HUD CSV column name -> label (3.04.1, FY2026). hud_data keeps each column as 0/1.
RACES = (
    ("AmIndAKNative", "American Indian, Alaska Native, or Indigenous"),
    ("Asian", "Asian or Asian American"),
    ("BlackAfAmerican", "Black, African American, or African"),
    ("HispanicLatinao", "Hispanic/Latina/e/o"),
    ("MidEastNAfrican", "Middle Eastern or North African"),
    ("NativeHIPacific", "Native Hawaiian or Pacific Islander"),
    ("White", "White"),
)
RACE_COLUMNS = tuple(column for column, _ in RACES)
# The Universal Data Elements a client record keeps as its own fields (the rest, race and sex, are
# in `hud_data` under their HUD CSV column names).
CLIENT_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "name_suffix",
    "preferred_name",
    "name_data_quality",
    "dob",
    "dob_data_quality",
    "ssn_data_quality",
    "veteran_status",
)

NAME_DATA_QUALITY = NameDataQuality
SSN_DATA_QUALITY = SSNDataQuality
DOB_DATA_QUALITY = DOBDataQuality
RACE_NONE = RaceNone
SEX = Sex
VETERAN_STATUS = NoYesReasons

# Stable error codes (the API returns them) and their messages, defined once.
NAME_REQUIRED = "name_required"
NAME_PARTIAL_REQUIRED = "name_partial_required"
NAME_NOT_EXPECTED = "name_not_expected"
SSN_INVALID = "invalid_ssn"
SSN_REQUIRED = "ssn_required"
SSN_NOT_EXPECTED = "ssn_not_expected"
DOB_REQUIRED = "dob_required"
DOB_NOT_EXPECTED = "dob_not_expected"
DOB_IN_FUTURE = "dob_in_future"
DOB_TOO_EARLY = "dob_too_early"
RACE_REQUIRED = "race_required"
RACE_CONFLICT = "race_conflict"
VETERAN_MINOR = "veteran_minor"
INVALID_CHOICE = "invalid_choice"
TOO_LONG = "too_long"

MESSAGES = {
    NAME_REQUIRED: "Enter the first and last name, or choose another Name Data Quality.",
    NAME_PARTIAL_REQUIRED: "A partial, street or code name needs a first or a last name.",
    NAME_NOT_EXPECTED: (
        "A name was entered: choose Full name reported or Partial, street name, or code name."
    ),
    SSN_INVALID: INVALID_SSN,
    SSN_REQUIRED: "Enter the SSN, or choose another SSN Data Quality.",
    SSN_NOT_EXPECTED: "An SSN was entered: choose Full SSN reported or Approximate or partial.",
    DOB_REQUIRED: "Enter the date of birth, or choose another DOB Data Quality.",
    DOB_NOT_EXPECTED: "A date of birth was entered: choose Full or Approximate DOB reported.",
    DOB_IN_FUTURE: "The date of birth cannot be in the future.",
    DOB_TOO_EARLY: "The date of birth cannot be before 01/01/1900.",
    RACE_REQUIRED: "Choose one or more races and ethnicities, or why none was given.",
    RACE_CONFLICT: "Choose races and ethnicities or a reason none was given, not both.",
    VETERAN_MINOR: "A client under 18 cannot be a veteran.",
    INVALID_CHOICE: "Choose a value from the list.",
    TOO_LONG: "This is too long.",
}
PARTIAL_SSN_HELP = "Nine characters, x for each unknown digit (xxxxx1234)."


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class ClientDetails:
    """The Universal Data Elements of one client, as typed. A data quality left as None is
    derived from what was given (a full name: 1; nothing: 99)."""

    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    name_suffix: str = ""
    preferred_name: str = ""
    name_data_quality: int | None = None
    ssn: str = ""
    ssn_data_quality: int | None = None
    dob: date | None = None
    dob_data_quality: int | None = None
    races: tuple[str, ...] = field(default_factory=tuple)
    race_none: int | None = None
    additional_race_ethnicity: str = ""
    sex: int = NOT_COLLECTED
    veteran_status: int = NOT_COLLECTED

    def cleaned(self) -> "ClientDetails":
        """Text stripped, SSN without separators, data qualities derived where left out."""
        text = {
            name: " ".join(str(getattr(self, name) or "").split())
            for name in (
                "first_name",
                "middle_name",
                "last_name",
                "name_suffix",
                "preferred_name",
                "additional_race_ethnicity",
            )
        }
        ssn = re.sub(r"[\s-]", "", self.ssn or "").lower()
        name_dq = self.name_data_quality
        if name_dq is None:
            given = [n for n in (text["first_name"], text["last_name"]) if n]
            name_dq = FULL if len(given) == 2 else PARTIAL if given else NOT_COLLECTED
        ssn_dq = self.ssn_data_quality
        if ssn_dq is None:
            ssn_dq = (PARTIAL if "x" in ssn else FULL) if ssn else NOT_COLLECTED
        dob_dq = self.dob_data_quality
        if dob_dq is None:
            dob_dq = FULL if self.dob else NOT_COLLECTED
        given = list(dict.fromkeys(self.races or ()))
        # Known races in HUD's order; anything else kept, for problems() to refuse.
        races = tuple(r for r in RACE_COLUMNS if r in given) + tuple(
            r for r in given if r not in RACE_COLUMNS
        )
        race_none = self.race_none
        if not races and race_none is None:
            race_none = NOT_COLLECTED
        return ClientDetails(
            **text,
            name_data_quality=int(name_dq),
            ssn=ssn,
            ssn_data_quality=int(ssn_dq),
            dob=self.dob,
            dob_data_quality=int(dob_dq),
            races=races,
            race_none=race_none,
            sex=int(self.sex),
            veteran_status=int(self.veteran_status),
        )

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def problems(
    details: ClientDetails, *, today: date | None = None, ssn_on_file: bool = False
) -> list[Problem]:
    """Every rule `details` (already `cleaned()`) breaks, one Problem per field at most.
    `ssn_on_file`: editing a client whose SSN is stored, where a blank SSN means "unchanged"."""
    today = today or timezone.localdate()
    found: dict[str, Problem] = {}

    def refuse(name: str, code: str, message: str | None = None) -> None:
        found.setdefault(name, Problem(name, code, message or MESSAGES[code]))

    for name, limit in (
        ("first_name", TEXT_LIMIT),
        ("middle_name", TEXT_LIMIT),
        ("last_name", TEXT_LIMIT),
        ("name_suffix", TEXT_LIMIT),
        ("preferred_name", TEXT_LIMIT),
        ("additional_race_ethnicity", ADDITIONAL_DETAIL_LIMIT),
    ):
        if len(getattr(details, name)) > limit:
            refuse(name, TOO_LONG, f"At most {limit} characters.")
    for name, choices in (
        ("name_data_quality", NAME_DATA_QUALITY),
        ("ssn_data_quality", SSN_DATA_QUALITY),
        ("dob_data_quality", DOB_DATA_QUALITY),
        ("sex", SEX),
        ("veteran_status", VETERAN_STATUS),
    ):
        if getattr(details, name) not in choices.values:
            refuse(name, INVALID_CHOICE)
    if details.race_none is not None and details.race_none not in RACE_NONE.values:
        refuse("race_none", INVALID_CHOICE)

    first, last = details.first_name, details.last_name
    if details.name_data_quality == FULL and not (first and last):
        refuse("first_name" if not first else "last_name", NAME_REQUIRED)
    elif details.name_data_quality == PARTIAL and not (first or last):
        refuse("first_name", NAME_PARTIAL_REQUIRED)
    elif details.name_data_quality in MISSING and (first or last or details.middle_name):
        refuse("name_data_quality", NAME_NOT_EXPECTED)

    ssn, ssn_dq = details.ssn, details.ssn_data_quality
    if ssn_dq in (FULL, PARTIAL) and not ssn and ssn_on_file:
        pass
    elif ssn_dq == FULL:
        if not ssn:
            refuse("ssn", SSN_REQUIRED)
        elif not _issuable_ssn(ssn):
            refuse("ssn", SSN_INVALID)
    elif ssn_dq == PARTIAL:
        if not ssn:
            refuse("ssn", SSN_REQUIRED)
        elif not re.fullmatch(r"[0-9x]{9}", ssn):
            refuse("ssn", SSN_INVALID, f"{INVALID_SSN} {PARTIAL_SSN_HELP}")
    elif ssn_dq in MISSING and ssn:
        refuse("ssn_data_quality", SSN_NOT_EXPECTED)

    dob, dob_dq = details.dob, details.dob_data_quality
    if dob_dq in (FULL, PARTIAL) and dob is None:
        refuse("dob", DOB_REQUIRED)
    elif dob_dq in MISSING and dob is not None:
        refuse("dob_data_quality", DOB_NOT_EXPECTED)
    if dob is not None and dob > today:
        refuse("dob", DOB_IN_FUTURE)
    elif dob is not None and dob < EARLIEST_DOB:
        refuse("dob", DOB_TOO_EARLY)

    unknown = set(details.races) - set(RACE_COLUMNS)
    if unknown:
        refuse("races", INVALID_CHOICE)
    elif details.races and details.race_none is not None:
        refuse("races", RACE_CONFLICT)
    elif not details.races and details.race_none is None:
        refuse("races", RACE_REQUIRED)

    if details.veteran_status == NoYesReasons.YES and dob is not None and _age(dob, today) < 18:
        refuse("veteran_status", VETERAN_MINOR)
    return list(found.values())


def _issuable_ssn(ssn: str) -> bool:
    if not re.fullmatch(r"\d{9}", ssn):
        return False
    area, group, serial = ssn[:3], ssn[3:5], ssn[5:]
    return not (area in ("000", "666") or area >= "900" or group == "00" or serial == "0000")


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def details_of(client) -> ClientDetails:
    """The client's current Universal Data Elements (the SSN left out: it is never shown)."""
    data = client.hud_data or {}
    races = tuple(r for r in RACE_COLUMNS if data.get(r) == 1)
    race_none = data.get("RaceNone")
    sex = data.get("Sex")
    return ClientDetails(
        first_name=client.first_name,
        middle_name=client.middle_name,
        last_name=client.last_name,
        name_suffix=client.name_suffix,
        preferred_name=client.preferred_name,
        name_data_quality=client.name_data_quality,
        ssn="",
        ssn_data_quality=client.ssn_data_quality,
        dob=client.dob,
        dob_data_quality=client.dob_data_quality,
        races=races,
        race_none=None if races else (race_none if race_none is not None else NOT_COLLECTED),
        additional_race_ethnicity=data.get("AdditionalRaceEthnicity", "") or "",
        sex=sex if sex is not None else NOT_COLLECTED,
        veteran_status=client.veteran_status,
    )


def facts(client) -> list[tuple[str, str]]:
    """The client's HUD answers in words, for the profile (the SSN masked)."""
    from hmis.clients.ssn import masked

    details = details_of(client)
    races = [label for column, label in RACES if column in details.races]
    race_text = ", ".join(races) or choice_label(RACE_NONE, details.race_none)
    if details.additional_race_ethnicity:
        race_text += f" ({details.additional_race_ethnicity})"
    return [
        ("Name Data Quality", choice_label(NAME_DATA_QUALITY, details.name_data_quality)),
        ("SSN", masked(client) or "none"),
        ("SSN Data Quality", choice_label(SSN_DATA_QUALITY, details.ssn_data_quality)),
        ("DOB Data Quality", choice_label(DOB_DATA_QUALITY, details.dob_data_quality)),
        ("Race and Ethnicity", race_text),
        ("Sex", choice_label(SEX, details.sex)),
        ("Veteran Status", choice_label(VETERAN_STATUS, details.veteran_status)),
    ]


def choice_label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value) if value is not None else ""
