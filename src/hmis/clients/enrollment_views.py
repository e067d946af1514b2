"""Enrollment pages reached from the client profile: *Enroll*, *Enroll household*, *Exit* and
*Edit enrollment*. Each: access helper -> form -> one call into clients/enrolling.py."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hmis.accounts.permissions import Perm, requires
from hmis.clients.access import (
    clients_fully_visible_to,
    get_client_for_user,
    get_enrollment_for_user,
)
from hmis.clients.enrolling import (
    EnrollmentError,
    EntryAssessment,
    HouseholdMember,
    correct_enrollment,
    enroll_client,
    enroll_household,
    exit_enrollment,
)
from hmis.clients.enrollment_forms import (
    EditEnrollmentForm,
    EnrollForm,
    ExitForm,
    HouseholdEnrollForm,
    MemberFormSet,
    NewMemberForm,
)
from hmis.clients.intake import IntakeError
from hmis.clients.views import duplicates_before_create
from hmis.clients.views import show_refusal as show_intake_refusal


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def enroll(request, pk):
    client = get_client_for_user(request.user, pk)
    org = request.user.organization_id
    form = EnrollForm(
        request.POST or None,
        organization_id=org,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = enroll_client(
                client=client,
                project=data["project"],
                entry_date=data["entry_date"],
                assessment=form.assessment(),
                user=request.user,
                reuse_open=False,
            )
        except EnrollmentError as refusal:
            form.show_refusal(refusal)
        else:
            messages.success(request, f"Enrolled in {enrollment.project.name}.")
            return redirect("clients:profile", pk=client.pk)
    return render(request, "clients/enroll.html", {"client": client, "form": form})


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def enroll_as_household(request, pk):
    """This client as head of household, with members: existing clients by Client ID, and a new
    client through the same intake as *New client* (duplicate check first; "use this client"
    makes a likely match the member instead)."""
    head = get_client_for_user(request.user, pk)
    form = HouseholdEnrollForm(request.POST or None, organization_id=request.user.organization_id)
    members = MemberFormSet(request.POST or None, prefix="members")
    new_member = NewMemberForm(request.POST or None)
    matches = []
    if request.method == "POST":
        # Every part validated, so every message shows at once.
        valid = [form.is_valid(), members.is_valid(), new_member.is_valid()]
        if all(valid):
            chosen = _members(request.user, members)
            newcomer, matches = _new_member(request, new_member)
            if chosen is not None and newcomer is not False and not matches:
                if newcomer is not None:
                    chosen.append(newcomer)
                try:
                    enroll_household(
                        head=head,
                        members=chosen,
                        project=form.cleaned_data["project"],
                        entry_date=form.cleaned_data["entry_date"],
                        assessment=form.assessment(),
                        user=request.user,
                    )
                except IntakeError as refused:
                    show_intake_refusal(new_member, refused)
                except EnrollmentError as refusal:
                    form.show_refusal(refusal)
                else:
                    messages.success(
                        request,
                        f"Household of {len(chosen) + 1} enrolled in "
                        f"{form.cleaned_data['project'].name}.",
                    )
                    return redirect("clients:profile", pk=head.pk)
    return render(
        request,
        "clients/enroll_household.html",
        {
            "client": head,
            "form": form,
            "members": members,
            "new_member": new_member,
            "matches": matches,
            "fingerprint": new_member.duplicate_fingerprint() if matches else "",
            "use_button": True,
        },
    )


def _members(user, formset) -> list[HouseholdMember] | None:
    """The filled member rows as HouseholdMembers; None (errors added to the rows) when a Client
    ID is not one the user may see."""
    rows = [row for row in formset.forms if row.cleaned_data.get("client_id")]
    visible = {
        c.pk: c
        for c in clients_fully_visible_to(user).filter(
            pk__in=[row.cleaned_data["client_id"] for row in rows]
        )
    }
    chosen, ok = [], True
    for row in rows:
        client = visible.get(row.cleaned_data["client_id"])
        if client is None:
            row.add_error("client_id", "No client with this Client ID that you may see.")
            ok = False
            continue
        chosen.append(
            HouseholdMember(
                client=client,
                relationship_to_hoh=row.cleaned_data["relationship_to_hoh"],
                disabling_condition=row.cleaned_data["disabling_condition"],
            )
        )
    return chosen if ok else None


def _new_member(request, form: NewMemberForm):
    """The new-client member as (HouseholdMember or None, likely duplicates). The member is an
    existing client when the user chose "Use this client" on a likely duplicate; False (error
    added) when that client is not one the user may see."""
    if not form.filled:
        return None, []
    data = form.cleaned_data
    answers = {
        "relationship_to_hoh": data["relationship_to_hoh"],
        "disabling_condition": data["disabling_condition"],
    }
    used = request.POST.get("use", "")
    if used:
        client = (
            clients_fully_visible_to(request.user).filter(pk=int(used)).first()
            if used.isdigit()
            else None
        )
        if client is None:
            form.add_error(None, "No client with this Client ID that you may see.")
            return False, []
        return HouseholdMember(client=client, **answers), []
    matches = duplicates_before_create(request, form)
    if matches:
        return None, matches
    return HouseholdMember(client=None, details=form.details, **answers), []


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def exit_page(request, enrollment_id):
    enrollment = _enrollment(request.user, enrollment_id)
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exit_enrollment(
                enrollment=enrollment,
                exit_date=form.cleaned_data["exit_date"],
                destination=form.cleaned_data["destination"],
                user=request.user,
            )
        except EnrollmentError as refusal:
            form.show_refusal(refusal)
        else:
            messages.success(request, f"Exited from {enrollment.project.name}.")
            return redirect("clients:profile", pk=enrollment.client_id)
    return render(request, "clients/exit.html", {"enrollment": enrollment, "form": form})


@requires(Perm.EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def edit(request, enrollment_id):
    enrollment = _enrollment(request.user, enrollment_id)
    exited = enrollment.exit_date is not None
    initial = {
        **EntryAssessment.from_hud_data(enrollment.hud_data).as_dict(),
        "entry_date": enrollment.entry_date,
        "relationship_to_hoh": enrollment.relationship_to_hoh,
        "exit_date": enrollment.exit_date,
        "destination": enrollment.destination,
    }
    form = EditEnrollmentForm(request.POST or None, initial=initial, exited=exited)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correct_enrollment(
                enrollment=enrollment,
                user=request.user,
                entry_date=data["entry_date"],
                relationship_to_hoh=data["relationship_to_hoh"],
                assessment=form.assessment(),
                exit_date=data.get("exit_date"),
                destination=data.get("destination"),
            )
        except EnrollmentError as refusal:
            form.show_refusal(refusal)
        else:
            messages.success(request, f"Saved the enrollment in {enrollment.project.name}.")
            return redirect("clients:profile", pk=enrollment.client_id)
    return render(request, "clients/enrollment_edit.html", {"enrollment": enrollment, "form": form})


def _enrollment(user, enrollment_id):
    """An enrollment of the user's organization, of a client whose record the user may see."""
    enrollment = get_enrollment_for_user(user, enrollment_id)
    if not clients_fully_visible_to(user).filter(pk=enrollment.client_id).exists():
        raise Http404("No such enrollment.")
    return enrollment
