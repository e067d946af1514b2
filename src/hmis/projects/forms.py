"""Forms of the program and location pages, with HUD's lists (hudcsv/codes.py) as choices."""

from django import forms

from hmis.hudcsv import codes
from hmis.projects.models import HMISParticipationType, Organization, ProjectType

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(choices) -> list:
    return [("", "(not answered)"), *((value, label) for value, label in choices.choices)]


def _hud_field(label: str, choices, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_choices(choices),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class ProgramForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="Organization", queryset=Organization.objects.none()
    )
    name = forms.CharField(label="Program name", max_length=200)
    common_name = forms.CharField(label="Common name", max_length=200, required=False)
    project_type = _hud_field("Project type", ProjectType)
    continuum_project = forms.TypedChoiceField(
        label="Continuum project",
        choices=[(0, "No"), (1, "Yes")],
        coerce=lambda value: value in (1, "1"),
        help_text="Yes when the program is part of the CoC's homeless system (HUD 2.02.5).",
    )
    hmis_participation = forms.TypedChoiceField(
        label="HMIS participation", choices=HMISParticipationType.choices, coerce=int
    )
    operating_start_date = forms.DateField(
        label="Operating start date", widget=DATE_WIDGET, required=False
    )
    operating_end_date = forms.DateField(
        label="Operating end date", widget=DATE_WIDGET, required=False
    )
    housing_type = _hud_field("Housing type", codes.HousingType, "Residential programs.")
    rrh_subtype = _hud_field("RRH subtype", codes.RRHSubType, "PH - Rapid Re-Housing only.")
    residential_affiliation = _hud_field(
        "Residential affiliation",
        codes.NoYes,
        "Services Only and RRH: Services Only: affiliated with a residential project?",
    )
    target_population = _hud_field("Target population", codes.TargetPopulation)
    hopwa_med_assisted_living_fac = _hud_field(
        "HOPWA medically assisted living facility", codes.HOPWAMedAssistedLivingFac
    )
    auto_exit_days = forms.IntegerField(
        label="Auto-exit after N days without a service",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Empty: never. The nightly job exits clients with no service for this long.",
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations.first()


class LocationForm(forms.Form):
    name = forms.CharField(label="Location name", max_length=200)
    address = forms.CharField(label="Address", max_length=300, required=False)
