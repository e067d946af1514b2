"""Forms of the client pages."""

import hashlib

from django import forms

from hmis.clients import ude
from hmis.clients.text import fold

MAX_PHOTO_BYTES = 5 * 1024 * 1024


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Name or Client ID", max_length=100, required=False, strip=True)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label="Photo", help_text="A JPEG or PNG, at most 5 MB.")

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError("The photo is larger than 5 MB.")
        return photo


def _choices(choices, blank: str | None = None) -> list[tuple[str, str]]:
    listed = [(str(value), label) for value, label in choices.choices]
    return [("", blank), *listed] if blank is not None else listed


class ClientForm(forms.Form):
    """The HUD FY2026 Universal Data Elements of a client (intake and edit). Every rule lives in
    `clients/ude.py`; its problems are shown beside their fields. A data quality left on
    "Choose…" is derived from what was typed (a full name: Full name reported)."""

    first_name = forms.CharField(label="First name", max_length=50, required=False)
    middle_name = forms.CharField(label="Middle name", max_length=50, required=False)
    last_name = forms.CharField(label="Last name", max_length=50, required=False)
    name_suffix = forms.CharField(label="Suffix", max_length=50, required=False)
    preferred_name = forms.CharField(label="Preferred name", max_length=50, required=False)
    name_data_quality = forms.TypedChoiceField(
        label="Name Data Quality",
        choices=_choices(ude.NAME_DATA_QUALITY, "Choose… (from the name typed)"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    ssn = forms.CharField(
        label="SSN",
        max_length=11,
        required=False,
        help_text="Nine digits, kept encrypted and shown masked. Partial: x for unknown digits.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    ssn_data_quality = forms.TypedChoiceField(
        label="SSN Data Quality",
        choices=_choices(ude.SSN_DATA_QUALITY, "Choose… (from the SSN typed)"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    dob = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dob_data_quality = forms.TypedChoiceField(
        label="DOB Data Quality",
        choices=_choices(ude.DOB_DATA_QUALITY, "Choose… (from the date typed)"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    races = forms.MultipleChoiceField(
        label="Race and Ethnicity",
        choices=ude.RACES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    race_none = forms.TypedChoiceField(
        label="If no race or ethnicity was given",
        choices=_choices(ude.RACE_NONE, "—"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    additional_race_ethnicity = forms.CharField(
        label="Additional race and ethnicity detail", max_length=100, required=False
    )
    sex = forms.TypedChoiceField(
        label="Sex", choices=_choices(ude.SEX, "Choose…"), coerce=int, empty_value=None
    )
    veteran_status = forms.TypedChoiceField(
        label="Veteran Status",
        choices=_choices(ude.VETERAN_STATUS, "Choose…"),
        coerce=int,
        empty_value=None,
    )

    UDE_FIELDS = (
        "first_name",
        "middle_name",
        "last_name",
        "name_suffix",
        "preferred_name",
        "name_data_quality",
        "ssn",
        "ssn_data_quality",
        "dob",
        "dob_data_quality",
        "races",
        "race_none",
        "additional_race_ethnicity",
        "sex",
        "veteran_status",
    )

    def __init__(self, *args, ssn_on_file: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.ssn_on_file = ssn_on_file
        self.details: ude.ClientDetails | None = None
        if ssn_on_file:
            self.fields[
                "ssn"
            ].help_text = (
                f"On file: {ssn_on_file}. Leave blank to keep it; type a new number to replace it."
            )

    @classmethod
    def initial_for(cls, client) -> dict:
        details = ude.details_of(client)
        initial = details.as_dict()
        initial["ssn"] = ""
        initial["races"] = list(details.races)
        return initial

    def clean(self):
        data = super().clean()
        self.check_details(data)
        return data

    def check_details(self, data: dict) -> None:
        """Refuse what breaks a HUD rule, each message beside its field (a field that already
        has a message keeps it)."""
        values = {name: data.get(name) for name in self.UDE_FIELDS}
        for name in ("first_name", "middle_name", "last_name", "name_suffix", "preferred_name"):
            values[name] = values[name] or ""
        values["ssn"] = values["ssn"] or ""
        values["additional_race_ethnicity"] = values["additional_race_ethnicity"] or ""
        values["races"] = tuple(values["races"] or ())
        for name in ("sex", "veteran_status"):
            if values[name] is None:
                values[name] = ude.NOT_COLLECTED  # already refused as required
        if not values["races"] and values["race_none"] is None and "races" not in self.errors:
            self.add_error("races", ude.MESSAGES[ude.RACE_REQUIRED])
        details = ude.ClientDetails(**values).cleaned()
        for problem in ude.problems(details, ssn_on_file=bool(self.ssn_on_file)):
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        if not self.errors:
            self.details = details

    def duplicate_fingerprint(self) -> str:
        """What the duplicate check looked at: confirming "new client" holds only while the name,
        birth date and SSN stay as they were checked."""
        d = self.details
        text = "|".join(
            [fold(d.first_name), fold(d.last_name), str(d.dob or ""), d.ssn[-4:] if d else ""]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]
