"""A client's right to inspect their record: the export of everything held on them.

The export runs as a job (hmis worker): the job page follows it and offers the JSON file; the
export is audited against the client when the file is made, and each download again."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from hmis.accounts.permissions import Perm, requires
from hmis.clients.access import get_client_for_user
from hmis.jobs.models import JobKind
from hmis.jobs.running import start_job


@requires(Perm.EXPORT)
@require_POST
def client_record_download(request: HttpRequest, client_id: int) -> HttpResponse:
    """Start the export of the client's whole record; the job page offers the file."""
    client = get_client_for_user(request.user, client_id)
    job = start_job(
        kind=JobKind.CLIENT_RECORD,
        user=request.user,
        organization=request.user.organization,
        options={"client_id": client.pk},
    )
    return redirect("jobs:detail", pk=job.pk)
