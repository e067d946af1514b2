"""Forms of the enrollment pages: *Enroll*, *Enroll household*, *Exit*, *Edit enrollment*.

They parse input into the arguments of `clients/enrolling.py`; HUD's rules (which questions are
asked, which answers are valid) are checked there, and its refusals are shown beside the field
they name (`show_refusal`)."""

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from hmis import inputs
from hmis.clients.enrolling import (
    DESTINATIONS,
    PRIOR_LIVING_SITUATIONS,
    EnrollmentError,
    EntryAssessment,
)
from hmis.clients.forms import ClientForm
from hmis.hudcsv import codes
from hmis.projects.models import Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EMPTY = [("", "(choose)")]


def _choice(label: str, choices, *, required: bool = False, help_text: str = ""):
    return forms.TypedChoiceField(
        label=label,
        choices=EMPTY + [(value, text) for value, text in choices],
        coerce=int,
        empty_value=None,
        required=required,
        help_text=help_text,
    )


class EntryAssessmentForm(forms.Form):
    """HUD's entry questions (Enrollment.csv): disabling condition and prior living situation
    with its length-of-stay questions (3.917)."""

    disabling_condition = _choice("Disabling condition", codes.NoYesReasons.choices, required=True)
    living_situation = _choice("Prior living situation", PRIOR_LIVING_SITUATIONS, required=True)
    length_of_stay = _choice(
        "Length of stay in prior living situation",
        codes.LengthOfStay.choices,
        help_text="Required unless the client came from the street, a shelter or a safe haven.",
    )
    previous_street_essh = _choice(
        "On the night before, stayed on the streets, in an emergency shelter or a safe haven",
        codes.NoYesMissing.choices,
        help_text="Asked after a short stay (under 90 days in an institution, under 7 nights "
        "elsewhere).",
    )
    date_to_street_essh = forms.DateField(
        label="Approximate date this episode of homelessness started",
        required=False,
        widget=DATE_WIDGET,
    )
    times_homeless_past_three_years = _choice(
        "Times on the streets, in an emergency shelter or a safe haven in the past three years",
        codes.TimesHomelessPastThreeYears.choices,
    )
    months_homeless_past_three_years = _choice(
        "Total months homeless in the past three years",
        codes.MonthsHomelessPastThreeYears.choices,
    )

    ASSESSMENT_FIELDS = (
        "disabling_condition",
        "living_situation",
        "length_of_stay",
        "previous_street_essh",
        "date_to_street_essh",
        "times_homeless_past_three_years",
        "months_homeless_past_three_years",
    )

    def assessment(self) -> EntryAssessment:
        return EntryAssessment(**{name: self.cleaned_data[name] for name in self.ASSESSMENT_FIELDS})

    def show_refusal(self, refusal: EnrollmentError) -> None:
        """Put the domain's refusal beside the fields it names (or above the form)."""
        shown = False
        for name, message in refusal.fields.items():
            if name in self.fields:
                self.add_error(name, message)
                shown = True
        if not shown or refusal.code != "invalid_answer":
            self.add_error(None, refusal.message)


def _not_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError("Cannot be in the future.")
    return day


class EnrollForm(EntryAssessmentForm):
    """A client enrolled alone: their own head of household (a family: HouseholdEnrollForm)."""

    project = inputs.ModelChoiceField(label="Program", queryset=Project.objects.none())
    entry_date = forms.DateField(label="Entry Date", widget=DATE_WIDGET)

    field_order = ["project", "entry_date"]

    def __init__(self, *args, organization_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(
            organization_id=organization_id, active=True, deleted_at__isnull=True
        ).order_by("name")

    def clean_entry_date(self):
        return _not_future(self.cleaned_data["entry_date"])


class HouseholdEnrollForm(EnrollForm):
    """The head's enrollment; the members come from MemberFormSet."""


class MemberForm(forms.Form):
    client_id = forms.IntegerField(label="Client ID", min_value=1, required=False)
    relationship_to_hoh = _choice(
        "Relationship to head of household",
        [(v, t) for v, t in codes.RelationshipToHoH.choices if v != codes.RelationshipToHoH.SELF],
    )
    disabling_condition = _choice("Disabling condition", codes.NoYesReasons.choices)

    def clean(self):
        data = super().clean()
        if data.get("client_id"):
            if data.get("relationship_to_hoh") is None:
                self.add_error("relationship_to_hoh", "Choose the member's relationship.")
            if data.get("disabling_condition") is None:
                self.add_error("disabling_condition", "Disabling condition is required by HUD.")
        return data


MemberFormSet = formset_factory(MemberForm, extra=4, max_num=12)


class NewMemberForm(ClientForm):
    """A member who is a new client: the same HUD intake (fields, rules and duplicate check) as
    *New client*, with the member's relationship and disabling condition. Left empty, it is
    ignored (`empty_permitted`)."""

    relationship_to_hoh = _choice(
        "Relationship to head of household",
        [(v, t) for v, t in codes.RelationshipToHoH.choices if v != codes.RelationshipToHoH.SELF],
        required=True,
    )
    disabling_condition = _choice("Disabling condition", codes.NoYesReasons.choices, required=True)

    def __init__(self, data=None, **kwargs):
        super().__init__(
            data, prefix="new", empty_permitted=True, use_required_attribute=False, **kwargs
        )

    @property
    def filled(self) -> bool:
        return self.is_bound and self.has_changed()


class ExitForm(forms.Form):
    exit_date = forms.DateField(label="Exit Date", widget=DATE_WIDGET)
    destination = _choice("Destination", DESTINATIONS, required=True)

    def clean_exit_date(self):
        return _not_future(self.cleaned_data["exit_date"])

    def show_refusal(self, refusal: EnrollmentError) -> None:
        EntryAssessmentForm.show_refusal(self, refusal)


class EditEnrollmentForm(EntryAssessmentForm):
    entry_date = forms.DateField(label="Entry Date", widget=DATE_WIDGET)
    relationship_to_hoh = _choice(
        "Relationship to head of household", codes.RelationshipToHoH.choices, required=True
    )
    exit_date = forms.DateField(label="Exit Date", widget=DATE_WIDGET, required=False)
    destination = _choice("Destination", DESTINATIONS)

    field_order = ["entry_date", "relationship_to_hoh"]

    def __init__(self, *args, exited: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if exited:
            self.fields["exit_date"].required = True
            self.fields["destination"].required = True
        else:
            del self.fields["exit_date"]
            del self.fields["destination"]
