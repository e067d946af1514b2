"""Fuzzing the JSON API from its own OpenAPI schema (Schemathesis): every operation, called with a
valid token and generated values (valid and not), never answers with a 5xx.

Bounded for CI: a few examples per operation, derandomized so a failure reproduces."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from hmis.accounts.models import Role
from hmis.api.tokens import create_api_token
from tests import factories as f

EXAMPLES_PER_OPERATION = 25


# Loaded through the app itself at collection (the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def connection_kept_open():
    """Schemathesis calls the WSGI app directly: like Django's test client, keep the test's
    database connection (and its transaction) open across requests."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world, org_a, settings, connection_kept_open):
    """An agency administrator's token (every operation but scanning is open to it), with the
    look-up limits out of the way so the fuzzer reaches the code behind them."""
    settings.HMIS_API_LOOKUPS_PER_MINUTE = settings.HMIS_API_LOOKUPS_PER_HOUR = 10**6
    admin = f.make_user(org_a, Role.AGENCY_ADMIN, username="fuzz_admin")
    _, secret = create_api_token(user=admin, name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_api_operation_answers_5xx(case, bearer):
    response = case.call(headers=bearer)

    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )


# --- Every parameter and body field with each known-bad value ----------------------------------
# Random generation rarely hits the few values that break code (a 20-digit offset, year 1):
# this pass sends each of them to every parameter and top-level body field.


def _operations():
    from hmis.api.main import api

    document = api.get_openapi_schema(path_prefix="/api")
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation, document.get("components", {}).get("schemas", {})


def _body_fields(operation, components) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    if not ref:
        return []
    return list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))


OPERATIONS = list(_operations())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method", "operation", "components"),
    OPERATIONS,
    ids=[f"{m.upper()} {p}" for p, m, _, _ in OPERATIONS],
)
def test_no_api_parameter_or_field_crashes_on_a_known_bad_value(
    bearer, world, path, method, operation, components
):
    from django.test import Client as HttpClient

    from tests.security.fuzz_values import BAD_VALUES

    http = HttpClient(headers=bearer, raise_request_exception=False)
    params = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
    fields = _body_fields(operation, components)
    real_ids = {"batch_id": world["batch"].pk, "entry_id": world["entry"].pk}
    real_ids |= {"client_id": world["client"].pk, "service_id": world["service"].pk}
    failures = []
    for bad in BAD_VALUES:
        for target in [p["name"] for p in params] + [f"body.{name}" for name in fields]:
            url = path
            for p in params:
                if p["in"] == "path":
                    value = bad if p["name"] == target else real_ids.get(p["name"], 1)
                    url = url.replace("{" + p["name"] + "}", str(value).replace("/", "%2F"))
            query = (
                {target: bad} if target in [p["name"] for p in params if p["in"] == "query"] else {}
            )
            body = {target[5:]: bad} if target.startswith("body.") else {}
            call = getattr(http, method)
            if method == "get":
                response = call(url, query)
            else:
                response = call(
                    url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
                    body,
                    content_type="application/json",
                )
            if response.status_code >= 500:
                failures.append(
                    f"{method.upper()} {url} {target}={bad[:30]!r} -> {response.status_code}"
                )
    assert failures == []
