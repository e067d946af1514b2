"""Demographics of the clients served in a period, from the HUD Universal Data Elements, and the
small-cell suppression applied to anything that leaves the agency.

Three queries whatever the number of clients: the clients served (with their elements), the
enrollments their services were recorded under, and the members of those households. Each client
counts once per table (race: once under each race or ethnicity they gave).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Subquery

from hmis.clients.models import Client, Enrollment
from hmis.hudcsv import codes
from hmis.reports.dashboard import served

SMALL_CELL = 5  # counts of 1 to 4 clients are hidden outside the agency (HMIS privacy practice)
HIDDEN = "*"

AGE_BANDS = [
    (0, 4, "Under 5"),
    (5, 12, "5-12"),
    (13, 17, "13-17"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 64, "55-64"),
    (65, 200, "65 and over"),
]
DK_PNA = "Client doesn't know or prefers not to answer"
NOT_COLLECTED = "Data not collected"
RACES = [  # 3.04 (FY2024 and later): race and ethnicity in one element, several answers allowed
    ("AmIndAKNative", "American Indian, Alaska Native, or Indigenous"),
    ("Asian", "Asian or Asian American"),
    ("BlackAfAmerican", "Black, African American, or African"),
    ("HispanicLatinao", "Hispanic/Latina/e/o"),
    ("MidEastNAfrican", "Middle Eastern or North African"),
    ("NativeHIPacific", "Native Hawaiian or Pacific Islander"),
    ("White", "White"),
]
MULTIPLE = "More than one race or ethnicity"
HOMELESS_SITUATIONS = {116, 101, 118}  # place not meant for habitation, emergency shelter, SH
HOUSEHOLD_TYPES = [
    "Households without children",
    "Households with at least one adult and one child",
    "Households with only children",
    "Unknown household type",
]
CHRONIC = ["Chronically homeless", "Not chronically homeless", "Unknown (incomplete data)"]


@dataclass
class Table:
    key: str
    title: str
    rows: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def add(self, label: str, n: int = 1) -> None:
        self.rows[label] = self.rows.get(label, 0) + n

    def shared_rows(self) -> list[tuple[str, int | str]]:
        """The rows as they may leave the agency: small cells hidden."""
        return list(zip(self.rows, suppress(list(self.rows.values())), strict=True))


@dataclass
class Demographics:
    clients: int
    tables: list[Table]


def suppress(counts: list[int]) -> list[int | str]:
    """Counts of 1 to 4 become HIDDEN. When only one cell of a table would be hidden, the next
    smallest count is hidden too, so that the hidden one cannot be worked out from the total."""
    shown: list[int | str] = [HIDDEN if 0 < n < SMALL_CELL else n for n in counts]
    if shown.count(HIDDEN) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n >= SMALL_CELL]
        if others:
            shown[min(others)[1]] = HIDDEN
    return shown


def suppress_total(total: int) -> int | str:
    return HIDDEN if 0 < total < SMALL_CELL else total


def age_on(dob: date | None, day: date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def demographics(**filters) -> Demographics:
    """Who was served from `start` to `end` (filters as dashboard.served). Three queries."""
    start = filters["start"]
    services = served(**filters)
    clients = list(
        Client.objects.filter(pk__in=Subquery(services.values("client_id")))
        .order_by()
        .values_list("pk", "dob", "dob_data_quality", "veteran_status", "hud_data")
    )
    enrollments = {}
    for enrollment in (
        Enrollment.objects.filter(pk__in=Subquery(services.values("enrollment_id")))
        .order_by("entry_date", "pk")
        .values("client_id", "household_id", "entry_date", "hud_data")
    ):
        enrollments[enrollment["client_id"]] = enrollment  # the latest entry wins
    households: dict[str, list[int | None]] = {}
    for household_id, dob, entry_date in (
        Enrollment.objects.live()
        .filter(
            household_id__in=Subquery(
                Enrollment.objects.filter(pk__in=Subquery(services.values("enrollment_id"))).values(
                    "household_id"
                )
            )
        )
        .order_by()
        .values_list("household_id", "client__dob", "entry_date")
    ):
        households.setdefault(household_id, []).append(age_on(dob, max(start, entry_date)))

    age = Table("age", "Age", dict.fromkeys([b[2] for b in AGE_BANDS] + [DK_PNA, NOT_COLLECTED], 0))
    race = Table(
        "race",
        "Race and ethnicity",
        dict.fromkeys([label for _, label in RACES] + [MULTIPLE, DK_PNA, NOT_COLLECTED], 0),
        note="A client who gave several answers is counted under each, and once more under "
        f"{MULTIPLE!r}.",
    )
    sex = Table("sex", "Sex", dict.fromkeys(["Female", "Male", DK_PNA, NOT_COLLECTED], 0))
    veteran = Table(
        "veteran",
        "Veteran status",
        dict.fromkeys(["Veteran", "Not a veteran", DK_PNA, NOT_COLLECTED], 0),
    )
    chronic = Table(
        "chronic",
        "Chronically homeless",
        dict.fromkeys(CHRONIC, 0),
        note="From the enrollment's disabling condition and homeless history (3.917); unknown "
        "when an answer is missing.",
    )
    household = Table("household", "Household type", dict.fromkeys(HOUSEHOLD_TYPES, 0))

    for pk, dob, dob_quality, veteran_status, hud_data in clients:
        enrollment = enrollments.get(pk)
        on = max(start, enrollment["entry_date"]) if enrollment else start
        age.add(_age_band(age_on(dob, on), dob_quality))
        for label in _races(hud_data or {}):
            race.add(label)
        sex.add(_sex(hud_data or {}))
        veteran.add(_veteran(veteran_status))
        chronic.add(_chronic(enrollment))
        members = households.get(enrollment["household_id"], []) if enrollment else []
        household.add(_household_type(members))
    return Demographics(len(clients), [age, race, sex, veteran, chronic, household])


def _age_band(age: int | None, dob_quality: int) -> str:
    if age is None:
        return DK_PNA if dob_quality in (codes.DOESNT_KNOW, codes.PREFERS_NOT) else NOT_COLLECTED
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def _races(hud_data: dict) -> list[str]:
    given = [label for column, label in RACES if hud_data.get(column) == 1]
    if len(given) > 1:
        return [*given, MULTIPLE]
    if given:
        return given
    if hud_data.get("RaceNone") in (codes.DOESNT_KNOW, codes.PREFERS_NOT):
        return [DK_PNA]
    return [NOT_COLLECTED]


def _sex(hud_data: dict) -> str:
    value = hud_data.get("Sex")
    if value == 0:
        return "Female"
    if value == 1:
        return "Male"
    return DK_PNA if value in (codes.DOESNT_KNOW, codes.PREFERS_NOT) else NOT_COLLECTED


def _veteran(status: int) -> str:
    if status == 1:
        return "Veteran"
    if status == 0:
        return "Not a veteran"
    return DK_PNA if status in (codes.DOESNT_KNOW, codes.PREFERS_NOT) else NOT_COLLECTED


def _chronic(enrollment: dict | None) -> str:
    """HUD's chronically homeless test, from the enrollment's 3.08 and 3.917 answers: a disabling
    condition, and 12 months homeless in a row or four times adding up to 12 months in three
    years (from a place not meant for habitation, a shelter or a Safe Haven, or a short stay in an
    institution or elsewhere after one)."""
    if enrollment is None:
        return CHRONIC[2]
    data, yes, no, unknown = enrollment["hud_data"] or {}, CHRONIC[0], CHRONIC[1], CHRONIC[2]
    disabling = data.get("DisablingCondition")
    if disabling == 0:
        return no
    if disabling != 1:
        return unknown
    situation = data.get("LivingSituation")
    if situation not in HOMELESS_SITUATIONS:
        if data.get("LOSUnderThreshold") == 0 or data.get("PreviousStreetESSH") == 0:
            return no
        if not (data.get("LOSUnderThreshold") == 1 and data.get("PreviousStreetESSH") == 1):
            return unknown
    street = data.get("DateToStreetESSH")
    if street:
        try:
            since = date.fromisoformat(str(street)[:10])
        except ValueError:
            since = None
        if since is not None and (enrollment["entry_date"] - since).days >= 365:
            return yes
    times, months = (
        data.get("TimesHomelessPastThreeYears"),
        data.get("MonthsHomelessPastThreeYears"),
    )
    if times == 4 and months in (112, 113):  # four or more times; 12, or more than 12, months
        return yes
    if times in (1, 2, 3, 4) and isinstance(months, int) and 101 <= months <= 113:
        return no
    return unknown


def _household_type(ages: list[int | None]) -> str:
    if not ages or any(a is None for a in ages):
        return HOUSEHOLD_TYPES[3]
    adults = sum(1 for a in ages if a >= 18)
    if adults == len(ages):
        return HOUSEHOLD_TYPES[0]
    return HOUSEHOLD_TYPES[1] if adults else HOUSEHOLD_TYPES[2]
