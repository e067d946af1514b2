"""The API as a whole (hmis/api/main.py): schema, docs page, error shapes."""

import re

import pytest
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db


def test_openapi_schema_builds_and_lists_every_endpoint():
    response = HttpClient().get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/clients",
        "/api/clients/{client_id}",
        "/api/batches",
        "/api/batches/{batch_id}",
        "/api/batches/{batch_id}/entries",
        "/api/batches/{batch_id}/post",
        "/api/batches/{batch_id}/entries/{entry_id}",
        "/api/batches/{batch_id}/entries/{entry_id}/units",
        "/api/services/{service_id}/void",
    } <= set(paths)
    schemes = response.json()["components"]["securitySchemes"]
    assert schemes == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_docs_page_loads_only_local_assets():
    response = HttpClient().get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(url.startswith("/static/") for url in assets), assets
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html


def test_docs_page_assets_are_served(client):
    for asset in ("ninja/swagger-ui.css", "ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200, asset


def test_body_that_is_not_json_is_400_with_a_code(api_as, staff_a, batch):
    response = api_as(staff_a).post(
        f"/api/batches/{batch.pk}/entries", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_unknown_object_is_404_json(api_as, staff_a):
    response = api_as(staff_a).get("/api/batches/424242")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such batch."}


def test_unexpected_failure_is_a_500_json_without_a_stack_trace(
    api_as, staff_a, batch, monkeypatch
):
    import hmis.api.endpoints.batches as endpoint

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(endpoint, "get_batch_for_user", broken)

    response = api_as(staff_a).get(f"/api/batches/{batch.pk}")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "fire" not in response.content.decode()
