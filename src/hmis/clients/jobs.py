"""Card sheets of many clients and client record exports as background jobs (see hmis/jobs): the
pages start them, a worker runs them here, the job page follows their progress and offers the file.

The file is written to a temporary name and renamed only when complete, so a failed or cancelled
job leaves no file; the audit rows of a card sheet are written with the file, or not at all."""

import json
import os

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.clients.access import clients_fully_visible_to
from hmis.clients.card_printing import cards_for_printing, print_cards
from hmis.clients.models import CommunityCard
from hmis.clients.record_export import client_record
from hmis.jobs.errors import JobFailed
from hmis.jobs.models import Job
from hmis.jobs.progress import jobs_dir
from hmis.jobs.running import Reporter

MSG_NO_CARDS = "None of the cards to print is still active. Nothing was printed."
MSG_CLIENT_GONE = "Client {client_id} is no longer in your records. Nothing was exported."


def _write_result(job: Job, content: bytes, filename: str) -> None:
    partial = jobs_dir() / f"{job.pk}.part"
    try:
        partial.write_bytes(content)
        final = f"{job.pk}-{filename}"
        os.replace(partial, jobs_dir() / final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    job.result_file = final
    job.result_filename = filename


def run_card_sheet(*, job: Job, report: Reporter) -> None:
    """Print the cards chosen on the Print cards page (options: cards, layout, filename)."""
    options = job.options
    cards = cards_for_printing(CommunityCard.objects.filter(pk__in=options["cards"]))
    if not cards:
        raise JobFailed(MSG_NO_CARDS)
    with transaction.atomic():
        # The print is audited only if the file is made: a cancel rolls the audit rows back.
        pdf = print_cards(
            cards=cards, user=job.created_by, layout=options["layout"], progress=report
        )
        _write_result(job, pdf, options["filename"])
    job.result = {"cards": len(cards)}


def run_client_record(*, job: Job, report: Reporter) -> None:
    """Everything held on one client, as the starter may see it, as a JSON file; the export is
    audited against the client (the download of the file is audited again by the job page)."""
    client_id = job.options["client_id"]
    user = job.created_by
    client = clients_fully_visible_to(user).filter(pk=client_id).first() if user else None
    if client is None:
        raise JobFailed(MSG_CLIENT_GONE.format(client_id=client_id))
    report(0, 1, "Client record")
    with transaction.atomic():
        data = client_record(client=client, user=user)
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=client,
            client_id=client.pk,
            organization_id=job.organization_id,
            message=f"Client record export for client {client.pk}",
        )
        _write_result(job, body.encode("utf-8"), f"client-{client.pk}-record.json")
    report(1, 1, "Client record")
    job.result = {"sections": sum(1 for value in data.values() if isinstance(value, list))}
