"""Auto-exit: an enrollment in a program with `auto_exit_days` set, with no service for that many
days, is exited the day after its last service (the day after entry when it never had one), with
destination *No exit interview completed*. Audited; a second run finds nothing more to exit."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.clients.models import Enrollment
from hmis.hud_ids import new_hud_id
from hmis.hudcsv.codes import LivingSituation
from hmis.projects.models import Project
from hmis.services.models import Service

AUTO_EXIT_MESSAGE = "Auto-exit: no service for {days} days"


def auto_exit_enrollments(*, day: date) -> dict:
    """Exit the enrollments that went `auto_exit_days` without a service by `day`."""
    exited = {}
    projects = Project.objects.filter(auto_exit_days__isnull=False, deleted_at__isnull=True)
    for project in projects.order_by("pk"):
        ids = auto_exit_project(project=project, day=day)
        if ids:
            exited[str(project.pk)] = ids
    return {"exited": exited}


def auto_exit_project(*, project: Project, day: date) -> list[int]:
    last_service = (
        Service.objects.filter(enrollment=OuterRef("pk"), deleted_at__isnull=True)
        .values("enrollment")
        .annotate(last=Max("date_provided"))
        .values("last")
    )
    cutoff = day - timedelta(days=project.auto_exit_days)
    with transaction.atomic():
        # Locked: a service posted meanwhile must not meet an enrollment exited under it.
        stale = list(
            Enrollment.objects.live()
            .select_for_update()
            .filter(project=project, exit_date__isnull=True)
            .annotate(last_service=Coalesce(Subquery(last_service), "entry_date"))
            .filter(last_service__lt=cutoff)
            .order_by("pk")
        )
        events = []
        for enrollment in stale:
            enrollment.exit_date = enrollment.last_service + timedelta(days=1)
            enrollment.destination = LivingSituation.NO_EXIT_INTERVIEW
            enrollment.hud_exit_id = enrollment.hud_exit_id or new_hud_id()
            enrollment.save(update_fields=["exit_date", "destination", "hud_exit_id", "updated_at"])
            events.append(
                build_event(
                    actor=None,
                    action=AuditAction.CHANGE,
                    obj=enrollment,
                    organization_id=project.organization_id,
                    client_id=enrollment.client_id,
                    changes={
                        "exit_date": [None, enrollment.exit_date.isoformat()],
                        "destination": [None, int(LivingSituation.NO_EXIT_INTERVIEW)],
                    },
                    message=AUTO_EXIT_MESSAGE.format(days=project.auto_exit_days),
                )
            )
        record_many(events)
    return [enrollment.pk for enrollment in stale]
