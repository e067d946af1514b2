"""Searching the audit trail: which rows a user may see, and the filters of the search form."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from hmis import inputs
from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import Client

# Reading, exporting or printing a client's record: the client's own agency may see who did it,
# whichever organization they belong to.
ACCESS_ACTIONS = (AuditAction.READ, AuditAction.EXPORT, AuditAction.PRINT)


def events_visible_to(user):
    """System administrators see every row; agency administrators their organization's, and
    every read, export or print of a client their organization created."""
    events = AuditEvent.objects.select_related("actor", "organization")
    if is_system_admin(user):
        return events
    own_clients = Client.objects.filter(organization_id=user.organization_id).values("pk")
    return events.filter(
        Q(organization_id=user.organization_id)
        | Q(action__in=ACCESS_ACTIONS, client_id__in=own_clients)
    )


class AuditSearchForm(forms.Form):
    user = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any")] + list(AuditAction.choices)
    )
    object_type = forms.CharField(
        label="Object type", required=False, max_length=60, help_text="For example clients.Client"
    )
    client_id = forms.IntegerField(label="Client ID", required=False, min_value=1)
    date_from = inputs.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = inputs.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filter(self, events):
        """`events` narrowed by the valid filters (call after is_valid())."""
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(actor__username__iexact=data["user"].strip())
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type__iexact=data["object_type"].strip())
        if data.get("client_id"):
            # A merged client's history includes the records merged into it (their rows are
            # never rewritten: clients/merging.py).
            wanted = Q(client_id=data["client_id"])
            survivor = inputs.parse_id(str(data["client_id"]))
            if survivor is not None:
                aliases = Client.objects.filter(merged_into_id=survivor).values("pk")
                wanted |= Q(client_id__in=aliases)
            events = events.filter(wanted)
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, zone))
        if data.get("date_to"):
            after = data["date_to"] + timedelta(days=1)
            events = events.filter(at__lt=datetime.combine(after, time.min, zone))
        return events
