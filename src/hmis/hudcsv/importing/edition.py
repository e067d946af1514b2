"""Before anything is read into the database: is this a complete export, of which edition?"""

import re
from datetime import UTC, datetime

from hmis.hudcsv.columns import FILES, FY2024, FY2026
from hmis.hudcsv.csvio import Source, canonical_header, parse_datetime, read_rows
from hmis.hudcsv.importing.messages import (
    MSG_INCOMPLETE,
    MSG_NO_FILES,
    MSG_NOT_UTF8,
    MSG_OLD_EDITION,
    MSG_SEVERAL_EXPORT_ROWS,
    MSG_UNKNOWN_EDITION,
    WARNING,
)
from hmis.hudcsv.importing.result import ImportResult, Problem, Refused

_YEAR = re.compile(r"(20\d\d|19\d\d)")


def inspect_source(source: Source, result: ImportResult) -> None:
    """Sets the result's edition, export ID and skipped files; raises Refused for a set that is
    not a complete FY2026 or FY2024 export."""
    present = source.file_names()
    known = {f"{name}.csv".lower() for name in FILES}
    csv_files = [n for n in present if n.lower().endswith(".csv")]
    if not any(n.lower() in known for n in csv_files):
        raise Refused(MSG_NO_FILES.format(name=source.name))
    result.skipped_files = [n for n in csv_files if n.lower() not in known]
    # A partial set would import enrollments without their exits, services without their
    # enrollments...: refused, naming what is missing (after the edition, whose refusal says
    # more, when the files that tell it are there).
    missing = [f"{name}.csv" for name in FILES if not source.has(f"{name}.csv")]
    if "Export.csv" in missing or "Client.csv" in missing:
        raise Refused(_incomplete(missing))
    try:
        version = _read_export(source, result)
    except UnicodeDecodeError:
        raise Refused(MSG_NOT_UTF8.format(file="Export.csv", rows=0)) from None
    try:
        with source.open_text("Client.csv") as stream:
            client_header, _ = read_rows(stream)
    except UnicodeDecodeError:
        raise Refused(MSG_NOT_UTF8.format(file="Client.csv", rows=0)) from None
    result.edition = detect_edition(version, client_header)
    if missing:
        raise Refused(_incomplete(missing))


def _incomplete(missing: list[str]) -> str:
    files = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    return MSG_INCOMPLETE.format(files=files, verb="is" if len(missing) == 1 else "are")


def detect_edition(csv_version: str, client_header: list[str] | None) -> str:
    """FY2026 or FY2024, from Export.CSVVersion, else from the Client.csv header.

    Raises Refused naming an older edition, or saying it could not be recognised."""
    version = (csv_version or "").strip()
    if match := _YEAR.search(version):
        year = int(match.group(1))
        if year == 2026:
            return FY2026
        if year == 2024:
            return FY2024
        if year < 2024:
            raise Refused(MSG_OLD_EDITION.format(edition=f"FY{year}"))
    names = {h.strip().lstrip("\ufeff").lower() for h in client_header or []}
    if "sex" in names and "hispaniclatinao" in names:
        return FY2026
    if "woman" in names and "hispaniclatinaeo" in names:
        return FY2024
    if "ethnicity" in names or "female" in names:
        raise Refused(MSG_OLD_EDITION.format(edition="FY2022"))
    if "gender" in names:
        raise Refused(MSG_OLD_EDITION.format(edition="FY2020 (or older)"))
    raise Refused(MSG_UNKNOWN_EDITION.format(version=version))


def _read_export(source: Source, result: ImportResult) -> str:
    """The CSVVersion of Export.csv's newest row (its ExportID goes into the result)."""
    with source.open_text("Export.csv") as stream:
        header, rows = read_rows(stream)
        names = [c.name for c in FILES["Export"][FY2026]]
        index = {}
        for position, raw in enumerate(header):
            name = canonical_header(raw, names)
            if name:
                index.setdefault(name, position)
        candidates = []
        for _line, values in rows:

            def cell(name, values=values):
                position = index.get(name)
                return (
                    values[position].strip()
                    if position is not None and position < len(values)
                    else ""
                )

            try:
                exported = parse_datetime(cell("ExportDate"))
            except ValueError:
                exported = None
            candidates.append((exported, cell("ExportID"), cell("CSVVersion")))
    if not candidates:
        return ""
    # Several rows (HUD's own LSA sample has 24): take the newest.
    oldest = datetime.min.replace(tzinfo=UTC)
    candidates.sort(key=lambda c: c[0] or oldest)
    _exported, export_id, version = candidates[-1]
    result.export_id = export_id[:32]
    if len(candidates) > 1:
        result.add(
            Problem(
                WARNING,
                "Export.csv",
                None,
                "ExportID",
                export_id,
                MSG_SEVERAL_EXPORT_ROWS.format(count=len(candidates), export_id=export_id),
            )
        )
    return version
