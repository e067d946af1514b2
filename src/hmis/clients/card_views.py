"""Community card pages: issue, replace, revoke, print cards and rosters, import legacy cards.

Each view: access helper -> form -> one domain call (clients/cards.py, clients/card_printing.py)
-> redirect, render or a PDF.
"""

import re

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hmis import inputs
from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.batches.access import batches_visible_to, get_batch_for_user
from hmis.clients.access import clients_fully_visible_to, get_card_for_user, get_client_for_user
from hmis.clients.card_printing import (
    CR80,
    LAYOUTS,
    SHEET,
    cards_for_printing,
    print_cards,
    print_roster,
)
from hmis.clients.cards import (
    CardError,
    format_code,
    import_legacy_cards,
    issue_card,
    issue_cards,
    program_clients_without_card,
    replace_card,
    revoke_card,
)
from hmis.clients.models import CardRevokeReason, CommunityCard
from hmis.inputs import parse_id
from hmis.jobs.models import JobKind
from hmis.jobs.running import start_job
from hmis.projects.models import Project

MAX_PRINT_CLIENTS = 500
# Up to this many cards the PDF comes back at once; more are printed by a job (hmis worker) whose
# page shows the progress and offers the PDF when done.
DIRECT_PRINT_CARDS = 20
MAX_IMPORT_BYTES = 5 * 1024 * 1024
SHOWN_IMPORT_ERRORS = 200
INDEX_BATCHES = 50
REASONS = [
    (CardRevokeReason.LOST, "Lost"),
    (CardRevokeReason.DAMAGED, "Damaged"),
    (CardRevokeReason.STOLEN, "Stolen"),
    (CardRevokeReason.OTHER, "Other"),
]


def _profile(client_id: int) -> str:
    return reverse("clients:profile", args=[client_id]) + "#community-cards"


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Cards and rosters carry client information: no copies in shared caches or the browser's.
    response["Cache-Control"] = "no-store"
    return response


def _programs_for(user):
    programs = Project.objects.filter(deleted_at__isnull=True, active=True)
    if is_system_admin(user):
        return programs.select_related("organization")
    return programs.filter(organization_id=user.organization_id)


# --- One client's card, from the profile -----------------------------------------------------


@requires(Perm.MANAGE_CARDS)
@require_POST
def issue(request, client_id):
    client = get_client_for_user(request.user, client_id)
    try:
        card = issue_card(client=client, user=request.user)
    except CardError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Card {format_code(card.code)} issued. Print it below.")
    return redirect(_profile(client.pk))


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=REASONS)


@requires(Perm.MANAGE_CARDS)
@require_POST
def replace(request, card_id):
    card = get_card_for_user(request.user, card_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the card is replaced: lost, damaged, stolen or other.")
        return redirect(_profile(card.client_id))
    try:
        new = replace_card(card=card, user=request.user, reason=form.cleaned_data["reason"])
    except CardError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Card {format_code(card.code)} revoked; new card {format_code(new.code)} issued. "
            "Print it below.",
        )
    return redirect(_profile(card.client_id))


