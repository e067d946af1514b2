"""Forms of the supervisor's pages: bars, releases of information, client alerts, merging."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from hmis.clients.barring import BarDetails
from hmis.clients.models import AlertPriority, RoiPermission
from hmis.projects.models import Location, Organization, Project
from hmis.services.catalog import codes_offered_to_organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_FORM_BYTES = 10 << 20
FORM_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class BarScope:
    ORGANIZATION = "organization"
    PROGRAM = "program"
    LOCATION = "location"
    SERVICE = "service"
    CHOICES = [
        (ORGANIZATION, "The whole organization"),
        (PROGRAM, "A program"),
        (LOCATION, "A location"),
        (SERVICE, "A service code"),
    ]


class BarForm(forms.Form):
    scope = forms.ChoiceField(
        label="Barred from", choices=BarScope.CHOICES, widget=forms.RadioSelect, initial="program"
    )
    project = forms.ModelChoiceField(
        label="Program", queryset=Project.objects.none(), required=False
    )
    location = forms.ModelChoiceField(
        label="Location", queryset=Location.objects.none(), required=False
    )
    service_code = forms.ModelChoiceField(
        label="Service code", queryset=Project.objects.none(), required=False
    )
    start_date = forms.DateField(label="Begin date", widget=DATE_WIDGET)
    end_date = forms.DateField(
        label="End date", widget=DATE_WIDGET, required=False, help_text="Empty: until ended."
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    decided_by = forms.CharField(
        label="Decided by", max_length=200, help_text="Who decided the bar (name, role)."
    )

    def __init__(self, *args, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(organization_id=organization_id)
        self.fields["location"].queryset = Location.objects.filter(
            project__organization_id=organization_id
        ).select_related("project")
        self.fields["location"].label_from_instance = lambda loc: f"{loc.name} ({loc.project.name})"
        self.fields["service_code"].queryset = codes_offered_to_organization(
            organization_id
        ).filter(active=True)
        if not self.is_bound and "start_date" not in self.initial:
            self.initial["start_date"] = timezone.localdate()

    @classmethod
    def initial_for(cls, bar) -> dict:
        scope = (
            BarScope.SERVICE
            if bar.service_code_id
            else BarScope.LOCATION
            if bar.location_id
            else BarScope.PROGRAM
            if bar.project_id
            else BarScope.ORGANIZATION
        )
        return {
            "scope": scope,
            "project": bar.project_id,
            "location": bar.location_id,
            "service_code": bar.service_code_id,
            "start_date": bar.start_date,
            "end_date": bar.end_date,
            "reason": bar.reason,
            "decided_by": bar.decided_by,
        }

    def clean(self):
        data = super().clean()
        needed = {
            BarScope.PROGRAM: "project",
            BarScope.LOCATION: "location",
            BarScope.SERVICE: "service_code",
        }.get(data.get("scope"))
        if needed and not data.get(needed):
            self.add_error(needed, "Choose one for this scope.")
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the begin date.")
        return data

    def details(self) -> BarDetails:
        data = self.cleaned_data
        scope = data["scope"]
        return BarDetails(
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
            decided_by=data["decided_by"],
            project=data["project"] if scope == BarScope.PROGRAM else None,
            location=data["location"] if scope == BarScope.LOCATION else None,
            service_code=data["service_code"] if scope == BarScope.SERVICE else None,
        )


class EndBarForm(forms.Form):
    end_date = forms.DateField(label="Last day of the bar", widget=DATE_WIDGET)
    reason = forms.CharField(label="Why it ends", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Ending today lets the client in tomorrow; ending yesterday lets them in today.
            self.initial.setdefault("end_date", timezone.localdate() - timedelta(days=1))


class BarFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("in_force", "In force"),
        ("ending_soon", "Ending soon (within 14 days)"),
        ("expired", "Expired"),
        ("all", "All"),
    ]
    scope = forms.ChoiceField(
        label="Scope", choices=[("", "Any scope"), *BarScope.CHOICES], required=False
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)


class ReleaseForm(forms.Form):
    permission = forms.ChoiceField(
        label="Permission", choices=RoiPermission.choices, widget=forms.RadioSelect
    )
    whole_continuum = forms.BooleanField(
        label="Share with the whole continuum (every organization)", required=False, initial=True
    )
    shared_with = forms.ModelMultipleChoiceField(
        label="Or only with these organizations",
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(label="Begin date", widget=DATE_WIDGET)
    end_date = forms.DateField(label="End date", widget=DATE_WIDGET, required=False)
    signed_form = forms.FileField(
        label="Signed form (optional)",
        required=False,
        help_text="A scan of the signed release: PDF, JPEG or PNG, at most 10 MB.",
    )

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = Organization.objects.exclude(pk=organization_id)
        if not self.is_bound:
            self.initial.setdefault("start_date", timezone.localdate())
            self.initial.setdefault("permission", RoiPermission.SHARE)

    def clean_signed_form(self):
        upload = self.cleaned_data.get("signed_form")
        if not upload:
            return upload
        if upload.size > MAX_FORM_BYTES:
            raise forms.ValidationError("The signed form is larger than 10 MB.")
        head = upload.read(8)
        upload.seek(0)
        if not (
            head.startswith(b"%PDF-")
            or head.startswith(b"\xff\xd8\xff")
            or head.startswith(b"\x89PNG\r\n\x1a\n")
        ):
            raise forms.ValidationError("The signed form must be a PDF, JPEG or PNG file.")
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the begin date.")
        if (
            data.get("permission") == RoiPermission.SHARE
            and not data.get("whole_continuum")
            and not data.get("shared_with")
        ):
            self.add_error("shared_with", "Choose the organizations, or the whole continuum.")
        return data


class RevokeReleaseForm(forms.Form):
    reason = forms.CharField(label="Why it is revoked", widget=forms.Textarea(attrs={"rows": 2}))


class AlertForm(forms.Form):
    text = forms.CharField(label="Alert", max_length=200, help_text="Short: the desk shows it.")
    priority = forms.ChoiceField(
        label="Priority", choices=AlertPriority.choices, initial=AlertPriority.NORMAL
    )
    expires_on = forms.DateField(label="Expires on", widget=DATE_WIDGET)
    front_desk = forms.BooleanField(
        label="Show at the front desk (scan stations too)", required=False
    )
    shared_with = forms.ModelMultipleChoiceField(
        label="Also seen by",
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = Organization.objects.exclude(pk=organization_id)
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=30))

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("An alert cannot expire in the past.")
        return day
