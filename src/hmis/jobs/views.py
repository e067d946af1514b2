"""The job page: a progress bar that follows the job (htmx polling, no script of ours), cancel,
and the result when done."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hmis.accounts.permissions import Perm, requires
from hmis.hudcsv.forms import ConfirmImportForm
from hmis.jobs import progress
from hmis.jobs.access import get_job_for_user
from hmis.jobs.running import cancel_job, hand_out_result

# htmx stops polling when a response has this status.
HTMX_STOP_POLLING = 286


def _context(job) -> dict:
    context = {"job": job, "progress": None if job.finished else progress.read_progress(job.pk)}
    if job.kind == "hud_import" and job.finished:
        result = job.result
        context["can_confirm"] = bool(
            result.get("dry_run") and result.get("succeeded") and job.status == "succeeded"
        )
        context["confirm_form"] = ConfirmImportForm(initial={"token": job.options.get("token")})
    return context


@requires(Perm.SIGNED_IN)
def detail(request, pk: int):
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/job.html", _context(job))


@requires(Perm.SIGNED_IN)
def status(request, pk: int):
    job = get_job_for_user(request.user, pk)
    response = render(request, "jobs/_status.html", _context(job))
    if job.finished:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
@requires(Perm.SIGNED_IN)
def cancel(request, pk: int):
    job = get_job_for_user(request.user, pk)
    cancel_job(job=job, user=request.user)
    return redirect("jobs:detail", pk=job.pk)


@requires(Perm.SIGNED_IN)
def download(request, pk: int):
    job = get_job_for_user(request.user, pk)
    path = hand_out_result(job=job, user=request.user)
    if path is None:
        raise Http404
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=job.result_filename,
    )
