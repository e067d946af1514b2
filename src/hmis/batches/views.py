"""Batch Services pages: the list, the batch form, the scanning desk, posting and history.

Each view: access helper -> form -> one domain call -> render. The rules live in adding.py,
posting.py, units.py, removing.py, editing.py; nothing here decides who may be added.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from hmis.accounts.models import Role
from hmis.accounts.permissions import Perm, has_perm, is_system_admin, requires
from hmis.batches import history
from hmis.batches.access import batches_visible_to, get_batch_for_user, get_entry_for_user
from hmis.batches.adding import (
    SCAN_CARD,
    SCAN_CLIENT_ID,
    AddResult,
    add_to_batch,
)
from hmis.batches.dates import date_limits
from hmis.batches.editing import deactivate_batch, save_batch
from hmis.batches.errors import BatchError
from hmis.batches.forms import (
    BatchForm,
    CodeRowFormSet,
    DeskDatesForm,
    EntryUnitsForm,
    IntakeForm,
    ScanForm,
)
from hmis.batches.households import add_household_to_batch, heads_household, household_members
from hmis.batches.intake import enroll_and_add
from hmis.batches.models import BatchServiceCode, EntryStatus
from hmis.batches.notes import set_entry_comment
from hmis.batches.posting import post_batch
from hmis.batches.recent import recent_clients
from hmis.batches.removing import remove_entry
from hmis.batches.undoing import undo_add
from hmis.batches.units import set_entry_units
from hmis.clients.access import (
    can_see_full_record,
    clients_fully_visible_to,
    get_client_for_user,
)
from hmis.clients.alerts import any_alert, desk_alerts
from hmis.clients.cards import CardError
from hmis.clients.enrolling import EnrollmentError
from hmis.clients.errors import LookupFailed
from hmis.clients.intake import IntakeError
from hmis.clients.lookup import find_client_by_card, search_clients
from hmis.clients.views import duplicates_before_create, name_initial, show_refusal
from hmis.inputs import parse_id
from hmis.projects.models import Location
from hmis.services.catalog import groups_available_to

PAGE_SIZE = 25
CANDIDATE_LIMIT = 10


def _desk_url(batch, batch_date, date_provided, scan_type: str = "") -> str:
    query = {"batch_date": batch_date.isoformat(), "date_provided": date_provided.isoformat()}
    if scan_type:
        query["type"] = scan_type
    return f"{reverse('batches:desk', args=[batch.pk])}?{urlencode(query)}"


# ---- the list ------------------------------------------------------------------------------


@requires(Perm.VIEW_BATCHES)
@require_GET
def batch_list(request):
    show_inactive = request.GET.get("show") == "inactive"
    batches = (
        batches_visible_to(request.user)
        .filter(active=not show_inactive)
        .select_related("project", "location", "performing_user")
        .prefetch_related(
            Prefetch(
                "service_codes",
                queryset=BatchServiceCode.objects.select_related("service_code"),
            )
        )
        .annotate(
            last_used=Max("entries__batch_date"),
            pending=Count("entries", filter=Q(entries__status=EntryStatus.PENDING)),
        )
        .order_by("description", "pk")
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "batches/list.html",
        {
            "page": page,
            "show_inactive": show_inactive,
            "query_prefix": "show=inactive&" if show_inactive else "",
            "can_manage": has_perm(request.user, Perm.MANAGE_BATCHES),
            "can_post": has_perm(request.user, Perm.POST_SERVICES),
            "can_scan": has_perm(request.user, Perm.SCAN),
        },
    )


@requires(Perm.SCAN)
@require_GET
def station(request):
    """A scan station's start page: the batches assigned to it."""
    batches = list(
        batches_visible_to(request.user).filter(active=True).select_related("project")[:50]
    )
    if len(batches) == 1:
        return redirect("batches:desk", pk=batches[0].pk)
    return render(request, "batches/station.html", {"batches": batches})


# ---- the batch form --------------------------------------------------------------------------


@requires(Perm.MANAGE_BATCHES)
@require_http_methods(["GET", "POST"])
def batch_create(request):
    return _batch_form(request, batch=None)


@requires(Perm.MANAGE_BATCHES)
@require_http_methods(["GET", "POST"])
def batch_edit(request, pk):
    return _batch_form(request, batch=get_batch_for_user(request.user, pk))


