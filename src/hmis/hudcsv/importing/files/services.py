"""Services.csv: services of known enrollments, by HUD ServicesID, each under the service code
of its RecordType and TypeProvided (created in the imported services group when missing)."""

from hmis.hudcsv import codes
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.messages import MSG_TYPE_NOT_FOR_RECORD
from hmis.hudcsv.importing.spec import FileSpec
from hmis.services.models import Service, ServiceCode, ServiceGroup

IMPORTED_SERVICES_GROUP = "Imported HUD services"
DELETED_IN_SOURCE = "Deleted in the source system (HUD CSV import)."
# UserID too: a known user is the service's created_by, and exports read UserID from there.
MODELLED = [
    "ServicesID",
    "EnrollmentID",
    "PersonalID",
    "DateProvided",
    "RecordType",
    "TypeProvided",
    "FAAmount",
    "UserID",
]


def write(im, chunk, summary) -> None:
    im.check_enrollments(chunk, "Services", summary)
    v = chunk.values
    record_types, types_provided = v("RecordType"), v("TypeProvided")
    valid = {}
    for i in chunk.kept():
        pair = (record_types[i], types_provided[i])
        if pair not in valid:
            valid[pair] = codes.type_provided_valid(*pair)
        if not valid[pair]:
            reason = MSG_TYPE_NOT_FOR_RECORD.format(record_type=record_types[i])
            im.reject_row(chunk, i, "Services", summary, "TypeProvided", str(pair[1]), reason)
    rows = chunk.kept()
    users = im.user_pks(chunk, rows, "Services")
    enrollment_ids = v("EnrollmentID")
    enrollments = [im.enrollments[enrollment_ids[i]] for i in rows]
    code_of = {pair: _service_code(im, *pair) for pair in valid if valid[pair]}
    stamps = im.timestamps(chunk, rows)
    provided, amounts, ids = v("DateProvided"), v("FAAmount"), v("ServicesID")
    store.upsert(
        im,
        Service,
        "hud_services_id",
        summary,
        {
            "hud_services_id": [ids[i] for i in rows],
            "client_id": [e[1] for e in enrollments],
            "enrollment_id": [e[0] for e in enrollments],
            "project_id": [e[3] for e in enrollments],
            "service_code_id": [code_of[record_types[i], types_provided[i]] for i in rows],
            "date_provided": [provided[i] for i in rows],
            "units": [1] * len(rows),
            "fa_amount": [amounts[i] for i in rows],
            "hud_data": store.extras(chunk, rows, MODELLED),
            "created_by_id": users,
            "provider_id": users,
            **stamps,
            "void_reason": [DELETED_IN_SOURCE if d else "" for d in stamps["deleted_at"]],
        },
        [
            "client_id",
            "enrollment_id",
            "project_id",
            "service_code_id",
            "date_provided",
            "fa_amount",
            "hud_data",
            "void_reason",
        ],
    )


def _service_code(im, record_type: int, type_provided: int) -> int:
    key = (record_type, type_provided)
    if not im.service_codes:
        for code in (
            ServiceCode.objects.filter(hud_record_type__isnull=False)
            .order_by("pk")
            .values("pk", "hud_record_type", "hud_type_provided")
        ):
            im.service_codes.setdefault(
                (code["hud_record_type"], code["hud_type_provided"]), code["pk"]
            )
        im.service_codes.setdefault((0, 0), 0)  # loaded marker
    if key not in im.service_codes:
        group, _ = ServiceGroup.objects.get_or_create(
            name=IMPORTED_SERVICES_GROUP, organization=None
        )
        code = ServiceCode.objects.create(
            group=group,
            name=codes.hud_service_label(record_type, type_provided)[:200],
            hud_record_type=record_type,
            hud_type_provided=type_provided,
        )
        im.service_codes[key] = code.pk
    return im.service_codes[key]


SPEC = FileSpec(
    "Services",
    frozenset(
        {
            "ServicesID",
            "EnrollmentID",
            "PersonalID",
            "DateProvided",
            "RecordType",
            "TypeProvided",
            "DateDeleted",
        }
    ),
    write,
)
