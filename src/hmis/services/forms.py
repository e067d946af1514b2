"""Forms of the service pages."""

from django import forms
from django.utils import timezone

from hmis.projects.models import Project
from hmis.services.catalog import codes_available_to

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SingleServiceForm(forms.Form):
    """*Add service* on a profile: the batch form's labels for the same things."""

    service_code = forms.ModelChoiceField(
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
    project = forms.ModelChoiceField(
        label="Program",
        queryset=Project.objects.none(),
        help_text="The client needs an enrollment in it on the date provided.",
    )

    def __init__(self, *args, organization_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].queryset = codes_available_to(organization_id)
        self.fields["project"].queryset = Project.objects.filter(
            organization_id=organization_id, active=True, deleted_at__isnull=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("date_provided", timezone.localdate())

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