def _batch_form(request, *, batch):
    user = request.user
    org = batch.organization_id if batch else user.organization_id
    if request.method == "POST":
        form = BatchForm(request.POST, organization_id=org)
        rows = CodeRowFormSet(request.POST, prefix="codes", form_kwargs={"organization_id": org})
        form_valid = form.is_valid()
        # The codes are checked against the chosen program's service groups (and retired codes
        # refused unless the batch already had them).
        rows.project = form.cleaned_data.get("project") if form_valid else None
        if batch is not None:
            rows.kept_code_ids = frozenset(
                batch.service_codes.values_list("service_code_id", flat=True)
            )
        if form_valid and rows.is_valid():
            batch = save_batch(user=user, batch=batch, **form.cleaned_data, codes=rows.codes())
            messages.success(request, f"Saved batch “{batch.description}”.")
            return redirect("batches:list")
    else:
        initial = {"performing_user": user, "project": None}
        row_initial = []
        if batch is not None:
            initial = {
                "description": batch.description,
                "auto_post": batch.auto_post,
                "performing_user": batch.performing_user_id,
                "default_comments": batch.default_comments,
                "project": batch.project_id,
                "location": batch.location_id,
            }
            row_initial = [
                {"service_code": row.service_code, "units": row.units}
                for row in batch.service_codes.select_related("service_code")
            ]
        form = BatchForm(initial=initial, organization_id=org)
        rows = CodeRowFormSet(
            initial=row_initial or [{}], prefix="codes", form_kwargs={"organization_id": org}
        )
    for row in rows.forms:
        row.chosen_code = _chosen_code(row)
    return render(
        request,
        "batches/form.html",
        {
            "form": form,
            "rows": rows,
            "batch": batch,
            "groups": groups_available_to(org, _form_project_id(form)),
        },
    )


def _form_project_id(form) -> int | None:
    """The program the batch form shows (posted or initial), for the picker's groups."""
    value = form["project"].value()
    value = getattr(value, "pk", value)
    return parse_id(value)


def _chosen_code(row):
    """The ServiceCode a row shows (bound: what was posted, if valid; unbound: its initial)."""
    field = row["service_code"]
    value = field.value()
    if hasattr(value, "pk"):
        return value
    if value in (None, ""):
        return None
    try:
        return row.fields["service_code"].queryset.get(pk=value)
    except (ValueError, TypeError, row.fields["service_code"].queryset.model.DoesNotExist):
        return None


@requires(Perm.MANAGE_BATCHES)
@require_GET
def location_options(request):
    """The *Location* choices of the program just chosen on the batch form (htmx)."""
    project_id = request.GET.get("project", "")
    locations = Location.objects.none()
    if parse_id(project_id) is not None:
        locations = Location.objects.filter(project_id=parse_id(project_id), active=True)
        if not is_system_admin(request.user):
            locations = locations.filter(project__organization_id=request.user.organization_id)
    return render(request, "batches/_location_options.html", {"locations": locations[:200]})


@requires(Perm.MANAGE_BATCHES)
@require_POST
def batch_deactivate(request, pk):
    batch = deactivate_batch(batch=get_batch_for_user(request.user, pk), user=request.user)
    messages.success(request, f"Deactivated batch “{batch.description}”.")
    return redirect("batches:list")


# ---- the scanning desk -----------------------------------------------------------------------


def _desk_questions(*, batch, on):
    """What the desk asks in the scan's look-up of the client, beside what adding asks: whether
    the client heads a household, and whether any alert is active on them."""
    household, alerts = heads_household(batch=batch, on=on), any_alert(on=on)
    return lambda client_field: {**household(client_field), **alerts(client_field)}


def _can_search(user) -> bool:
    """Client ID search, candidates and recent clients show names: staff only. A scan station
    (no VIEW_CLIENTS) adds by card only."""
    return has_perm(user, Perm.VIEW_CLIENTS)


def _is_kiosk(user) -> bool:
    """A scan-station account sees the kiosk desk: initials, its own entries only."""
    return user.role == Role.SCAN_STATION


@requires(Perm.SCAN)
@require_GET
def desk(request, pk):
    batch = get_batch_for_user(request.user, pk)
    limits = date_limits(request.user)
    dates = DeskDatesForm.from_query(request.GET, limits=limits)
    batch_date, date_provided = dates.dates()
    can_search = _can_search(request.user)
    scan_type = request.GET.get("type")
    if scan_type != SCAN_CLIENT_ID or not can_search:
        scan_type = SCAN_CARD
    return render(
        request,
        "batches/desk.html",
        {
            "batch": batch,
            "codes": batch.service_codes.select_related("service_code"),
            "dates": dates,
            "batch_date": batch_date,
            "date_provided": date_provided,
            "scan_type": scan_type,
            "today": timezone.localdate(),
            "can_search": can_search,
            "can_post": has_perm(request.user, Perm.POST_SERVICES) and not batch.auto_post,
            "can_enroll": has_perm(request.user, Perm.EDIT_CLIENTS),
            "limits": limits,
            **_entries_context(request, batch, batch_date, date_provided),
        },
    )


