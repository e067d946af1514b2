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
