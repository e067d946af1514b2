"""Casework through the API, with the web pages' rules and error codes:
POST /api/clients/{id}/enrollments (enroll), POST /api/enrollments/{id}/exit (exit),
POST /api/clients/{id}/services (a single service outside a batch)."""

from django.http import Http404
from ninja import Router

from hmis.accounts.permissions import Perm, is_system_admin
from hmis.api.auth import api_requires
from hmis.api.schemas import (
    EnrollIn,
    EnrollmentDetailOut,
    ErrorOut,
    ExitIn,
    ServiceOut,
    SingleServiceIn,
)
from hmis.clients.access import (
    clients_fully_visible_to,
    get_client_for_user,
    get_enrollment_for_user,
)
from hmis.clients.enrolling import EntryAssessment, enroll_client, exit_enrollment
from hmis.projects.models import Project
from hmis.services.catalog import codes_available_to
from hmis.services.providing import provide_service

clients_router = Router(tags=["clients"])
enrollments_router = Router(tags=["enrollments"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _project(user, project_id: int) -> Project:
    projects = Project.objects.filter(active=True, deleted_at__isnull=True)
    if not is_system_admin(user):
        projects = projects.filter(organization_id=user.organization_id)
    project = projects.filter(pk=project_id).first()
    if project is None:
        raise Http404("No such program.")
    return project


@clients_router.post("/{client_id}/enrollments", response={201: EnrollmentDetailOut, **REFUSALS})
@api_requires(Perm.EDIT_CLIENTS)
def enroll(request, client_id: int, payload: EnrollIn):
    """Enroll the client in one of your programs with HUD's entry elements. 409
    `already_enrolled` when an enrollment in that program is open or overlaps; 422
    `invalid_answer`, `future_date`."""
    client = get_client_for_user(request.auth, client_id)
    data = payload.dict()
    enrollment = enroll_client(
        client=client,
        project=_project(request.auth, data.pop("project_id")),
        entry_date=data.pop("entry_date"),
        relationship_to_hoh=data.pop("relationship_to_hoh"),
        assessment=EntryAssessment(**data),
        user=request.auth,
        reuse_open=False,
    )
    return 201, enrollment


@enrollments_router.post("/{enrollment_id}/exit", response={200: EnrollmentDetailOut, **REFUSALS})
@api_requires(Perm.EDIT_CLIENTS)
def exit_(request, enrollment_id: int, payload: ExitIn):
    """Exit an open enrollment. 422 `exit_before_entry`, `exit_before_last_service`,
    `invalid_answer` (destination), `future_date`; 409 `already_exited`."""
    enrollment = get_enrollment_for_user(request.auth, enrollment_id)
    if not clients_fully_visible_to(request.auth).filter(pk=enrollment.client_id).exists():
        raise Http404("No such enrollment.")
    return exit_enrollment(
        enrollment=enrollment,
        exit_date=payload.exit_date,
        destination=payload.destination,
        user=request.auth,
    )


@clients_router.post("/{client_id}/services", response={201: ServiceOut, **REFUSALS})
@api_requires(Perm.EDIT_CLIENTS)
def add_service(request, client_id: int, payload: SingleServiceIn):
    """Post one service at once, under the batch rules: 422 `enrollment_required`, `barred`,
    `frequency_limit`, `future_date`; with `bar_override_reason`, a user who may override bars
    posts despite a bar (`override_not_allowed` for one who may not)."""
    client = get_client_for_user(request.auth, client_id)
    project = _project(request.auth, payload.project_id)
    code = codes_available_to(project.organization_id).filter(pk=payload.service_code_id).first()
    if code is None:
        raise Http404("No such service code.")
    service = provide_service(
        client=client,
        project=project,
        service_code=code,
        date_provided=payload.date_provided,
        units=payload.units,
        comments=payload.comments,
        user=request.auth,
        bar_override_reason=payload.bar_override_reason,
    )
    return 201, service
