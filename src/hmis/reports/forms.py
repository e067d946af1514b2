"""The reports' filters: a date range (the last 30 days unless chosen) and optional scopes,
offering only the user's own organization's programs, locations, batches and codes."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.utils import timezone

from hmis import inputs
from hmis.batches.access import batches_visible_to
from hmis.reports import queries
from hmis.services.models import ServiceCode

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_DAYS = 30
# Bounds keep every page small: a day per row for a year at most, a month per row for five years.
MAX_DAYS = {queries.DAY: 366, queries.MONTH: 5 * 366}


def _with_default_dates(data) -> dict:
    """The filters, with dates filled in when left out: to today, from 30 days before the end."""
    data = {name: value for name, value in (data or {}).items()}
    if not data.get("end"):
        data["end"] = timezone.localdate().isoformat()
    if not data.get("start"):
        try:
            end = date.fromisoformat(data["end"])
        except ValueError:
            return data  # the form says what is wrong with the end date
        data["start"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return data


class ReportForm(forms.Form):
    start = inputs.DateField(label="From", widget=DATE_WIDGET)
    end = inputs.DateField(label="To", widget=DATE_WIDGET)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(_with_default_dates(data), **kwargs)
        self.user = user

    def data_query(self) -> str:
        """The filters as a query string, for the CSV link (the same report, as a file)."""
        return urlencode({name: value for name, value in self.data.items() if value})

    def period(self) -> str:
        """DAY or MONTH: what one row of the report covers (bounds the date range)."""
        return queries.DAY

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The start date is after the end date.")
            limit = MAX_DAYS[self.period()]
            if (end - start).days + 1 > limit:
                raise forms.ValidationError(
                    f"Choose at most {limit} days for this report (download several if needed)."
                )
        return cleaned


class AttendanceForm(ReportForm):
    project = inputs.ModelChoiceField(label="Program", queryset=None, required=False)
    location = inputs.ModelChoiceField(label="Location", queryset=None, required=False)
    batch = inputs.ModelChoiceField(label="Batch", queryset=None, required=False)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["project"].queryset = queries.projects_reported_to(user)
        self.fields["location"].queryset = queries.locations_reported_to(user).select_related(
            "project"
        )
        self.fields["location"].label_from_instance = lambda loc: f"{loc.name} ({loc.project.name})"
        self.fields["batch"].queryset = batches_visible_to(user)
        for name, label in [
            ("project", "programs"),
            ("location", "locations"),
            ("batch", "batches"),
        ]:
            self.fields[name].empty_label = f"(all {label})"


class ServicesForm(ReportForm):
    group_by = forms.ChoiceField(
        label="Per", choices=[(queries.DAY, "Day"), (queries.MONTH, "Month")], required=False
    )
    project = inputs.ModelChoiceField(label="Program", queryset=None, required=False)
    service_code = inputs.ModelChoiceField(label="Service", queryset=None, required=False)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        projects = queries.projects_reported_to(user)
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = "(all programs)"
        # The catalog the organization uses: its own groups' codes and the shared groups'.
        self.fields["service_code"].queryset = ServiceCode.objects.filter(
            Q(group__organization__isnull=True)
            | Q(group__organization__in=projects.values("organization_id"))
        )
        self.fields["service_code"].empty_label = "(all services)"

    def period(self) -> str:
        return self.cleaned_data.get("group_by") or queries.DAY


class DashboardForm(AttendanceForm):
    """The reports' common filters (period, program, location, batch) and, for the dashboard,
    whether unduplicated clients are counted per day, week or month."""

    per = forms.ChoiceField(
        label="Clients per",
        choices=[("day", "Day"), ("week", "Week"), ("month", "Month")],
        required=False,
    )

    def period(self) -> str:
        # A row per day allows a year; per week or month, five years.
        return queries.DAY if self.cleaned_data.get("per") in ("", "day", None) else queries.MONTH

    def grain(self) -> str:
        return self.cleaned_data.get("per") or "day"


class DemographicsForm(AttendanceForm):
    shared = forms.BooleanField(
        label="Hide small cells (to share outside the agency)",
        required=False,
        help_text="Counts of 1 to 4 clients are shown as *. The CSV always hides them.",
    )


class SignInSheetForm(forms.Form):
    batch = inputs.ModelChoiceField(label="Batch", queryset=None)
    day = forms.DateField(label="Date Service Provided", widget=DATE_WIDGET)
    signatures = forms.BooleanField(label="Signature lines", required=False)

    def __init__(self, data, *, user, **kwargs):
        data = {name: value for name, value in (data or {}).items()}
        data.setdefault("day", timezone.localdate().isoformat())
        super().__init__(data, **kwargs)
        self.fields["batch"].queryset = batches_visible_to(user).select_related(
            "project", "location"
        )
        self.fields["batch"].empty_label = "(choose a batch)"

    def data_query(self) -> str:
        return urlencode({name: value for name, value in self.data.items() if value})


class DataQualityForm(AttendanceForm):
    stale_days = forms.IntegerField(
        label="No service for (days)", min_value=1, max_value=3650, initial=90
    )
    backdated_days = forms.IntegerField(
        label="Back-dated more than (days)", min_value=0, max_value=3650, initial=7
    )

    def __init__(self, data, *, user, **kwargs):
        data = {name: value for name, value in (data or {}).items()}
        data.setdefault("stale_days", "90")
        data.setdefault("backdated_days", "7")
        super().__init__(data, user=user, **kwargs)
