"""The one way administration pages and the API fetch programs and locations for a user: their
organization's (a system administrator: all)."""

from django.http import Http404

from hmis.accounts.models import Role
from hmis.accounts.permissions import is_system_admin
from hmis.projects.models import Location, Project


def projects_visible_to(user):
    """Programs (not deleted) of the user's organization; a scan station: the programs of the
    batches assigned to it."""
    projects = Project.objects.filter(deleted_at__isnull=True).select_related("organization")
    if is_system_admin(user):
        return projects
    if user.organization_id is None:
        return projects.none()
    projects = projects.filter(organization_id=user.organization_id)
    if user.role == Role.SCAN_STATION:
        return projects.filter(pk__in=user.scan_batches.values("project_id"))
    return projects


def locations_visible_to(user):
    return Location.objects.filter(project__in=projects_visible_to(user)).select_related("project")


def get_project_for_user(user, pk) -> Project:
    """The program, or 404 for anyone outside its organization."""
    try:
        return projects_visible_to(user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("No such program.") from None


def get_location_for_user(user, project: Project, pk) -> Location:
    """A location of a program the caller already fetched through `get_project_for_user`."""
    try:
        return Location.objects.select_related("project").get(pk=pk, project=project)
    except (Location.DoesNotExist, ValueError, TypeError):
        raise Http404("No such location.") from None


def get_hud_record_for_user(user, project: Project, kind: str, pk):
    """A live Funder/ProjectCoC/Inventory record of a program the caller already fetched through
    `get_project_for_user`."""
    from hmis.hudcsv.models import ProjectRecord

    try:
        return ProjectRecord.objects.get(pk=pk, project=project, kind=kind, deleted_at__isnull=True)
    except (ProjectRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("No such record.") from None
