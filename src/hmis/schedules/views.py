"""The auto-exits the schedule made, listed for the agency administrator (from the audit trail)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.audit.models import AuditEvent
from hmis.clients.models import Enrollment
from hmis.schedules.autoexit import AUTO_EXIT_MESSAGE

PAGE_SIZE = 50


@requires(Perm.AUDIT)
def auto_exits(request):
    events = AuditEvent.objects.filter(
        object_type="clients.Enrollment",
        message__startswith=AUTO_EXIT_MESSAGE.split("{")[0],
    )
    if not is_system_admin(request.user):
        events = events.filter(organization_id=request.user.organization_id)
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    enrollments = Enrollment.objects.select_related("project").in_bulk(
        [int(event.object_id) for event in page]
    )
    rows = [(event, enrollments.get(int(event.object_id))) for event in page]
    return render(request, "schedules/auto_exits.html", {"page": page, "rows": rows})
