from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db import router, transaction
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hmis.accounts import twofactor
from hmis.accounts.models import User
from hmis.audit.admin_audit import AuditedModelAdmin, audit_event
from hmis.audit.models import AuditAction
from hmis.audit.recording import record_many, request_address

admin.site.site_header = "HMIS administration"
admin.site.site_title = "HMIS administration"
admin.site.index_title = "Organizations, programs, catalog, clients and users"


def _sign_in_page(request, extra_context=None):
    # One way in: the app's sign-in page, with its throttling and two-factor step.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _sign_in_page

# django-otp's own admin pages would show every user's authenticator secret and recovery codes,
# unaudited. Two-factor changes go through accounts/twofactor.py (the reset action below).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class HmisUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class HmisUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = HmisUserChangeForm
    add_form = HmisUserCreationForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "organization",
        "role",
        "can_override_bars",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "can_override_bars", "is_staff", "is_superuser")
    list_select_related = ("organization",)
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("organization",)
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "HMIS",
            {
                "fields": (
                    "organization",
                    "role",
                    "can_override_bars",
                    "can_manage_bars",
                    "may_back_date",
                    "hud_user_id",
                )
            },
        ),
        (
            "Personal info",
            {"fields": ("first_name", "last_name", "email", "phone", "phone_extension")},
        ),
        (
            "Permissions",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("HMIS", {"fields": ("first_name", "last_name", "organization", "role")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (lost phone)")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            twofactor.reset_two_factor(user=user, by=request.user, address=request_address(request))
        self.message_user(
            request,
            f"Two-factor sign-in reset for {len(queryset)} user(s): administrators set it up again "
            "at their next sign-in.",
        )

    def user_change_password(self, request, id, form_url=""):
        # Django's password view saves outside a transaction and outside save_model: wrap it so
        # the new password and its audit row commit together (the password itself is never stored).
        request._hmis_password_view = True
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        if getattr(request, "_hmis_password_view", False):
            record_many(
                [
                    audit_event(
                        request,
                        AuditAction.CHANGE,
                        obj,
                        changes={"password": "[redacted]"},
                        message=f"Admin: password of {obj.username} changed",
                    )
                ]
            )
        return super().log_change(request, obj, message)


# Django's own Group admin, audited like the rest: a group grants permissions.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    pass