@requires(Perm.SCAN)
@require_GET
def desk_service_worker(request):
    """The desk's service worker, served from /batches/ so its scope covers every desk: it keeps
    the desk page, styles and scripts for when the network is gone."""
    response = render(request, "batches/desk_sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@requires(Perm.SCAN)
@require_POST
def scan(request, pk):
    """One add request from the desk; answers with the result fragment (status 200 even for a
    refusal, so the desk shows it and does not retry).

    A desk sends the id of the user it scanned for (X-HMIS-User); a scan queued by one user is
    never recorded under another user's session: 409, and the desk keeps holding it."""
    scanned_for = request.headers.get("X-HMIS-User", "")
    if scanned_for and scanned_for != str(request.user.pk):
        return HttpResponse("This scan belongs to another user.", status=409)
    batch = get_batch_for_user(request.user, pk)
    form = ScanForm(request.POST)
    if not form.is_valid():
        result = AddResult(False, "invalid_request", _form_problem(form))
    else:
        data = form.cleaned_data
        result = add_to_batch(
            batch=batch,
            user=request.user,
            scan_type=data["scan_type"],
            typed=data["typed"],
            batch_date=data["batch_date"],
            date_provided=data["date_provided"],
            key=data["key"],
            bar_override_reason=data["bar_override_reason"],
            also=_desk_questions(batch=batch, on=data["date_provided"]),
        )
    data = form.cleaned_data if form.is_valid() else {}
    client = result.client
    household = (
        household_members(batch=batch, head=client, on=data["date_provided"])
        # A replayed answer's client was not looked up again: ask.
        if client
        and data
        and _can_search(request.user)
        and getattr(client, "heads_household", True)
        else []
    )
    # The photo lets staff check the card belongs to the person; only for a record they may see.
    show_photo = bool(client and client.photo and can_see_full_record(request.user, client))
    # Alerts the user's organization sees (a scan station: front-desk ones only): one query,
    # when the look-up found any.
    alerts = desk_alerts(request.user, client) if client else []
    return render(
        request,
        "batches/_result.html",
        {
            "batch": batch,
            "result": result,
            "show_photo": show_photo,
            "typed": request.POST.get("typed", "")[:200],
            "scan_type": request.POST.get("scan_type", ""),
            "batch_date": data.get("batch_date"),
            "date_provided": data.get("date_provided"),
            "can_enroll": has_perm(request.user, Perm.EDIT_CLIENTS),
            "can_override": request.user.can_override_bars and _can_search(request.user),
            "household": household,
            "kiosk": _is_kiosk(request.user),
            "alerts": alerts,
        },
    )


@requires(Perm.SCAN)
@require_POST
def household(request, pk):
    """*Add household*: every member of the household the client heads, one result line each.
    Staff only: a scan station adds by card only."""
    if not _can_search(request.user):
        raise PermissionDenied
    batch = get_batch_for_user(request.user, pk)
    head = get_client_for_user(request.user, request.POST.get("client", ""))
    batch_date, date_provided = DeskDatesForm.from_query(request.POST).dates()
    results = add_household_to_batch(
        batch=batch,
        head=head,
        user=request.user,
        batch_date=batch_date,
        date_provided=date_provided,
    )
    response = render(request, "batches/_household_result.html", {"head": head, "results": results})
    return trigger_client_event(response, "hmis:refresh")


def _form_problem(form) -> str:
    labels = {
        "batch_date": "Batch Date",
        "date_provided": "Date Service Provided",
        "typed": "Scan",
        "scan_type": "Type",
    }
    for name, errors in form.errors.items():
        return f"ERROR: {labels.get(name, name)}: {errors[0]}"
    return "ERROR: The request could not be read."


def _entries_context(request, batch, batch_date, date_provided) -> dict:
    return {
        "kiosk": _is_kiosk(request.user),
        "scans_today": history.scans_on(batch=batch, day=timezone.localdate()),
        "entries": history.entries_on(batch=batch, batch_date=batch_date),
        "counts": history.day_counts(batch=batch, batch_date=batch_date),
        "entries_limit": history.ENTRY_LIST_LIMIT,
        "recent": recent_clients(batch=batch, day=date_provided)
        if _can_search(request.user)
        else [],
    }


def _entries_fragment(request, batch, *, error: str = ""):
    batch_date, date_provided = DeskDatesForm.from_query(
        request.POST if request.method == "POST" else request.GET
    ).dates()
    context = {
        "batch": batch,
        "batch_date": batch_date,
        "date_provided": date_provided,
        "entry_error": error,
        "oob": True,
        "can_search": _can_search(request.user),
        **_entries_context(request, batch, batch_date, date_provided),
    }
    return render(request, "batches/_entries.html", context)


@requires(Perm.SCAN)
@require_GET
def entries(request, pk):
    return _entries_fragment(request, get_batch_for_user(request.user, pk))


@requires(Perm.SCAN)
@require_POST
def entry_remove(request, pk, entry_pk):
    batch = get_batch_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, batch, entry_pk)
    try:
        remove_entry(entry=entry, user=request.user)
    except BatchError as refusal:
        return _entries_fragment(request, batch, error=refusal.message)
    return _entries_fragment(request, batch)


