"""Forms of the user administration pages and the set-password page."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from hmis import inputs
from hmis.accounts.managing import assignable_roles
from hmis.accounts.permissions import is_system_admin
from hmis.batches.models import ServiceBatch
from hmis.projects.models import Organization


class UserForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )
    email = forms.EmailField(
        label="Email", required=False, help_text="The set-password link is sent here."
    )
    organization = inputs.ModelChoiceField(
        label="Organization", queryset=Organization.objects.none(), required=False
    )
    role = forms.ChoiceField(label="Role")
    can_override_bars = forms.BooleanField(label="May override bars", required=False)
    can_manage_bars = forms.BooleanField(label="May manage bars", required=False)
    scan_batches = inputs.ModelMultipleChoiceField(
        label="Batches (scan stations)",
        queryset=ServiceBatch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A scan station sees only the desks of these batches.",
    )

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in assignable_roles(admin)]
        batches = ServiceBatch.objects.filter(active=True).select_related("organization")
        if is_system_admin(admin):
            self.fields["organization"].queryset = Organization.objects.filter(
                deleted_at__isnull=True
            )
            self.fields["organization"].help_text = "Empty only for a system administrator."
        else:
            del self.fields["organization"]
            batches = batches.filter(organization_id=admin.organization_id)
        self.fields["scan_batches"].queryset = batches.order_by("description", "pk")
        if is_system_admin(admin):
            self.fields["scan_batches"].label_from_instance = lambda batch: (
                f"{batch.description} ({batch.organization})"
            )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not like your user name, not a common password.",
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        from hmis.accounts.errors import PASSWORDS_DIFFER_MESSAGE

        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", PASSWORDS_DIFFER_MESSAGE)
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="What will use it: a kiosk, a tablet..."
    )
