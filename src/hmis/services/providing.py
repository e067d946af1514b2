"""A single service outside a batch (the profile's *Add service*), posted at once.

The same rules as adding a client to a batch, from the same functions: the date provided may be
back-dated but not in the future; the client needs an enrollment in the program active on that
date (ENROLLMENT_REQUIRED, the desk's message); a bar in force for the program or its
organization refuses it (BARRED) unless a user with `can_override_bars` gives a reason, as at
the desk (`batches.adding.refuse_unless_overridden`; the override is audited as
BAR_OVERRIDE); a service code's frequency limit refuses a client who is over it
(FREQUENCY_LIMIT, naming the date the client is next allowed). Eligibility is asked of
clients/eligibility.py, as everywhere.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches import errors
from hmis.batches.adding import refuse_over_frequency_limit, refuse_unless_overridden
from hmis.batches.errors import ENROLLMENT_REQUIRED, BatchError
from hmis.clients.eligibility import ServiceScope, check_eligibility
from hmis.clients.models import Client
from hmis.projects.models import Project
from hmis.services.models import Service, ServiceCode


def provide_service(
    *,
    client: Client,
    project: Project,
    service_code: ServiceCode,
    date_provided: date,
    units: int,
    comments: str,
    user,
    bar_override_reason: str = "",
) -> Service:
    """Record one service on `client`'s record, provided by `user`. Raises BatchError (the
    desk's codes and messages) when a rule refuses it; nothing is written then."""
    if date_provided > timezone.localdate():
        raise BatchError(
            errors.FUTURE_DATE,
            f"ERROR: Date Service Provided ({date_provided:%m/%d/%Y}) cannot be in the future.",
            client=client,
        )
    if units < 1:
        raise BatchError(errors.INVALID_UNITS, "ERROR: Units must be at least 1.", client=client)
    with transaction.atomic():
        # Lock the client row: two simultaneous adds of a limited service must not both pass
        # the frequency check.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        scope = ServiceScope(organization_id=project.organization_id, project_id=project.pk)
        want = (client.pk, date_provided)
        verdict = check_eligibility(scope=scope, wants=[want], code_ids=[service_code.pk])[want]
        if verdict.enrollment_id is None:
            raise BatchError(errors.ENROLLMENT_REQUIRED_CODE, ENROLLMENT_REQUIRED, client=client)
        override_reason = (bar_override_reason or "").strip()
        # A service-code bar on this very code withholds the only code given: a refusal.
        bars, _withheld = refuse_unless_overridden(
            verdict,
            client=client,
            user=user,
            override_reason=override_reason,
        )
        refuse_over_frequency_limit(
            codes=[service_code], client=client, date_provided=date_provided
        )
        service = Service.objects.create(
            client=client,
            enrollment_id=verdict.enrollment_id,
            service_code=service_code,
            date_provided=date_provided,
            units=units,
            comments=comments.strip(),
            provider=user,
            project=project,
            created_by=user,
        )
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=service,
            organization_id=project.organization_id,
            client_id=client.pk,
            changes={
                "service_code": [None, service_code.name],
                "date_provided": [None, date_provided.isoformat()],
                "units": [None, units],
                "project": [None, project.name],
            },
            message="Service added on the profile",
        )
        if bars:
            record(
                actor=user,
                action=AuditAction.BAR_OVERRIDE,
                obj=service,
                organization_id=project.organization_id,
                client_id=client.pk,
                changes={"bar": bars[0].pk},
                message=override_reason,
            )
    return service
