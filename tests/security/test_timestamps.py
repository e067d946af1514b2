"""Entry timestamps (when a client was added, posted, removed; when a service was recorded or
voided) cannot be edited through any form, the admin or the API."""

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

import hmis
from hmis.accounts.models import Role
from hmis.audit.models import AuditEvent
from hmis.batches.models import BatchEntry
from hmis.clients.models import Client, CommunityCard, Enrollment
from hmis.services.models import Service
from tests import factories as f

TIMESTAMPS = {
    BatchEntry: {"added_at", "posted_at", "removed_at"},
    Service: {"created_at", "updated_at", "deleted_at"},
    AuditEvent: {"at"},
    CommunityCard: {"issued_at", "revoked_at"},
    Client: {"created_at", "updated_at", "deleted_at", "deidentified_at"},
    Enrollment: {"created_at", "updated_at", "deleted_at"},
}
ALL_TIMESTAMP_NAMES = set().union(*TIMESTAMPS.values())


def _form_modules():
    for module in pkgutil.walk_packages(hmis.__path__, "hmis."):
        if module.name.rsplit(".", 1)[-1] in ("forms", "views", "card_views", "rights_views"):
            yield importlib.import_module(module.name)


def _model_forms():
    list(_form_modules())
    seen, todo = set(), list(forms.ModelForm.__subclasses__())
    while todo:
        form = todo.pop()
        if form in seen:
            continue
        seen.add(form)
        todo.extend(form.__subclasses__())
        if form.__module__.startswith("hmis.") and getattr(form._meta, "model", None):
            yield form


@pytest.mark.parametrize("form", list(_model_forms()), ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_no_form_edits_an_entry_timestamp(form):
    names = TIMESTAMPS.get(form._meta.model, set())
    assert not names & set(form.base_fields)


@pytest.mark.parametrize("model", list(TIMESTAMPS), ids=lambda m: m._meta.label)
def test_admin_cannot_edit_entry_timestamps(model, db):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return
    request = RequestFactory().get("/")
    request.user = f.make_user(None, Role.SYSTEM_ADMIN, is_superuser=True, is_staff=True)
    editable = model_admin.has_change_permission(request) or model_admin.has_add_permission(request)
    if editable:
        readonly = set(model_admin.get_readonly_fields(request))
        assert TIMESTAMPS[model] <= readonly


def test_no_api_request_body_carries_a_timestamp():
    from hmis.api.main import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    request_schemas = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body:
                ref = body["content"]["application/json"]["schema"].get("$ref", "")
                request_schemas.add(ref.rsplit("/", 1)[-1])
    for name in request_schemas:
        properties = set(components.get(name, {}).get("properties", {}))
        assert not properties & ALL_TIMESTAMP_NAMES, name
