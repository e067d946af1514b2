"""The supervisor's pages: bars, releases of information and client alerts, reached from the
client profile, and the organization's list of bars. Each: access helper -> form -> one call into
clients/barring.py, clients/releases.py or clients/alerts.py -> redirect."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmis.accounts.permissions import Perm, has_perm, requires
from hmis.audit.recording import record_export
from hmis.clients.access import bars_visible_to, get_bar_for_user, get_client_for_user
from hmis.clients.alerts import alerts_visible_to, get_alert_for_user, remove_alert, write_alert
from hmis.clients.barring import BarError, add_bar, change_bar, end_bar
from hmis.clients.models import ReleaseOfInformation
from hmis.clients.releases import get_release_for_user, record_release, revoke_release
from hmis.clients.supervision_forms import (
    AlertForm,
    BarFilterForm,
    BarForm,
    BarScope,
    EndBarForm,
    ReleaseForm,
    RevokeReleaseForm,
)

BARS_PAGE_SIZE = 50
ENDING_SOON_DAYS = 14
SIDE_LIST_LIMIT = 50


def supervision_context(user, client) -> dict:
    """What the profile shows of the supervisor's tools: alerts, releases, undoable merges."""
    from hmis.clients.merging import undoable_merges

    can_merge = has_perm(user, Perm.MERGE_CLIENTS)
    return {
        "today": timezone.localdate(),
        "can_supervise": has_perm(user, Perm.MANAGE_BARS),
        "can_merge": can_merge,
        "alerts": alerts_visible_to(user)
        .active_on(timezone.localdate())
        .filter(client=client)[:SIDE_LIST_LIMIT],
        "releases": ReleaseOfInformation.objects.filter(client=client)
        .select_related("organization")
        .prefetch_related("shared_with")
        .order_by("-start_date", "-pk")[:SIDE_LIST_LIMIT],
        "merges": undoable_merges(survivor=client) if can_merge else [],
    }


def _acting_organization(user, client) -> int | None:
    """The organization a supervisor acts for: their own (a system administrator without one
    acts for the organization holding the client's record)."""
    return user.organization_id or client.organization_id


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def bar_new(request, pk):
    client = get_client_for_user(request.user, pk)
    organization_id = _acting_organization(request.user, client)
    form = BarForm(request.POST or None, organization_id=organization_id)
    if request.method == "POST" and form.is_valid():
        if organization_id is None:
            raise Http404("No organization to bar the client from.")
        bar = add_bar(
            client=client,
            organization_id=organization_id,
            user=request.user,
            details=form.details(),
        )
        messages.success(request, f"Bar added: barred from {bar.scope_label}.")
        return redirect("clients:profile", pk=client.pk)
    return render(request, "clients/bar_form.html", {"form": form, "client": client, "bar": None})


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def bar_edit(request, bar_id):
    bar = get_bar_for_user(request.user, bar_id)
    form = BarForm(
        request.POST or None, initial=BarForm.initial_for(bar), organization_id=bar.organization_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_bar(bar=bar, user=request.user, details=form.details())
        except BarError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "Bar saved.")
            return redirect("clients:profile", pk=bar.client_id)
    return render(
        request, "clients/bar_form.html", {"form": form, "client": bar.client, "bar": bar}
    )


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def bar_end(request, bar_id):
    bar = get_bar_for_user(request.user, bar_id)
    form = EndBarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end_bar(
                bar=bar,
                user=request.user,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except BarError as refusal:
            form.add_error("end_date", refusal.message)
        else:
            messages.success(request, "Bar ended.")
            return redirect("clients:profile", pk=bar.client_id)
    return render(request, "clients/bar_end.html", {"form": form, "bar": bar})


@requires(Perm.MANAGE_BARS)
@require_GET
def bar_list(request):
    """The organization's bars: in force (default), ending soon, expired or all, by scope."""
    form = BarFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    bars = bars_visible_to(request.user).select_related("client", "service_code")
    status = data.get("status") or "in_force"
    if status == "in_force":
        bars = bars.in_force_on(today)
    elif status == "ending_soon":
        bars = bars.in_force_on(today).filter(
            end_date__lte=today + timedelta(days=ENDING_SOON_DAYS)
        )
    elif status == "expired":
        bars = bars.filter(end_date__lt=today)
    scope = data.get("scope")
    if scope == BarScope.ORGANIZATION:
        bars = bars.filter(project__isnull=True, service_code__isnull=True)
    elif scope == BarScope.PROGRAM:
        bars = bars.filter(project__isnull=False, location__isnull=True)
    elif scope == BarScope.LOCATION:
        bars = bars.filter(location__isnull=False)
    elif scope == BarScope.SERVICE:
        bars = bars.filter(~Q(service_code=None))
    bars = bars.filter(client__deleted_at__isnull=True).order_by("end_date", "-start_date", "pk")
    page = Paginator(bars, BARS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clients/bar_list.html",
        {
            "form": form,
            "page": page,
            "query_prefix": query.urlencode() + "&" if query else "",
            "today": today,
        },
    )


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def release_new(request, pk):
    client = get_client_for_user(request.user, pk)
    organization_id = _acting_organization(request.user, client)
    form = ReleaseForm(request.POST or None, request.FILES or None, organization_id=organization_id)
    if request.method == "POST" and form.is_valid():
        if organization_id is None:
            raise Http404("No organization to record the release for.")
        data = form.cleaned_data
        record_release(
            client=client,
            organization_id=organization_id,
            user=request.user,
            permission=data["permission"],
            whole_continuum=data["whole_continuum"],
            shared_with=data["shared_with"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            signed_form=data["signed_form"],
        )
        messages.success(request, "Release of information recorded.")
        return redirect("clients:profile", pk=client.pk)
    return render(request, "clients/release_form.html", {"form": form, "client": client})


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def release_revoke(request, release_id):
    release = get_release_for_user(request.user, release_id)
    form = RevokeReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revoke_release(release=release, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Release of information revoked.")
        return redirect("clients:profile", pk=release.client_id)
    return render(request, "clients/release_revoke.html", {"form": form, "release": release})


@requires(Perm.VIEW_CLIENTS)
@require_GET
def release_form(request, release_id):
    """The scanned signed release, only for users who may see the client's full record."""
    release = get_release_for_user(request.user, release_id)
    if not release.signed_form:
        raise Http404("No signed form.")
    try:
        handle = release.signed_form.open("rb")
    except FileNotFoundError:
        raise Http404("No signed form.") from None
    record_export(
        request, what="Signed release of information form", client=release.client, obj=release
    )
    response = FileResponse(handle)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(Perm.MANAGE_BARS)
@require_http_methods(["GET", "POST"])
def alert_new(request, pk):
    client = get_client_for_user(request.user, pk)
    organization_id = _acting_organization(request.user, client)
    form = AlertForm(request.POST or None, organization_id=organization_id)
    if request.method == "POST" and form.is_valid():
        if organization_id is None:
            raise Http404("No organization to write the alert for.")
        write_alert(
            client=client, organization_id=organization_id, user=request.user, **form.cleaned_data
        )
        messages.success(request, "Alert saved.")
        return redirect("clients:profile", pk=client.pk)
    return render(request, "clients/alert_form.html", {"form": form, "client": client})


@requires(Perm.MANAGE_BARS)
@require_POST
def alert_remove(request, alert_id):
    alert = get_alert_for_user(request.user, alert_id)
    remove_alert(alert=alert, user=request.user)
    messages.success(request, "Alert removed.")
    return redirect("clients:profile", pk=alert.client_id)
