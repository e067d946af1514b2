"""Client.csv: our clients, by HUD PersonalID; the SSN encrypted as clients/ssn.py stores it."""

from types import SimpleNamespace

from hmis.clients.models import Client
from hmis.clients.ssn import set_ssn
from hmis.clients.text import fold
from hmis.hudcsv import codes
from hmis.hudcsv.columns import CLIENT_IDENTITY_COLUMNS
from hmis.hudcsv.importing import store
from hmis.hudcsv.importing.messages import MSG_PARTIAL_SSN, WARNING
from hmis.hudcsv.importing.spec import FileSpec

MODELLED = [*CLIENT_IDENTITY_COLUMNS, "VeteranStatus"]
# FY2024 spelling -> FY2026 spelling, so hud_data always uses the newest names.
RENAMES = {"HispanicLatinaeo": "HispanicLatinao"}


def write(im, chunk, summary) -> None:
    rows = chunk.kept()
    users = im.user_pks(chunk, rows, "Client")
    v = chunk.values
    ids = [v("PersonalID")[i] for i in rows]
    names = [[v(n)[i] or "" for i in rows] for n in ("FirstName", "MiddleName", "LastName")]
    ssns = [_ssn(im, chunk.lines[i], v("SSN")[i]) for i in rows]
    suffix = v("NameSuffix")
    store.upsert(
        im,
        Client,
        "personal_id",
        summary,
        {
            "personal_id": ids,
            "first_name": names[0],
            "middle_name": names[1],
            "last_name": names[2],
            "name_suffix": [suffix[i] or "" for i in rows],
            "name_data_quality": _or_99(v("NameDataQuality"), rows),
            "dob": [v("DOB")[i] for i in rows],
            "dob_data_quality": _or_99(v("DOBDataQuality"), rows),
            "ssn_encrypted": [encrypted for encrypted, _ in ssns],
            "ssn_last4": [last4 for _, last4 in ssns],
            "ssn_data_quality": _or_99(v("SSNDataQuality"), rows),
            "veteran_status": _or_99(v("VeteranStatus"), rows),
            "search_name": [fold(" ".join(parts)) for parts in zip(*names, strict=True)],
            "organization_id": [im.organization_pk] * len(rows),
            "created_by_id": users,
            "hud_data": store.extras(chunk, rows, MODELLED, RENAMES),
            **im.timestamps(chunk, rows),
        },
        [
            "first_name",
            "middle_name",
            "last_name",
            "name_suffix",
            "name_data_quality",
            "dob",
            "dob_data_quality",
            "ssn_encrypted",
            "ssn_last4",
            "ssn_data_quality",
            "veteran_status",
            "search_name",
            "hud_data",
        ],
    )
    for personal_id in ids:
        im.clients.pop(personal_id, None)
    im.resolve(im.clients, set(ids), store.load_clients)


def _or_99(values: list, rows: list[int]) -> list:
    """A required list column's values, with 99 (data not collected) for the missing ones."""
    return [codes.NOT_COLLECTED if values[i] is None else values[i] for i in rows]


def _ssn(im, line: int, ssn: str | None) -> tuple[str, str]:
    """The SSN encrypted (as clients/ssn.py stores it) and its last four digits."""
    ssn = (ssn or "").strip()
    if not ssn or ssn == "000000000":  # a placeholder carries no information
        return "", ""
    if not ssn.isdigit() or len(ssn) != 9:
        # The report is a file people pass around: it shows the SSN masked, never in full.
        masked = "x" * max(len(ssn) - 4, 0) + ssn[-4:]
        im.problem(WARNING, "Client.csv", line, "SSN", masked, MSG_PARTIAL_SSN)
        return "", ssn[-4:] if ssn[-4:].isdigit() else ""
    holder = SimpleNamespace(ssn_encrypted="", ssn_last4="")
    set_ssn(holder, ssn)
    return holder.ssn_encrypted, holder.ssn_last4


SPEC = FileSpec("Client", frozenset({"PersonalID", "DateDeleted"}), write)
