"""Forms of the batch pages and the desk: parse and validate input; the domain functions act."""

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.urls import reverse
from django.utils import timezone

from hmis import inputs
from hmis.accounts.models import Role, User
from hmis.clients.forms import ClientForm
from hmis.inputs import parse_id
from hmis.projects.models import Location, Project
from hmis.services.catalog import check_codes_for_batch, codes_offered_to_organization
from hmis.services.errors import CatalogError

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BatchForm(forms.Form):
    """The seed's *Batch* form (its labels)."""

    description = forms.CharField(label="Description", max_length=200)
    auto_post = forms.BooleanField(
        label="Automatically Post Services",
        required=False,
        help_text="Post each client's services as soon as they are added.",
    )
    performing_user = inputs.ModelChoiceField(
        label="Name of User Performing Services", queryset=User.objects.none()
    )
    default_comments = forms.CharField(
        label="Default Comments", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    project = inputs.ModelChoiceField(label="Program", queryset=Project.objects.none())
    location = inputs.ModelChoiceField(
        label="Location", queryset=Location.objects.none(), required=False
    )

    def __init__(self, *args, organization_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        org = organization_id
        self.fields["performing_user"].queryset = User.objects.filter(
            organization_id=org, is_active=True
        ).exclude(role=Role.SCAN_STATION)
        self.fields["project"].queryset = Project.objects.filter(
            organization_id=org, deleted_at__isnull=True, active=True
        )
        project_id = self.data.get("project") if self.is_bound else self.initial.get("project")
        if hasattr(project_id, "pk"):
            project_id = project_id.pk
        locations = (
            Location.objects.filter(
                project__organization_id=org, active=True, project_id=parse_id(project_id)
            )
            if parse_id(project_id) is not None
            else Location.objects.none()
        )
        self.fields["location"].queryset = locations
        self.fields["location"].empty_label = "(any location)"
        self.fields["project"].widget.attrs.update(
            {
                "hx-get": reverse("batches:location_options"),
                "hx-target": "#id_location",
                "hx-trigger": "change",
            }
        )

    def clean(self):
        data = super().clean()
        project, location = data.get("project"), data.get("location")
        if location is not None and project is not None and location.project_id != project.pk:
            self.add_error("location", "Choose a location of the selected program.")
        return data


class CodeRowForm(forms.Form):
    """One row of the *Service Codes* section: a *Service* (found with the picker) and *Units*."""

    service_code = inputs.ModelChoiceField(
        label="Service",
        queryset=None,
        widget=forms.HiddenInput(attrs={"data-code-input": ""}),
        error_messages={"required": "Choose a service with Find Service Provided."},
    )
    units = forms.IntegerField(
        label="Units",
        min_value=1,
        max_value=999,
        initial=1,
        widget=forms.NumberInput(attrs={"data-units-input": "", "min": 1, "max": 999}),
    )

    def __init__(self, *args, organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].queryset = codes_offered_to_organization(organization_id)


class BaseCodeRowFormSet(BaseFormSet):
    # Set by the view before validation: the batch's program (its service groups only) and the
    # codes the batch already has (kept even if retired since).
    project = None
    kept_code_ids: frozenset[int] = frozenset()

    def clean(self):
        if any(self.errors):
            return
        chosen = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            code = form.cleaned_data.get("service_code")
            if code is None:
                continue
            if code in chosen:
                raise forms.ValidationError(f"{code} is listed twice: change its Units instead.")
            chosen.append(code)
        if not chosen:
            raise forms.ValidationError("Add at least one service code.")
        if self.project is not None:
            try:
                check_codes_for_batch(
                    codes=chosen, project=self.project, kept_code_ids=self.kept_code_ids
                )
            except CatalogError as refusal:
                raise forms.ValidationError(refusal.message, code=refusal.code) from None

    def codes(self):
        """[(ServiceCode, units)] of the rows kept."""
        return [
            (form.cleaned_data["service_code"], form.cleaned_data["units"])
            for form in self.forms
            if form.cleaned_data.get("service_code")
            and not (self.can_delete and self._should_delete_form(form))
        ]


CodeRowFormSet = formset_factory(
    CodeRowForm,
    formset=BaseCodeRowFormSet,
    extra=0,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


class DeskDatesForm(forms.Form):
    """*Batch and Service Information*: dates kept in the URL so a reload keeps them. With the
    user's `limits` (batches/dates.py) the fields carry min/max and refuse dates outside them."""

    batch_date = inputs.DateField(label="Batch Date", widget=DATE_WIDGET)
    date_provided = inputs.DateField(label="Date Service Provided", widget=DATE_WIDGET)

    def __init__(self, *args, limits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        if limits is not None:
            for field in self.fields.values():
                field.widget.attrs["max"] = limits.latest.isoformat()
                if limits.earliest is not None:
                    field.widget.attrs["min"] = limits.earliest.isoformat()

    @classmethod
    def from_query(cls, query, *, limits=None) -> "DeskDatesForm":
        today = timezone.localdate()
        data = {
            "batch_date": query.get("batch_date") or today.isoformat(),
            "date_provided": query.get("date_provided") or today.isoformat(),
        }
        return cls(data, limits=limits)

    def clean(self):
        data = super().clean()
        if self.limits is None:
            return data
        for name in ("batch_date", "date_provided"):
            value = data.get(name)
            if value is None:
                continue
            if value > self.limits.latest:
                self.add_error(name, "Cannot be in the future.")
            elif self.limits.earliest is not None and value < self.limits.earliest:
                self.add_error(name, f"Cannot be before {self.limits.earliest:%m/%d/%Y}.")
        return data

    def dates(self):
        """(batch_date, date_provided): today for any that did not parse or is out of limits."""
        today = timezone.localdate()
        self.is_valid()  # fills cleaned_data with the fields that parsed and are within limits
        cleaned = getattr(self, "cleaned_data", {})
        return cleaned.get("batch_date") or today, cleaned.get("date_provided") or today


class ScanForm(forms.Form):
    """One add request from the desk (a scan, a typed ID, a pick, a bar override)."""

    scan_type = forms.ChoiceField(choices=[("card", "Scan Card ID"), ("client_id", "Client ID")])
    typed = forms.CharField(max_length=200, required=False, strip=True)
    batch_date = inputs.DateField()
    date_provided = inputs.DateField()
    key = forms.CharField(max_length=64, required=False)
    bar_override_reason = forms.CharField(max_length=1000, required=False, strip=True)


class EntryUnitsForm(forms.Form):
    """Units per service code of one pending entry: fields named `code_<id>`."""

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        for row in codes:
            self.fields[f"code_{row.service_code_id}"] = forms.IntegerField(
                label=str(row.service_code), min_value=1, max_value=999
            )

    def units(self) -> dict[int, int]:
        return {int(name[5:]): value for name, value in self.cleaned_data.items()}


class IntakeForm(ClientForm):
    """*Enroll client* / *New client* at the desk: the scanned (existing) client, or a new one
    with the HUD intake (`ClientForm`), and the entry date in the batch's program."""

    EXISTING, NEW = "existing", "new"
    who = forms.ChoiceField(
        label="Client",
        choices=[(EXISTING, "Existing client"), (NEW, "New client")],
        widget=forms.RadioSelect,
        initial=EXISTING,
    )
    entry_date = inputs.DateField(label="Entry date", widget=DATE_WIDGET)
    give_card = forms.BooleanField(label="Give the scanned card to the new client", required=False)

    def __init__(self, *args, has_existing: bool, date_provided=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_existing = has_existing
        self.date_provided = date_provided
        if not has_existing:
            self.fields["who"].choices = [(self.NEW, "New client")]
            self.fields["who"].initial = self.NEW

    @property
    def is_new(self) -> bool:
        return not self.has_existing or self.cleaned_data.get("who") == self.NEW

    def clean(self):
        data = forms.Form.clean(self)
        if self.is_new:
            self.check_details(data)
        else:
            # The intake fields belong to a new client only: an existing one keeps its record.
            for name in self.UDE_FIELDS:
                self.errors.pop(name, None)
        entry = data.get("entry_date")
        if entry and entry > timezone.localdate():
            self.add_error("entry_date", "The entry date cannot be in the future.")
        elif entry and self.date_provided and entry > self.date_provided:
            # Otherwise the new enrollment would not be active on the day the service was given.
            self.add_error(
                "entry_date",
                "The entry date must be on or before the Date Service Provided "
                f"({self.date_provided:%m/%d/%Y}).",
            )
        return data
