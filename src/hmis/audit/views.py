import csv
import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from hmis.accounts.permissions import Perm, requires
from hmis.audit.recording import record_export
from hmis.audit.search import AuditSearchForm, events_visible_to

PAGE_SIZE = 50
CSV_HEADER = [
    "When",
    "User",
    "Organization",
    "Action",
    "Object type",
    "Object ID",
    "Client ID",
    "Changes",
    "Message",
    "Address",
]


def _search(request: HttpRequest):
    form = AuditSearchForm(request.GET or None)
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    return form, events


@requires(Perm.AUDIT)
def audit_search(request: HttpRequest) -> HttpResponse:
    form, events = _search(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_prefix": f"{query.urlencode()}&" if query else "",
        "query": query.urlencode(),
    }
    return render(request, "audit/search.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv_rows(events):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    zone = timezone.get_current_timezone()
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(event.at, zone).isoformat(timespec="seconds"),
                event.actor.username if event.actor else "",
                event.organization.name if event.organization else "",
                event.action,
                event.object_type,
                event.object_id,
                event.client_id or "",
                _json(event.changes),
                _safe(event.message),
                event.ip_address or "",
            ]
        )


def _json(value) -> str:
    return _safe(json.dumps(value, sort_keys=True)) if value else ""


def _safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@requires(Perm.AUDIT)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The search's rows as CSV, streamed (the whole trail can be millions of rows)."""
    form, events = _search(request)
    record_export(
        request,
        what="Audit trail CSV export",
        object_type="audit.AuditEvent",
        details={"filters": {k: v for k, v in request.GET.items() if k != "page"}},
    )
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
