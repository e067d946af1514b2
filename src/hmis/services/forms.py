"""Forms of the service catalog pages."""

from django import forms

from hmis.projects.models import Organization, Project
from hmis.services.catalog import hud_service_choices


class GroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=200)
    organization = forms.ModelChoiceField(
        label="Organization",
        queryset=Organization.objects.none(),
        required=False,
        help_text="Empty: a group shared by every organization.",
    )
    projects = forms.ModelMultipleChoiceField(
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
