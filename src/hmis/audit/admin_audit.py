"""A ModelAdmin whose every create, change and delete lands in the audit trail.

Django's admin runs its add, change and delete views inside `transaction.atomic()`, so the audit
rows written here commit or roll back with the change they record. Changes are stored as
{"field": [old, new]}; sensitive fields are redacted by `hmis.audit.recording`.
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, models, router, transaction
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.functional import cached_property

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many, request_address


def jsonable(value: Any) -> Any:
    """A value as it can be stored in the audit row's JSON: related rows by primary key."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((jsonable(item) for item in value), key=str)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return getattr(value, "name", None) or str(value)


def _model_field_names(model: type[models.Model]) -> set[str]:
    return {
        field.name for field in model._meta.get_fields() if field.concrete or field.many_to_many
    }


def form_changes(form: BaseForm, *, created: bool) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the model fields the form set (all of them on create).

    Form-only fields (the user form's password1/password2) are never recorded."""
    model_fields = _model_field_names(form._meta.model)
    names = form.fields if created else form.changed_data
    changes: dict[str, list[Any]] = {}
    for name in names:
        if name not in model_fields or "password" in name:
            continue
        new = jsonable(form.cleaned_data.get(name))
        old = None if created else jsonable(form.initial.get(name))
        if (created and new in (None, "", [], {})) or (not created and old == new):
            continue  # nothing set, or a field the form reports changed without a new value
        changes[name] = [old, new]
    return changes


def _client_id(obj: models.Model) -> int | None:
    if obj._meta.label == "clients.Client":
        return obj.pk
    return getattr(obj, "client_id", None)


def audit_event(
    request: HttpRequest, action: str, obj: models.Model, *, object_id: Any = None, **kwargs: Any
):
    """An unsaved audit row for `obj`, attributed to the request's user."""
    return build_event(
        actor=request.user,
        action=action,
        obj=obj,
        object_id=str(object_id if object_id is not None else obj.pk),
        organization_id=getattr(obj, "organization_id", None),
        client_id=_client_id(obj),
        ip_address=request_address(request),
        **kwargs,
    )


class LargeTablePaginator(Paginator):
    """Exact counts, except for an unfiltered list of a big PostgreSQL table, where counting
    millions of rows on every page would take seconds: there the planner's estimate is used."""

    estimate_above = 100_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, models.QuerySet) and not queryset.query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] > self.estimate_above:
                    return int(row[0])
        return super().count


class AuditedModelAdmin(admin.ModelAdmin):
    """Records every add, change and delete made through the admin, including inline rows."""

    paginator = LargeTablePaginator

    def save_model(self, request, obj, form, change):
        changes = form_changes(form, created=not change)
        super().save_model(request, obj, form, change)
        if change and not changes:
            return
        action = AuditAction.CHANGE if change else AuditAction.CREATE
        record_many(
            [audit_event(request, action, obj, changes=changes, message=f"Admin: {obj}"[:500])]
        )

    def save_formset(self, request, form, formset, change):
        # Read the old values and the doomed rows' keys before saving: deleting clears the pk.
        deleted = [(f.instance, f.instance.pk, str(f.instance)) for f in formset.deleted_forms]
        before = {
            id(f.instance): form_changes(f, created=False)
            for f in formset.initial_forms
            if f not in formset.deleted_forms and f.has_changed()
        }
        created_forms = [
            f for f in formset.extra_forms if f.has_changed() and f not in formset.deleted_forms
        ]
        created_changes = {id(f.instance): form_changes(f, created=True) for f in created_forms}
        super().save_formset(request, form, formset, change)
        events = []
        for obj in formset.new_objects:
            events.append(
                audit_event(
                    request,
                    AuditAction.CREATE,
                    obj,
                    changes=created_changes.get(id(obj), {}),
                    message=f"Admin: {obj}"[:500],
                )
            )
        for obj, _names in formset.changed_objects:
            changes = before.get(id(obj), {})
            if changes:
                events.append(
                    audit_event(
                        request,
                        AuditAction.CHANGE,
                        obj,
                        changes=changes,
                        message=f"Admin: {obj}"[:500],
                    )
                )
        for obj, pk, label in deleted:
            events.append(
                audit_event(
                    request, AuditAction.DELETE, obj, object_id=pk, message=f"Admin: {label}"[:500]
                )
            )
        record_many(events)

    def delete_model(self, request, obj):
        pk, label = obj.pk, str(obj)
        event = audit_event(
            request, AuditAction.DELETE, obj, object_id=pk, message=f"Admin: {label}"
        )
        super().delete_model(request, obj)
        record_many([event])

    def delete_queryset(self, request, queryset):
        # The "delete selected" action is not wrapped in a transaction by Django: wrap it here so
        # the deletions and their audit rows commit together.
        with transaction.atomic(using=router.db_for_write(self.model)):
            events = [
                audit_event(request, AuditAction.DELETE, obj, message=f"Admin: {obj}"[:500])
                for obj in queryset
            ]
            super().delete_queryset(request, queryset)
            record_many(events)


class ReadOnlyAdminMixin:
    """Shown, searched and filtered, but never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
