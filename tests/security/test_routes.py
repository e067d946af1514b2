"""Every route declares its permission, and nobody reaches another organization's objects.

Walks EVERY URL pattern (recursively, from the root resolver) and every API operation. A new
route without `required_permission` (set by `@requires` / `@api_requires`) fails here; so does a
route that shows organization A's objects to staff of organization B or to a scan station that is
not assigned to A's batch. When a route takes a URL argument this walker does not know yet, the
test fails naming it: add it to OBJECT_FOR_ARGUMENT.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from hmis.accounts.permissions import Perm
from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.models import BatchEntry
from hmis.clients.models import Client
from tests import factories as f

# Routes that may go without a permission declaration: signing in (two steps) and out, Django's
# admin (its own staff check), static and media files, and the API's root and documentation.
UNDECLARED_ALLOWED_NAMES = {
    "login",
    "logout",
    # Sign-in's second step and first-time set-up: reached between the password and the code,
    # before a session exists; each checks who passed the password (accounts/two_factor_views.py).
    "two_factor_verify",
    "two_factor_set_up",
    "set_password_link",  # the one-time link is the credential (tests/accounts/test_set_password)
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "healthz",  # no sign-in by design, shows no data
    "metrics",  # allowed addresses only (HMIS_METRICS_ALLOWED_IPS), shows no personal data
}
UNDECLARED_ALLOWED_PREFIXES = ("admin/", "static/", "^static/", "media/", "^media/")

SECRET_DOB = ("1979-03-14", "03/14/1979", "3/14/1979", "March 14, 1979", "Mar. 14, 1979")
SECRET_MARKERS = ("Confidential-service-note-A", "Confidential-bar-reason-A", "Batch-of-A-secret")


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    callback: object

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def url(self, values: dict[str, object]) -> str:
        path = self.route
        for argument in self.arguments:
            for token in (f"<{argument}>", *(f"<{c}:{argument}>" for c in CONVERTERS)):
                path = path.replace(token, str(values[argument]))
        return "/" + path

    @property
    def arguments(self) -> list[str]:
        import re

        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)


CONVERTERS = ("int", "str", "slug", "uuid", "path", "isodate")


def walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else ""
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)


ROUTES = list(walk(get_resolver().url_patterns))


def _undeclared_allowed(route: Route) -> bool:
    return route.name in UNDECLARED_ALLOWED_NAMES or route.route.startswith(
        UNDECLARED_ALLOWED_PREFIXES
    )


def _declared(permission) -> bool:
    if isinstance(permission, tuple):
        return bool(permission) and all(isinstance(p, Perm) for p in permission)
    return isinstance(permission, Perm)


def _api_operations():
    from hmis.api.main import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield f"{' '.join(operation.methods)} {prefix}{path}", operation.view_func


WEB_ROUTES = [r for r in ROUTES if not r.is_api and not _undeclared_allowed(r)]
API_OPERATIONS = list(_api_operations())


@pytest.mark.parametrize("route", WEB_ROUTES, ids=lambda r: r.route)
def test_every_view_declares_its_permission(route):
    assert _declared(getattr(route.callback, "required_permission", None)), (
        f"{route.route} ({route.name}): decorate the view with @requires(Perm.X)"
    )


@pytest.mark.parametrize("operation", API_OPERATIONS, ids=lambda o: o[0])
def test_every_api_operation_declares_its_permission(operation):
    label, view = operation
    assert _declared(getattr(view, "required_permission", None)), (
        f"{label}: decorate the operation with @api_requires(Perm.X)"
    )


def test_the_walker_sees_the_routes_of_every_app():
    prefixes = {r.route.split("/")[0] for r in ROUTES}
    assert {"accounts", "audit", "client-rights", "api"} <= prefixes


# --- Organization A's objects, requested by outsiders -------------------------------------------


OBJECT_FOR_ARGUMENT = {
    "batch_id": "batch",
    "batch_pk": "batch",
    "entry_id": "entry",
    "entry_pk": "entry",
    "client_id": "client",
    "client_pk": "client",
    "card_id": "card",
    "card_pk": "card",
    "service_id": "service",
    "enrollment_id": "enrollment",
    "bar_id": "bar",
    "project_id": "project",
    "location_id": "location",
    "organization_id": "organization",
    "user_id": "user",
    "code_id": "code",
    "group_id": "group",
    "token_id": "token",
    "record_id": "hud_record",
    "day": "day",
    "token": "secret",
    "release_id": "release",
    "alert_id": "alert",
    "merge_id": "merge",
}
# A bare <pk> means the object the route's first segment names.
OBJECT_FOR_PK = {
    "batches": "batch",
    "clients": "client",
    "cards": "card",
    "services": "service",
    "enrollments": "enrollment",
    "bars": "bar",
    "programs": "project",
    "projects": "project",
    "locations": "location",
    "users": "user",
    "jobs": "job",
}


def _values(route: Route, world) -> dict[str, object]:
    values = {}
    for argument in route.arguments:
        if argument in ("pk", "id"):
            kind = OBJECT_FOR_PK.get(route.route.split("/")[0])
        else:
            kind = OBJECT_FOR_ARGUMENT.get(argument)
        assert kind, f"{route.route}: the walker does not know <{argument}>; map it above"
        obj = world[kind]
        values[argument] = obj if kind in ("day", "secret") else obj.pk
    return values


TARGETED = [r for r in ROUTES if r.arguments and not _undeclared_allowed(r)]
UNTARGETED = [r for r in ROUTES if not r.arguments and not _undeclared_allowed(r) and not r.is_api]
OUTSIDERS = ["staff_b", "agency_admin_b", "unassigned_station_a"]
DENIED = {401, 403, 404, 405}


def _example(schema: dict, components: dict):
    """The smallest value the OpenAPI `schema` accepts, so the API reaches its access check
    instead of stopping at input validation."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for combined in ("allOf", "anyOf", "oneOf"):
        if combined in schema:
            return _example(schema[combined][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: _example(schema["properties"][name], components)
            for name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2025-03-03"
    if schema.get("format") == "date-time":
        return "2025-03-03T09:00:00Z"
    return "x" * max(1, schema.get("minLength", 1))


def _api_body(route: Route, method: str):
    from hmis.api.main import api

    openapi = api.get_openapi_schema()
    components = openapi.get("components", {}).get("schemas", {})
    path = "/" + route.route
    for template, operations in openapi["paths"].items():
        if template.replace("{", "<").replace("}", ">") == path:
            body = operations.get(method, {}).get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                return _example(schema, components)
    return {}


def _api_headers(user) -> dict[str, str]:
    from hmis.api.tokens import create_api_token

    _, secret = create_api_token(user=user, name="walker")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("route", TARGETED, ids=lambda r: r.route)
def test_outsiders_get_403_or_404_on_organization_a_objects(client, request, world, route, persona):
    user = request.getfixturevalue(persona)
    url = route.url(_values(route, world))
    if route.is_api:
        headers = _api_headers(user)
        answers = {
            method: getattr(client, method)(
                url, _api_body(route, method), content_type="application/json", **headers
            )
            if method != "get"
            else client.get(url, **headers)
            for method in ("get", "post", "put", "delete")
        }
    else:
        client.force_login(user)
        answers = {"get": client.get(url), "post": client.post(url, {})}
    for method, response in answers.items():
        assert response.status_code in DENIED, (
            f"{persona} {method.upper()} {url} ({route.name}) answered {response.status_code}"
        )
        body = response.content.decode(errors="replace")
        for secret in SECRET_MARKERS + SECRET_DOB:
            assert secret not in body, f"{method.upper()} {url} showed {secret!r} to {persona}"
    Client.objects.get(pk=world["client"].pk)  # nothing deleted along the way


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("route", UNTARGETED, ids=lambda r: r.route)
def test_pages_without_arguments_show_outsiders_nothing_of_organization_a(
    client, request, world, route, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    query = {"q": "Quintanilla", "client_id": world["client"].pk, "batch": world["batch"].pk}
    response = client.get("/" + route.route, query)
    assert response.status_code < 500
    if response.status_code == 200 and not response.streaming:
        body = response.content.decode(errors="replace")
        for secret in SECRET_MARKERS + SECRET_DOB:
            assert secret not in body, f"GET /{route.route} showed {secret!r} to {persona}"


def test_scan_station_can_scan_at_its_batch_but_gets_403_on_client_search(
    client, scan_station_a, world
):
    client.force_login(scan_station_a)
    batch = world["batch"]
    visitor = f.make_client("Tomas", "Visitor", organization=world["organization"])
    f.enroll(visitor, world["project"])
    card = f.issue_card(visitor)
    assert client.get(f"/batches/{batch.pk}/add/").status_code == 200
    response = client.post(
        f"/batches/{batch.pk}/scan/",
        {
            "scan_type": "card",
            "typed": card.code,
            # A scan station adds for today only.
            "batch_date": timezone.localdate().isoformat(),
            "date_provided": timezone.localdate().isoformat(),
            "key": "walker-scan-1",
        },
    )
    assert response.status_code == 200, response.content
    assert BatchEntry.objects.filter(
        batch=batch, client=visitor, date_provided=timezone.localdate()
    ).exists()
    assert client.get("/clients/", {"q": "Quintanilla"}).status_code == 403
    assert client.get(f"/clients/{world['client'].pk}/").status_code == 403
    assert client.post(f"/client-rights/{world['client'].pk}/record.json").status_code == 403


def test_other_organization_gets_404_on_batch_service_history_and_export(
    client, staff_b, agency_admin_b, world
):
    client.force_login(staff_b)
    assert client.get(f"/batches/{world['batch'].pk}/history/").status_code == 404
    assert client.get(f"/clients/{world['client'].pk}/").status_code == 404
    client.force_login(agency_admin_b)
    assert client.post(f"/client-rights/{world['client'].pk}/record.json").status_code == 404


DOWNLOAD_TYPES = ("text/csv", "application/pdf", "application/zip", "application/json")


@pytest.mark.parametrize(
    "route", [r for r in TARGETED + UNTARGETED if not r.is_api], ids=lambda r: r.route
)
def test_every_download_is_audited(client, system_admin, world, route):
    """Whatever a page hands out as a file (CSV, PDF, ZIP, JSON) leaves an export or print row."""
    client.force_login(system_admin)
    before = set(
        AuditEvent.objects.filter(action__in=[AuditAction.EXPORT, AuditAction.PRINT]).values_list(
            "pk", flat=True
        )
    )
    url = route.url(_values(route, world)) if route.arguments else "/" + route.route
    response = client.get(url)
    content_type = response.get("Content-Type", "")
    is_download = response.status_code == 200 and (
        "attachment" in response.get("Content-Disposition", "")
        or content_type.startswith(DOWNLOAD_TYPES)
    )
    if is_download:
        if response.streaming:
            b"".join(response.streaming_content)
        after = set(
            AuditEvent.objects.filter(
                action__in=[AuditAction.EXPORT, AuditAction.PRINT]
            ).values_list("pk", flat=True)
        )
        assert after - before, f"GET {url} handed out a {content_type} file without an audit row"


# --- New client (web and API): the duplicate check shows outsiders only a summary --------------


@pytest.mark.parametrize("persona", ["staff_b", "agency_admin_b"])
def test_outsiders_new_client_duplicate_check_shows_a_summary_only(client, request, world, persona):
    """Name, birth year and Client ID of A's client, never the birth date or a link to it."""
    user = request.getfixturevalue(persona)
    typed = {
        "first_name": "Marisol",
        "last_name": "Quintanila",
        "dob": "1979-03-14",
        "races": ["White"],
        "sex": 0,
        "veteran_status": 0,
    }
    client.force_login(user)
    page = client.post("/clients/new/", typed).content.decode()
    assert f"Client ID {world['client'].pk}" in page and "Born 1979" in page
    assert f"/clients/{world['client'].pk}/" not in page
    headers = _api_headers(user)
    answer = client.post("/api/clients", typed, content_type="application/json", **headers)
    assert answer.status_code == 409
    assert answer.json()["matches"][0]["full_record"] is False
    # The form echoes what the user typed; the list of matches must add nothing secret.
    matches = page.split('id="duplicates-head"')[1].split("</section>")[0]
    for body in (matches, answer.content.decode()):
        for secret in SECRET_MARKERS + SECRET_DOB:
            assert secret not in body
    assert Client.objects.live().count() == 1  # nothing created (the merged-away alias aside)


@pytest.mark.parametrize("persona", ["scan_station_a", "unassigned_station_a"])
def test_scan_stations_cannot_create_clients(client, request, world, persona):
    user = request.getfixturevalue(persona)
    answer = client.post(
        "/api/clients",
        {"first_name": "New", "last_name": "Person"},
        content_type="application/json",
        **_api_headers(user),
    )
    assert answer.status_code == 403
    client.force_login(user)
    assert client.get("/clients/new/").status_code == 403
    assert client.post("/clients/new/", {"first_name": "New"}).status_code == 403
    assert Client.objects.live().count() == 1  # nothing created (the merged-away alias aside)