@requires(Perm.MANAGE_CARDS)
@require_POST
def revoke(request, card_id):
    card = get_card_for_user(request.user, card_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the card is revoked: lost, damaged, stolen or other.")
        return redirect(_profile(card.client_id))
    try:
        revoke_card(card=card, user=request.user, reason=form.cleaned_data["reason"])
    except CardError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Card {format_code(card.code)} revoked.")
    return redirect(_profile(card.client_id))


class LayoutForm(forms.Form):
    layout = forms.ChoiceField(
        label="Layout", choices=list(LAYOUTS.items()), initial=CR80, widget=forms.RadioSelect
    )


@requires(Perm.MANAGE_CARDS)
@require_POST
def print_client(request, client_id):
    client = get_client_for_user(request.user, client_id)
    form = LayoutForm(request.POST)
    layout = form.cleaned_data["layout"] if form.is_valid() else CR80
    cards = cards_for_printing(CommunityCard.objects.filter(client=client))
    if not cards:
        messages.error(request, f"Client {client.pk} has no active card. Issue one first.")
        return redirect(_profile(client.pk))
    pdf = print_cards(cards=cards, user=request.user, layout=layout)
    return _pdf(pdf, f"card-client-{client.pk}.pdf")


# --- Many cards: a program's clients without a card, or a list of client IDs -------------------


class PrintCardsForm(forms.Form):
    FOR_PROGRAM = "program"
    FOR_CLIENTS = "clients"

    scope = forms.ChoiceField(
        label="Print cards for",
        choices=[
            (FOR_PROGRAM, "Every client enrolled in a program today who has no card"),
            (FOR_CLIENTS, "These clients (by Client ID)"),
        ],
        initial=FOR_PROGRAM,
        widget=forms.RadioSelect,
    )
    program = inputs.ModelChoiceField(
        label="Program", queryset=Project.objects.none(), required=False
    )
    client_ids = forms.CharField(
        label="Client IDs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Separated by spaces, commas or new lines. Clients without a card are issued "
        f"one. At most {MAX_PRINT_CLIENTS}.",
    )
    layout = LayoutForm.base_fields["layout"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["program"].queryset = _programs_for(user)
        self.fields[
            "layout"
        ].initial = SHEET  # many cards: sheets, unless a card printer is at hand

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.FOR_PROGRAM and not data.get("program"):
            self.add_error("program", "Choose a program.")
        if data.get("scope") == self.FOR_CLIENTS:
            raw = data.get("client_ids", "")
            tokens = [t for t in re.split(r"[\s,;]+", raw) if t]
            bad = [t for t in tokens if parse_id(t) is None]
            if not tokens:
                self.add_error("client_ids", "Type at least one Client ID.")
            elif bad:
                self.add_error("client_ids", f"Not a Client ID: {', '.join(bad[:10])}.")
            elif len(set(tokens)) > MAX_PRINT_CLIENTS:
                self.add_error(
                    "client_ids", f"At most {MAX_PRINT_CLIENTS} clients at a time, please."
                )
            else:
                ids = list(dict.fromkeys(int(t) for t in tokens))
                found = set(
                    clients_fully_visible_to(self.user)
                    .filter(pk__in=ids)
                    .values_list("pk", flat=True)
                )
                missing = [str(pk) for pk in ids if pk not in found]
                if missing:
                    self.add_error(
                        "client_ids", f"No client has Client ID {', '.join(missing[:20])}."
                    )
                data["ids"] = ids
        return data


def _print_context(form) -> dict:
    return {"form": form, "direct_limit": DIRECT_PRINT_CARDS}


@requires(Perm.MANAGE_CARDS)
@require_http_methods(["GET", "POST"])
def print_many(request):
    form = PrintCardsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visible = clients_fully_visible_to(request.user)
        try:
            if data["scope"] == PrintCardsForm.FOR_PROGRAM:
                program = data["program"]
                clients = list(
                    program_clients_without_card(
                        project=program, on=timezone.localdate(), clients=visible
                    ).order_by("pk")[: MAX_PRINT_CLIENTS + 1]
                )
                if not clients:
                    form.add_error(
                        "program", f"Every client enrolled in {program.name} today has a card."
                    )
                    return render(request, "clients/cards/print.html", _print_context(form))
                if len(clients) > MAX_PRINT_CLIENTS:
                    clients = clients[:MAX_PRINT_CLIENTS]
                    messages.warning(
                        request,
                        f"The first {MAX_PRINT_CLIENTS} clients only; print again for more.",
                    )
                issued = issue_cards(clients=clients, user=request.user)
                cards = cards_for_printing(
                    CommunityCard.objects.filter(pk__in=[c.pk for c in issued])
                )
                filename = f"cards-program-{program.pk}.pdf"
            else:
                ids = data["ids"]
                issue_cards(clients=list(visible.filter(pk__in=ids)), user=request.user)
                cards = cards_for_printing(CommunityCard.objects.filter(client_id__in=ids))
                filename = "cards.pdf"
        except CardError as error:
            form.add_error(None, error.message)
        else:
            if len(cards) > DIRECT_PRINT_CARDS:
                job = start_job(
                    kind=JobKind.CARD_SHEET,
                    user=request.user,
                    organization=request.user.organization,
                    options={
                        "cards": [card.pk for card in cards],
                        "layout": data["layout"],
                        "filename": filename,
                    },
                )
                return redirect("jobs:detail", pk=job.pk)
            return _pdf(
                print_cards(cards=cards, user=request.user, layout=data["layout"]), filename
            )
    return render(request, "clients/cards/print.html", _print_context(form))


# --- The check-in roster of a batch --------------------------------------------------------------


class RosterForm(forms.Form):
    on = inputs.DateField(
        label="Active enrollments on", widget=forms.DateInput(attrs={"type": "date"})
    )


@requires(Perm.MANAGE_CARDS)
@require_http_methods(["GET"])
def roster(request, batch_id):
    batch = get_batch_for_user(request.user, batch_id)
    if "on" not in request.GET:
        form = RosterForm(initial={"on": timezone.localdate()})
        return render(request, "clients/cards/roster.html", {"form": form, "batch": batch})
    form = RosterForm(request.GET)
    if not form.is_valid():
        return render(
            request, "clients/cards/roster.html", {"form": form, "batch": batch}, status=400
        )
    on = form.cleaned_data["on"]
    pdf = print_roster(batch=batch, on=on, user=request.user)
    return _pdf(pdf, f"roster-batch-{batch.pk}-{on:%Y-%m-%d}.pdf")


# --- Importing cards from another system ---------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Two columns: Client ID, card code. A header row is optional.",
    )
    skip_invalid = forms.BooleanField(
        label="Import the good lines even if some lines have errors",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                "The file is larger than 5 MB. Split it and import each part."
            )
        return upload


@requires(Perm.MANAGE_CARDS)
@require_http_methods(["GET", "POST"])
def import_cards(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_legacy_cards(
                file=form.cleaned_data["file"].read(),
                user=request.user,
                clients=clients_fully_visible_to(request.user),
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except CardError as error:
            form.add_error("file", error.message)
    context = {"form": form, "report": report}
    if report is not None:
        context["errors"] = report.errors[:SHOWN_IMPORT_ERRORS]
        context["more_errors"] = max(0, len(report.errors) - SHOWN_IMPORT_ERRORS)
    return render(request, "clients/cards/import.html", context)


@requires(Perm.MANAGE_CARDS)
@require_http_methods(["GET"])
def index(request):
    batches = (
        batches_visible_to(request.user)
        .filter(active=True)
        .select_related("project")
        .order_by("project__name", "description")[:INDEX_BATCHES]
    )
    return render(request, "clients/cards/index.html", {"batches": batches, "limit": INDEX_BATCHES})
