"""Merging duplicate records: the side-by-side comparison, *Undo merge*, and the *Possible
duplicates* list with *Not a duplicate*. The rules live in clients/merging.py."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmis.accounts.permissions import Perm, requires
from hmis.clients.merging import (
    MERGE_FIELDS,
    MergeError,
    mark_not_duplicate,
    merge_clients,
    mergeable_by,
    not_duplicate_pairs,
    undo_merge,
)
from hmis.clients.models import ClientMerge
from hmis.clients.ssn import masked
from hmis.clients.ude import NAME_DATA_QUALITY, VETERAN_STATUS, choice_label
from hmis.inputs import parse_id
from hmis.reports.duplicates import likely_duplicates

POSSIBLE_DUPLICATES_SHOWN = 50


def get_mergeable_client(user, pk):
    """A client `user` may merge, or 404."""
    client_id = parse_id(str(pk or "").strip())
    client = mergeable_by(user).filter(pk=client_id or 0).first()
    if client is None:
        raise Http404("No such client.")
    return client


def get_merge_for_user(user, pk) -> ClientMerge:
    merge = ClientMerge.objects.filter(pk=parse_id(str(pk)) or 0).first()
    if merge is None:
        raise Http404("No such merge.")
    get_mergeable_client(user, merge.survivor_id)
    return merge


# Fields holding a HUD list's code: shown by the list's label ("Full name reported"), not "1".
_HUD_LISTS = {"name_data_quality": NAME_DATA_QUALITY, "veteran_status": VETERAN_STATUS}


def _value_shown(client, key: str) -> str:
    if key == "ssn":
        return masked(client) or "none"
    if key == "photo":
        return "a photo" if client.photo else "no photo"
    if key == "dob":
        return f"{client.dob:%m/%d/%Y}" if client.dob else "not recorded"
    if key in _HUD_LISTS:
        return choice_label(_HUD_LISTS[key], getattr(client, key))
    if key == "hud_data":
        return ", ".join(f"{k}: {v}" for k, v in sorted(client.hud_data.items())) or "none"
    return str(getattr(client, MERGE_FIELDS[key][1][0]) or "")


class MergeForm(forms.Form):
    def __init__(self, *args, survivor, merged, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for key, (label, _fields) in MERGE_FIELDS.items():
            ours, theirs = _value_shown(survivor, key), _value_shown(merged, key)
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=[
                    ("survivor", f"Client ID {survivor.pk}: {ours or '(empty)'}"),
                    ("merged", f"Client ID {merged.pk}: {theirs or '(empty)'}"),
                ],
                widget=forms.RadioSelect,
                # Unanswered: the survivor's value stays.
                required=False,
                initial="survivor" if ours or not theirs else "merged",
            )
            self.rows.append((self[key], ours == theirs))


@requires(Perm.MERGE_CLIENTS)
@require_http_methods(["GET", "POST"])
def merge_compare(request, pk):
    """*Merge*: the two records side by side, a choice per field, then the merge."""
    survivor = get_mergeable_client(request.user, pk)
    merged = get_mergeable_client(
        request.user, request.GET.get("other") or request.POST.get("other")
    )
    form = MergeForm(request.POST or None, survivor=survivor, merged=merged)
    if request.method == "POST" and form.is_valid():
        try:
            merge_clients(
                survivor=survivor, merged=merged, user=request.user, choices=form.cleaned_data
            )
        except MergeError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Client ID {merged.pk} merged into Client ID {survivor.pk}.")
            return redirect("clients:profile", pk=survivor.pk)
    return render(
        request,
        "clients/merge.html",
        {"form": form, "survivor": survivor, "merged": merged},
    )


@requires(Perm.MERGE_CLIENTS)
@require_POST
def merge_undo(request, merge_id):
    merge = get_merge_for_user(request.user, merge_id)
    try:
        undo_merge(merge=merge, user=request.user)
    except MergeError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, f"Merge undone: Client ID {merge.merged_id} is a record of its own again."
        )
    return redirect("clients:profile", pk=merge.survivor_id)


@requires(Perm.MERGE_CLIENTS)
@require_GET
def possible_duplicates(request):
    """The organization's likely duplicate pairs (the intake's matching), less those judged
    *Not a duplicate*."""
    found = likely_duplicates(user=request.user, shown=10_000)
    judged = not_duplicate_pairs(request.user.organization_id)
    pairs = [p for p in found.pairs if (p.first.pk, p.second.pk) not in judged]
    return render(
        request,
        "clients/possible_duplicates.html",
        {"pairs": pairs[:POSSIBLE_DUPLICATES_SHOWN], "total": len(pairs), "found": found},
    )


@requires(Perm.MERGE_CLIENTS)
@require_POST
def not_duplicate(request):
    first = get_mergeable_client(request.user, request.POST.get("first"))
    second = get_mergeable_client(request.user, request.POST.get("second"))
    organization_id = request.user.organization_id or first.organization_id
    if first.pk == second.pk or organization_id is None:
        raise Http404("Two different clients of an organization are needed.")
    mark_not_duplicate(
        first=first, second=second, user=request.user, organization_id=organization_id
    )
    messages.success(request, f"Client ID {first.pk} and Client ID {second.pk}: not a duplicate.")
    return redirect("clients:possible_duplicates")
