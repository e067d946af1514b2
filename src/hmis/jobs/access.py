from django.shortcuts import get_object_or_404

from hmis.jobs.models import Job


def get_job_for_user(user, pk: int) -> Job:
    """The job, or 404 for anyone but the user who started it (and system administrators)."""
    return get_object_or_404(
        Job.objects.visible_to(user).select_related("created_by", "organization"), pk=pk
    )
