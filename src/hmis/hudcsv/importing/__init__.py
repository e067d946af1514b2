"""Importing a HUD HMIS CSV export (FY2026, or FY2024) into the database.

`import_hud_csv` checks the set (edition.py), then reads the files in dependency order, in chunks
of rows (importer.py): each chunk is validated column by column (reader.py) and written by its
file's spec (files/), all inside one transaction. Each HUD file is described once, in its own
module under files/: the columns whose problems are errors, the values derived when missing, and
how its rows are stored.

Problems have two severities: an *error* makes a row unusable and rejects it (and the rows that
depend on it); a *warning* is a problem the row survives, listed in the report. The default is
tolerant of what real exports get wrong: a missing value that nothing depends on is a warning, and
derived where the derivation is certain (a HouseholdID, a project's OperatingStartDate); an ID on
several lines keeps the line with the latest DateUpdated (the others are superseded). `strict`
rejects all of these. With any error nothing is committed, unless `skip_invalid_rows` is set;
`dry_run` validates and reports without keeping anything.
"""

import logging

from django.db import transaction
from django.utils import timezone

from hmis.accounts.models import User
from hmis.hudcsv.csvio import Source, SourceError
from hmis.hudcsv.importing.edition import detect_edition, inspect_source
from hmis.hudcsv.importing.files.services import IMPORTED_SERVICES_GROUP
from hmis.hudcsv.importing.importer import Importer
from hmis.hudcsv.importing.messages import ERROR, MSG_CRASHED, WARNING
from hmis.hudcsv.importing.result import FileSummary, ImportResult, Problem, Refused
from hmis.hudcsv.limits import ImportLimits, LimitExceeded
from hmis.hudcsv.models import ImportRun
from hmis.projects.models import Organization

__all__ = [
    "ERROR",
    "IMPORTED_SERVICES_GROUP",
    "WARNING",
    "FileSummary",
    "ImportResult",
    "Importer",
    "Problem",
    "detect_edition",
    "import_hud_csv",
]

logger = logging.getLogger(__name__)


class _Rollback(Exception):
    pass


def import_hud_csv(
    *,
    source: str | Source,
    organization: Organization | None = None,
    user: User | None = None,
    skip_invalid_rows: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    progress=None,
    source_name: str = "",
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import a HUD CSV export (a folder, a zip path, or an open Source). Never raises for bad data:
    everything wrong is in the result's problems (or `refused`). `progress(file name, rows done,
    rows expected)` is called as it goes. `limits` (default: the settings' `HMIS_IMPORT_*`) bound
    what is read; beyond them the import is refused and nothing written."""
    started = timezone.now()
    try:
        src = source if isinstance(source, Source) else Source(source, limits=limits)
    except SourceError as error:
        result = ImportResult(
            source_name=source_name or str(source), dry_run=dry_run, refused=str(error)
        )
        _finish(result, started=started, user=user, organization=organization)
        return result
    result = ImportResult(
        source_name=source_name or src.name,
        dry_run=dry_run,
        skip_invalid_rows=skip_invalid_rows,
        strict=strict,
    )
    importer = Importer(
        source=src, result=result, organization=organization, strict=strict, progress=progress
    )
    try:
        inspect_source(src, result)
        with transaction.atomic():
            importer.run()
            if dry_run or not result.succeeded:
                raise _Rollback
            result.committed = True
    except (Refused, LimitExceeded) as refusal:
        result.committed = False
        result.refused = str(refusal)
    except _Rollback:
        pass
    except Exception as error:  # the transaction rolled back: say so instead of a stack trace
        logger.exception("HUD CSV import of %s failed", src.name)
        result.committed = False
        result.refused = MSG_CRASHED.format(error=error)
    finally:
        if not isinstance(source, Source):
            src.close()
    _finish(result, started=started, user=user, organization=organization)
    return result


def _finish(result: ImportResult, *, started, user, organization) -> None:
    """Records the run (ImportRun) and audits it."""
    from hmis.audit.models import AuditAction
    from hmis.audit.recording import record

    if result.refused:
        outcome = "refused"
    elif result.committed:
        outcome = "committed"
    elif result.dry_run:
        outcome = "dry run, nothing written"
    else:
        outcome = "rolled back, nothing written"
    files = {name: s.as_dict() for name, s in result.summaries.items()}
    with transaction.atomic():
        run = ImportRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            user=user if getattr(user, "pk", None) else None,
            organization=organization,
            source_name=result.source_name[:255],
            edition=result.edition,
            export_id=result.export_id,
            dry_run=result.dry_run,
            committed=result.committed,
            error_count=result.error_count,
            warning_count=result.warning_count,
            summary=files,
            message=result.refused or outcome,
        )
        record(
            actor=user,
            action=AuditAction.IMPORT,
            obj=run,
            changes={
                "source": result.source_name,
                "edition": result.edition_label,
                "outcome": outcome,
                "errors": result.error_count,
                "warnings": result.warning_count,
                "files": files,
            },
            message=f"HUD CSV import of {result.source_name}: {outcome}",
        )
    result.run_id = run.pk
