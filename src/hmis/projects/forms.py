"""Forms of the program and location pages, with HUD's lists (hudcsv/codes.py) as choices."""

from django import forms

from hmis import inputs
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
    organization = inputs.ModelChoiceField(
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


def _count(label: str, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=100000)


class FunderForm(forms.Form):
    Funder = forms.TypedChoiceField(
        label="Funding source",
        coerce=int,
        choices=[
            (value, "46 Local or other funding source" if value == 46 else str(value))
            for value in sorted(codes.FUNDING_SOURCES)
        ],
        help_text="HUD list 2.06.1 (the number from the HUD Data Standards, Appendix B).",
    )
    OtherFunder = forms.CharField(
        label="Other funder", max_length=100, required=False, help_text="When the source is 46."
    )
    GrantID = forms.CharField(label="Grant ID", max_length=100, required=False)
    StartDate = forms.DateField(label="Grant start date", widget=DATE_WIDGET, required=False)
    EndDate = forms.DateField(label="Grant end date", widget=DATE_WIDGET, required=False)


class ProjectCoCForm(forms.Form):
    CoCCode = forms.CharField(label="CoC code", max_length=6, required=False, help_text="IL-510")
    Geocode = forms.CharField(label="Geocode", max_length=6, required=False)
    Address1 = forms.CharField(label="Address", max_length=100, required=False)
    Address2 = forms.CharField(label="Address line 2", max_length=100, required=False)
    City = forms.CharField(label="City", max_length=50, required=False)
    State = forms.CharField(label="State", max_length=2, required=False)
    ZIP = forms.CharField(label="ZIP", max_length=5, required=False)
    GeographyType = _hud_field("Geography type", codes.GeographyType)


class InventoryForm(forms.Form):
    CoCCode = forms.CharField(label="CoC code", max_length=6, required=False, help_text="IL-510")
    HouseholdType = _hud_field("Household type", codes.HouseholdType)
    Availability = _hud_field("Availability", codes.Availability, "Emergency Shelter only.")
    ESBedType = _hud_field("Bed type", codes.BedType, "Emergency Shelter only.")
    UnitInventory = _count("Units", required=False)
    BedInventory = _count("Beds", required=False)
    CHVetBedInventory = _count("Beds for chronically homeless veterans")
    YouthVetBedInventory = _count("Beds for youth veterans")
    VetBedInventory = _count("Other beds for veterans")
    CHYouthBedInventory = _count("Beds for chronically homeless youth")
    YouthBedInventory = _count("Other beds for youth")
    CHBedInventory = _count("Other beds for the chronically homeless")
    OtherBedInventory = _count("Other beds")
    InventoryStartDate = forms.DateField(
        label="Inventory start date", widget=DATE_WIDGET, required=False
    )
    InventoryEndDate = forms.DateField(
        label="Inventory end date", widget=DATE_WIDGET, required=False
    )


HUD_RECORD_FORMS = {"Funder": FunderForm, "ProjectCoC": ProjectCoCForm, "Inventory": InventoryForm}
