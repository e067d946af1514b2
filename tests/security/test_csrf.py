"""Every POST route refuses a request without a CSRF token; the API takes no session cookies."""

import pytest
from django.test import Client as WebClient

from hmis.accounts.models import Role
from hmis.audit.models import AuditEvent
from tests import factories as f
from tests.security.test_routes import ROUTES, _values

# Every web route, the admin and sign-in included (the API is token-only: see below).
WEB = [r for r in ROUTES if not r.is_api and not r.route.startswith(("^media/", "media/"))]
ADMIN_FIXED = [r for r in WEB if r.route.startswith("admin/") and "<" not in r.route]
APP_ROUTES = [r for r in WEB if not r.route.startswith("admin/")]


@pytest.fixture
def superuser(db):
    return f.make_user(None, Role.SYSTEM_ADMIN, username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def csrf_client(superuser):
    web = WebClient(enforce_csrf_checks=True)
    web.force_login(superuser)
    return web


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.route)
def test_post_without_csrf_token_is_refused(csrf_client, route, request):
    world = request.getfixturevalue("world")
    events_before = AuditEvent.objects.count()
    response = csrf_client.post(route.url(_values(route, world)), {"anything": "1"})
    assert response.status_code == 403, f"{route.route} accepted a POST without a CSRF token"
    assert b"CSRF" in response.content
    # Nothing was done (no audit row means no change, sign-in, or export happened).
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.route)
def test_no_web_view_is_exempt_from_csrf(route):
    assert not getattr(route.callback, "csrf_exempt", False), route.route


def test_admin_posts_need_a_csrf_token(csrf_client):
    for route in ADMIN_FIXED:
        response = csrf_client.post("/" + route.route.lstrip("^").rstrip("$"), {"x": "1"})
        assert response.status_code in (403, 404), route.route


def test_api_ignores_the_session_cookie(client, staff_a, batch):
    """The API is csrf-exempt because it authenticates by bearer token only: a signed-in browser
    (a forged cross-site request) gets 401, never an answer."""
    client.force_login(staff_a)
    assert client.get(f"/api/batches/{batch.pk}").status_code == 401
    response = client.post(f"/api/batches/{batch.pk}/post", {}, content_type="application/json")
    assert response.status_code == 401
