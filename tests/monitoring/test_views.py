"""/healthz says whether the app can work (no sign-in, no data); /metrics answers allowed
addresses only, in Prometheus' format."""

import json
import logging

import pytest
from django.utils import timezone

from hmis.jobs.models import WorkerHeartbeat
from hmis.monitoring.logs import JsonLinesFormatter, RequestContextFilter

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_with_database_migrations_worker_and_disk(client, settings):
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.HMIS_HEALTH_MIN_FREE_MB = 1
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now())

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "worker", "disk"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_fails_without_a_recent_worker_or_room_on_disk(client, settings):
    WorkerHeartbeat.objects.create(
        worker_id="w1", seen_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    settings.HMIS_HEALTH_MIN_FREE_MB = 10**12

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"] == {"ok": False, "detail": "none seen in the last 5 minutes"}
    assert checks["disk"]["ok"] is False
    assert checks["database"]["ok"] and checks["migrations"]["ok"]


def test_metrics_count_requests_scans_refusals_and_jobs(client, batch, staff_a):
    from hmis.batches.models import ScanOutcome

    ScanOutcome.objects.create(
        key="k1", batch=batch, user=staff_a, code="barred", message="Barred", ok=False
    )
    client.get("/healthz")

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'hmis_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "hmis_http_request_duration_seconds_bucket" in text
    assert "hmis_scans_last_minute 0.0" in text
    assert 'hmis_scan_refusals_last_hour{code="barred"} 1.0' in text
    assert 'hmis_jobs{status="queued"} 0.0' in text and 'hmis_jobs{status="failed"} 0.0' in text
    assert "hmis_task_queue_ready" in text


def test_metrics_refuse_other_addresses(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.HMIS_METRICS_ALLOWED_IPS = ["203.0.113.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_proxy(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-42")["X-Request-ID"] == "proxy-42"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_json_log_lines_carry_request_user_and_organization_ids_and_no_name(
    client, staff_a, settings
):
    settings.HMIS_LOG_REQUESTS = True
    client.force_login(staff_a)
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestContextFilter())
    requests_logger = logging.getLogger("hmis.requests")
    requests_logger.addHandler(handler)
    try:
        response = client.get("/clients/", {"q": "Doe"})
    finally:
        requests_logger.removeHandler(handler)

    [line] = [json.loads(text) for text in lines]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == staff_a.pk and line["organization_id"] == staff_a.organization_id
    assert line["path"] == "/clients/" and line["status"] == 200 and line["method"] == "GET"
    assert "Doe" not in json.dumps(line) and "Jane" not in json.dumps(line)


def test_healthz_says_the_data_folder_is_missing_instead_of_failing(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "nowhere"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"] == {
        "ok": False,
        "detail": "data folder unreadable (FileNotFoundError)",
    }