@requires(Perm.SCAN)
@require_POST
def entry_units(request, pk, entry_pk):
    batch = get_batch_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, batch, entry_pk)
    form = EntryUnitsForm(request.POST, codes=list(batch.service_codes.all()))
    if not form.is_valid():
        return _entries_fragment(
            request, batch, error="ERROR: Units must be a whole number from 1 to 999."
        )
    try:
        set_entry_units(entry=entry, user=request.user, units=form.units())
    except BatchError as refusal:
        return _entries_fragment(request, batch, error=refusal.message)
    return _entries_fragment(request, batch)


@requires(Perm.SCAN)
@require_POST
def entry_comment(request, pk, entry_pk):
    """The client's own *Comment* on a pending entry (added to or replacing Default Comments)."""
    batch = get_batch_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, batch, entry_pk)
    try:
        set_entry_comment(
            entry=entry,
            user=request.user,
            comment=request.POST.get("comment", ""),
            mode=request.POST.get("comment_mode", ""),
        )
    except BatchError as refusal:
        return _entries_fragment(request, batch, error=refusal.message)
    return _entries_fragment(request, batch)


@requires(Perm.SCAN)
@require_POST
def entry_undo(request, pk, entry_pk):
    """*Undo* on a result line: the scan taken back (removed, or its services voided)."""
    batch = get_batch_for_user(request.user, pk)
    entry = get_entry_for_user(request.user, batch, entry_pk)
    try:
        entry = undo_add(entry=entry, user=request.user)
    except BatchError as refusal:
        return render(request, "batches/_undo.html", {"error": refusal.message})
    response = render(request, "batches/_undo.html", {"entry": entry})
    return trigger_client_event(response, "hmis:refresh")


@requires(Perm.SCAN)
@require_GET
def candidates(request, pk):
    """*Client ID* search as you type: clients the user may see, to pick one."""
    if not _can_search(request.user):
        raise PermissionDenied
    batch = get_batch_for_user(request.user, pk)
    query = request.GET.get("typed", "").strip()[:100]
    found = (
        search_clients(query, clients=clients_fully_visible_to(request.user), limit=CANDIDATE_LIMIT)
        if query
        else []
    )
    batch_date, date_provided = DeskDatesForm.from_query(request.GET).dates()
    return render(
        request,
        "batches/_candidates.html",
        {
            "batch": batch,
            "candidates": found,
            "query": query,
            "can_enroll": has_perm(request.user, Perm.EDIT_CLIENTS),
            "batch_date": batch_date,
            "date_provided": date_provided,
        },
    )


@requires(Perm.SCAN)
@require_GET
def recent(request, pk):
    if not _can_search(request.user):
        raise PermissionDenied
    batch = get_batch_for_user(request.user, pk)
    _, date_provided = DeskDatesForm.from_query(request.GET).dates()
    return render(
        request,
        "batches/_recent.html",
        {"batch": batch, "recent": recent_clients(batch=batch, day=date_provided)},
    )


@requires(Perm.POST_SERVICES)
@require_POST
def post(request, pk):
    """*Post Services*: post the pending entries of the batch date; list what happened."""
    batch = get_batch_for_user(request.user, pk)
    batch_date, date_provided = DeskDatesForm.from_query(request.POST).dates()
    # The desk posts its Batch Date; the list's action menu posts every pending date.
    only_date = batch_date if request.POST.get("batch_date") else None
    result = post_batch(batch=batch, user=request.user, batch_date=only_date)
    context = {
        "batch": batch,
        "result": result,
        "batch_date": only_date,
        "date_provided": date_provided,
        "desk_url": _desk_url(batch, batch_date, date_provided),
    }
    if request.htmx:
        response = render(request, "batches/_post_result.html", context)
        # The desk's "Clients added" list must show the new statuses now, not at its next poll.
        return trigger_client_event(response, "hmis:refresh")
    return render(request, "batches/post_result.html", context)


