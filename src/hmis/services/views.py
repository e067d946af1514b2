"""Service pages: the *Find Service Provided* picker of the batch form, and voiding a service."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hmis.accounts.permissions import Perm, requires
from hmis.errors import DomainError
from hmis.inputs import parse_id
from hmis.services.access import get_service_for_user
from hmis.services.catalog import find_codes
from hmis.services.voiding import void_service


@requires(Perm.MANAGE_BATCHES)
@require_GET
def picker(request):
    """Codes of the chosen *Service Group* matching *Search* (an htmx fragment of buttons)."""
    group = request.GET.get("group", "")
    codes = find_codes(
        organization_id=request.user.organization_id,
        group_id=parse_id(group),
        search=request.GET.get("q", "")[:100],
    )
    return render(request, "services/_picker_results.html", {"codes": codes})


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


@requires(Perm.VOID_SERVICES)
@require_http_methods(["GET", "POST"])
def void(request, pk):
    service = get_service_for_user(request.user, pk)
    form = VoidForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            void_service(service=service, user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(
                request, f"Voided {service.service_code} of {service.date_provided:%m/%d/%Y}."
            )
            return redirect("clients:profile", pk=service.client_id)
    return render(request, "services/void.html", {"service": service, "form": form, "error": error})
