"""What the API reads and writes. Field names follow the models; dates are ISO 8601."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from hmis.inputs import ApiDate


class ErrorOut(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. enrollment_required")
    message: str = Field(description="The message for people, as the web desk shows it")


class ClientBrief(Schema):
    id: int
    first_name: str
    last_name: str
    display_name: str


class ClientOut(Schema):
    id: int = Field(description="The visible Client ID")
    personal_id: str = Field(description="HUD PersonalID")
    first_name: str
    middle_name: str
    last_name: str
    name_suffix: str
    preferred_name: str
    dob: date | None
    active_card: str | None = Field(description="Code of the client's active community card")

    @staticmethod
    def resolve_active_card(obj) -> str | None:
        card = getattr(obj, "active_card", None)
        return card.code if card is not None else None


class EnrollmentOut(Schema):
    id: int
    project_id: int
    project_name: str = Field(alias="project.name")
    entry_date: date
    exit_date: date | None


class ClientDetailOut(ClientOut):
    enrollments: list[EnrollmentOut] = Field(
        description="Enrollments in your organization's programs, newest first"
    )

    @staticmethod
    def resolve_enrollments(obj) -> list:
        return obj.enrollments_shown


class ClientPage(Schema):
    count: int
    items: list[ClientOut]


class NamedRef(Schema):
    id: int
    name: str


class BatchCodeOut(Schema):
    service_code_id: int
    name: str = Field(alias="service_code.name")
    units: int


class BatchOut(Schema):
    id: int
    description: str
    auto_post: bool
    active: bool
    default_comments: str
    project: NamedRef = Field(description="The Program")
    location: NamedRef | None
    performing_user: str = Field(description="Name of User Performing Services")
    service_codes: list[BatchCodeOut]

    @staticmethod
    def resolve_performing_user(obj) -> str:
        return obj.performing_user.display_name

    @staticmethod
    def resolve_service_codes(obj) -> list:
        return list(obj.service_codes.all())


class BatchPage(Schema):
    count: int
    items: list[BatchOut]


class EntryOut(Schema):
    id: int
    batch_id: int
    client: ClientBrief
    batch_date: date
    date_provided: date
    status: Literal["pending", "posted", "removed"]
    pending_reason: str = Field(description="Why posting left this entry pending")
    bar_override_reason: str
    added_by: str
    added_at: datetime
    posted_at: datetime | None

    @staticmethod
    def resolve_added_by(obj) -> str:
        return obj.added_by.short_name


class EntryPage(Schema):
    count: int
    items: list[EntryOut]


class AddEntryIn(Schema):
    scan_type: Literal["card", "client_id"] = Field(
        description="card: a community card code, exactly; client_id: the visible Client ID"
    )
    value: str = Field(max_length=200, description="What was scanned or typed")
    batch_date: ApiDate | None = Field(None, description="Default: today")
    date_provided: ApiDate | None = Field(
        None,
        description="Date Service Provided: back-dated or today, never future. Default: batch_date",
    )
    key: str = Field(
        "",
        max_length=64,
        description="Idempotency key: a retry with the same key gets the first answer back",
    )
    bar_override_reason: str = Field(
        "", max_length=1000, description="Add a barred client anyway (override permission needed)"
    )


class AddResultOut(Schema):
    ok: bool
    code: str = Field(description="added, posted, or why not (enrollment_required, barred, ...)")
    message: str
    replayed: bool = Field(description="True when this is the stored answer to an earlier key")
    client: ClientBrief | None
    entry: EntryOut | None


class PostIn(Schema):
    batch_date: ApiDate | None = Field(None, description="Post only this batch date's entries")


class PendingOut(Schema):
    id: int
    client_id: int
    pending_reason: str


class PostOut(Schema):
    posted: list[int] = Field(description="IDs of the entries posted")
    left_pending: list[PendingOut] = Field(description="Entries that no longer qualify, and why")
    services_created: int


class UnitsItem(Schema):
    service_code_id: int
    units: int = Field(ge=1, le=10000)


class UnitsIn(Schema):
    units: list[UnitsItem] = Field(max_length=100)


class EntryUnitsOut(Schema):
    entry_id: int
    units: list[UnitsItem] = Field(description="Units each service code will post with")


class VoidIn(Schema):
    reason: str = Field(max_length=1000)


class ServiceOut(Schema):
    id: int
    client_id: int
    service_code_id: int
    service_code: str = Field(alias="service_code.name")
    date_provided: date
    units: int
    deleted_at: datetime | None = Field(description="When the service was voided")
    void_reason: str


class ClientIn(Schema):
    """A new client's HUD FY2026 Universal Data Elements. Codes are HUD's (Appendix B lists);
    a data quality left out is derived from what is given (a full name: 1; none: 99)."""

    first_name: str = Field("", max_length=50)
    middle_name: str = Field("", max_length=50)
    last_name: str = Field("", max_length=50)
    name_suffix: str = Field("", max_length=50)
    preferred_name: str = Field("", max_length=50)
    name_data_quality: int | None = Field(None, description="3.01.5: 1, 2, 8, 9, 99")
    ssn: str = Field("", max_length=11, description="Nine digits; x for unknown digits (partial)")
    ssn_data_quality: int | None = Field(None, description="3.02.2: 1, 2, 8, 9, 99")
    dob: date | None = None
    dob_data_quality: int | None = Field(None, description="3.03.2: 1, 2, 8, 9, 99")
    races: list[str] = Field(
        default_factory=list,
        description="HUD CSV race columns: AmIndAKNative, Asian, BlackAfAmerican, "
        "HispanicLatinao, MidEastNAfrican, NativeHIPacific, White",
    )
    race_none: int | None = Field(None, description="1.6: 8, 9, 99 when no race is given")
    additional_race_ethnicity: str = Field("", max_length=100)
    sex: int = Field(99, description="4.21: 0 Female, 1 Male, 8, 9, 99")
    veteran_status: int = Field(99, description="1.8: 0 No, 1 Yes, 8, 9, 99")
    confirm_new: bool = Field(
        False,
        description="Create even when likely duplicates exist (after showing them to the user)",
    )


class DuplicateOut(Schema):
    client_id: int
    display_name: str
    birth_year: int | None
    full_record: bool = Field(description="Whether you may open this client's record")
    reasons: list[str]


class DuplicatesOut(Schema):
    code: str
    message: str
    matches: list[DuplicateOut]


class EnrollIn(Schema):
    project_id: int = Field(description="The Program: one of your organization's")
    entry_date: date = Field(description="Back-dated or today, never future")
    relationship_to_hoh: int = Field(
        1, description="HUD 3.15.1; alone, always 1 (Self): a family is enrolled as a household"
    )
    disabling_condition: int = Field(description="HUD 1.8 (0, 1, 8, 9, 99)")
    living_situation: int = Field(description="Prior living situation, HUD 3.12.1")
    length_of_stay: int | None = Field(None, description="HUD 3.917.2")
    previous_street_essh: int | None = Field(None, description="HUD 1.7")
    date_to_street_essh: date | None = None
    times_homeless_past_three_years: int | None = Field(None, description="HUD 3.917.4")
    months_homeless_past_three_years: int | None = Field(None, description="HUD 3.917.5")


class EnrollmentDetailOut(Schema):
    id: int
    client_id: int
    project_id: int
    project_name: str = Field(alias="project.name")
    entry_date: date
    exit_date: date | None
    destination: int | None = Field(description="HUD 3.12.1, once exited")
    household_id: str
    relationship_to_hoh: int
    hud_data: dict = Field(description="HUD entry elements under their Enrollment.csv names")


class ExitIn(Schema):
    exit_date: date = Field(description="Not before the entry date nor the last service")
    destination: int = Field(description="HUD 3.12.1")


class SingleServiceIn(Schema):
    service_code_id: int
    project_id: int = Field(description="The Program: the client needs an enrollment on the date")
    date_provided: date = Field(description="Back-dated or today, never future")
    units: int = Field(1, ge=1, le=999)
    comments: str = Field("", max_length=1000)
    bar_override_reason: str = Field(
        "",
        max_length=1000,
        description="Post despite a bar (users who may override bars): why; audited",
    )