# ---- history -------------------------------------------------------------------------------


@requires(Perm.VIEW_BATCHES)
@require_GET
def batch_history(request, pk):
    batch = get_batch_for_user(request.user, pk)
    page = Paginator(history.dates_used(batch), 31).get_page(request.GET.get("page"))
    return render(request, "batches/history.html", {"batch": batch, "page": page})


@requires(Perm.VIEW_BATCHES)
@require_GET
def batch_history_day(request, pk, day):
    batch = get_batch_for_user(request.user, pk)
    return render(
        request,
        "batches/history_day.html",
        {
            "batch": batch,
            "day": day,
            "entries": history.entries_on(batch=batch, batch_date=day, include_removed=True),
            "counts": history.day_counts(batch=batch, batch_date=day),
            "entries_limit": history.ENTRY_LIST_LIMIT,
        },
    )


# ---- Enroll client, from the desk's ENROLLMENT_REQUIRED result --------------------------------


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def enroll(request, pk):
    """*Enroll client* / *New client*: the scanned client, or a new one after the HUD intake and
    the duplicate check, is enrolled in the batch's program and added to the batch in one step
    (`enroll_and_add`); the desk opens again with the result."""
    batch = get_batch_for_user(request.user, pk)
    source = request.POST if request.method == "POST" else request.GET
    batch_date, date_provided = DeskDatesForm.from_query(source).dates()
    existing, data = _intake_client(request.user, source), request.POST or None
    use = parse_id(source.get("use"))
    if data is not None and use is not None:
        # "Use this client" on a possible duplicate: enroll that record instead of a new one.
        existing = clients_fully_visible_to(request.user).filter(pk=use).first()
        data = data.copy()
        data["who"] = IntakeForm.EXISTING if existing else IntakeForm.NEW
    form = IntakeForm(
        data,
        has_existing=existing is not None,
        date_provided=date_provided,
        initial={
            "entry_date": date_provided,
            "who": IntakeForm.EXISTING if existing else IntakeForm.NEW,
            "give_card": True,
            **name_initial(source.get("name", "")),
        },
    )
    matches = []
    if data is not None and form.is_valid():
        new = form.is_new
        matches = duplicates_before_create(request, form) if new else []
        if not matches:
            try:
                result = enroll_and_add(
                    batch=batch,
                    user=request.user,
                    client=None if new else existing,
                    details=form.details if new else None,
                    card_code=_card_to_give(request, form, source) if new else "",
                    entry_date=form.cleaned_data["entry_date"],
                    batch_date=batch_date,
                    date_provided=date_provided,
                )
            except IntakeError as refused:
                show_refusal(form, refused)
            except (BatchError, EnrollmentError) as refused:
                # A bad entry date, or an enrollment the program refuses (one already open).
                form.add_error("entry_date", refused.message)
            except CardError as refused:
                form.add_error("give_card", refused.message)
            else:
                _say_intake_result(request, batch, result)
                return redirect(_desk_url(batch, batch_date, date_provided))
    return render(
        request,
        "batches/enroll.html",
        {
            "batch": batch,
            "form": form,
            "existing": existing,
            "matches": matches,
            "fingerprint": form.duplicate_fingerprint() if matches else "",
            "batch_date": batch_date,
            "date_provided": date_provided,
            "card": source.get("card", ""),
            "client_param": str(existing.pk)
            if existing and source.get("use")
            else source.get("client", ""),
            "desk_url": _desk_url(batch, batch_date, date_provided),
        },
    )


def _card_to_give(request, form, source) -> str:
    """The unknown card scanned at the desk, when the new client is to have it."""
    wanted = form.cleaned_data.get("give_card") and has_perm(request.user, Perm.MANAGE_CARDS)
    return source.get("card", "").strip() if wanted else ""


def _say_intake_result(request, batch, result) -> None:
    name = result.client.full_name
    if result.refusal is not None:
        messages.error(request, f"{name} enrolled in {batch.project}. {result.refusal.message}")
    else:
        messages.success(request, f"{name} enrolled in {batch.project} and added to the batch.")


def _intake_client(user, source):
    """The client the desk was refused for: found by the card just scanned (the card in hand is
    the proof), or by Client ID among the clients the user may see."""
    card = source.get("card", "").strip()
    if card:
        try:
            return find_client_by_card(card)
        except LookupFailed:
            return None
    client_id = source.get("client", "").strip()
    if parse_id(client_id) is not None:
        return clients_fully_visible_to(user).filter(pk=parse_id(client_id)).first()
    return None
