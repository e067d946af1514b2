"""Forms of the service pages: the catalog, and *Add service* on a profile."""

from django import forms
from django.utils import timezone

from hmis import inputs
from hmis.projects.models import Organization, Project
from hmis.services.catalog import codes_available_to, hud_service_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=200)
    organization = inputs.ModelChoiceField(
        label="Organization",
        queryset=Organization.objects.none(),
        required=False,
        help_text="Empty: a group shared by every organization.",
    )
    projects = inputs.ModelMultipleChoiceField(
        label="Limit to programs",
        queryset=Project.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every program may use this group.",
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args, organizations, projects, system_admin: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if system_admin:
            self.fields["organization"].queryset = organizations
            self.fields["projects"].label_from_instance = lambda p: f"{p.name} ({p.organization})"
        else:
            del self.fields["organization"]
        self.fields["projects"].queryset = projects


class CodeForm(forms.Form):
    name = forms.CharField(label="Service name", max_length=200)
    hud = forms.ChoiceField(
        label="HUD record type and type provided",
        required=False,
        help_text="Only for services HUD's Services.csv reports; HUD's valid pairs only.",
    )
    unit_of_measure = forms.CharField(
        label="Unit of measure", max_length=50, required=False, help_text="A meal, a night..."
    )
    default_units = forms.IntegerField(label="Default units", min_value=1, max_value=999, initial=1)
    limit_count = forms.IntegerField(
        label="Frequency limit: at most", min_value=1, max_value=999, required=False
    )
    limit_period_days = forms.IntegerField(
        label="per this many days", min_value=1, max_value=3650, required=False
    )
    usable_in_batches = forms.BooleanField(label="May be used in batches", required=False)
    active = forms.TypedChoiceField(
        label="Status",
        choices=[("1", "Active"), ("0", "Retired")],
        coerce=lambda value: value == "1",
        help_text="A retired code stays on past services and cannot be added to batches.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hud"].choices = [("", "(not reported to HUD)"), *hud_service_choices()]

    def clean_hud(self) -> tuple[int | None, int | None]:
        value = self.cleaned_data["hud"]
        if not value:
            return None, None
        record_type, type_provided = value.split(":")
        return int(record_type), int(type_provided)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["hud_record_type"], data["hud_type_provided"] = data.pop("hud")
        return data


class SingleServiceForm(forms.Form):
    """*Add service* on a profile: the batch form's labels for the same things."""

    service_code = inputs.ModelChoiceField(
        label="Service",
        queryset=None,
        widget=forms.HiddenInput(attrs={"data-code-input": ""}),
        error_messages={"required": "Choose a service with Find Service Provided."},
    )
    date_provided = forms.DateField(label="Date Service Provided", widget=DATE_WIDGET)
    units = forms.IntegerField(
        label="Units",
        min_value=1,
        max_value=999,
        initial=1,
        widget=forms.NumberInput(attrs={"data-units-input": ""}),
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    project = inputs.ModelChoiceField(
        label="Program",
        queryset=Project.objects.none(),
        help_text="The client needs an enrollment in it on the date provided.",
    )
    bar_override_reason = forms.CharField(
        label="Reason for override",
        required=False,
        max_length=1000,
        help_text="The client is barred. You may override the bar: say why (kept in the audit).",
    )

    def __init__(self, *args, organization_id: int | None, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id = organization_id
        if not can_override:
            # Only a user with "May override bars" is offered (or sends) an override.
            del self.fields["bar_override_reason"]
        self.fields["service_code"].queryset = codes_available_to(organization_id, in_batches=False)
        self.fields["project"].queryset = Project.objects.filter(
            organization_id=organization_id, active=True, deleted_at__isnull=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("date_provided", timezone.localdate())

    def clean(self):
        data = super().clean()
        code, project = data.get("service_code"), data.get("project")
        if code and project:
            offered = codes_available_to(self.organization_id, project.pk, in_batches=False)
            if not offered.filter(pk=code.pk).exists():
                self.add_error(
                    "service_code", f"{code} is not offered in {project}: choose another service."
                )
        return data

    def chosen_code(self):
        """The service code the form shows (posted, if valid)."""
        value = self["service_code"].value()
        if hasattr(value, "pk"):
            return value
        if value in (None, ""):
            return None
        try:
            return self.fields["service_code"].queryset.get(pk=value)
        except (ValueError, TypeError, self.fields["service_code"].queryset.model.DoesNotExist):
            return None
