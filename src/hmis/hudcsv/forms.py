from django import forms
from django.conf import settings

from hmis import inputs
from hmis.hudcsv import codes
from hmis.projects.models import Organization, Project
from hmis.uploads import max_upload_bytes


class ImportForm(forms.Form):
    file = forms.FileField(
        label="HUD CSV export (zip)",
        help_text="A zip of the HUD HMIS CSV files (FY2026, or FY2024), as the sending system "
        "produced it.",
    )
    organization = inputs.ModelChoiceField(
        queryset=Organization.objects.filter(deleted_at__isnull=True),
        required=False,
        label="Organization that owns imported clients and users",
    )
    skip_invalid_rows = forms.BooleanField(
        required=False,
        label="Skip invalid rows (import the valid rows, leave out the rejected ones)",
    )
    strict = forms.BooleanField(
        required=False,
        label="Strict: reject rows with any problem instead of keeping them with a warning",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                f"The file is larger than {settings.HMIS_UPLOAD_MAX_MB} MB, the most an import "
                "may upload. Import it with `hmis import-hud-csv` on the server instead."
            )
        return upload


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


PERIOD_CHOICES = [
    (codes.ExportPeriodType.REPORTING_PERIOD, "Reporting period: enrollments active in the range"),
    (codes.ExportPeriodType.UPDATED, "Updated: records created, changed or deleted in the range"),
]
FORMAT_CHOICES = [
    ("hud", "HUD HMIS CSV (FY2026 zip)"),
    ("services", "All services (our services CSV)"),
]


class ExportForm(forms.Form):
    start = inputs.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    end = inputs.DateField(label="End date", widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="hud", widget=forms.RadioSelect)
    period_type = forms.TypedChoiceField(
        choices=PERIOD_CHOICES,
        coerce=int,
        initial=codes.ExportPeriodType.REPORTING_PERIOD,
        label="Export period type",
    )
    projects = inputs.ModelMultipleChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label="Programs",
        help_text="None selected: every program you may export.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["projects"].queryset = projects

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return cleaned
