"""A database still locked after the busy timeout (database_busy.py): the desk and the API answer
503 with Retry-After and a message, record nothing, and the same request sent again once the lock
is gone is recorded once."""

import sqlite3
from contextlib import closing, contextmanager

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from hmis.api.tokens import create_api_token
from hmis.batches.models import BatchEntry
from hmis.database_busy import MESSAGE, RETRY_AFTER_SECONDS
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single write lock"),
]


@contextmanager
def served_from_a_file(folder):
    """The default connection uses a copy of the test database in its own file, with a 0.2 s busy
    timeout instead of 20 s, so the test does not wait long for the lock another connection holds
    (and the test database itself is never locked)."""
    connection.ensure_connection()
    original = connection.connection
    path = folder / "busy.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        original.backup(copy)
    saved = connection.settings_dict
    saved_name, saved_options = saved["NAME"], saved["OPTIONS"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    connection.settings_dict["OPTIONS"] = {**saved_options, "timeout": 0.2}
    connection.ensure_connection()  # in WAL mode before anyone takes the lock
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict["NAME"], connection.settings_dict["OPTIONS"] = (
            saved_name,
            saved_options,
        )
        connection.connection = original


@contextmanager
def write_lock_held(path):
    """Another connection holds the write lock, as an import or a long post does."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


@pytest.fixture
def carded(day_shelter):
    client = f.make_client("Ana", "Lopez")
    f.enroll(client, day_shelter)
    f.issue_card(client, code="BUSY0001")
    return client


def desk_scan(http, batch, key):
    day = timezone.localdate().isoformat()
    return http.post(
        reverse("batches:scan", args=[batch.pk]),
        {"scan_type": "card", "typed": "BUSY0001", "batch_date": day, "date_provided": day}
        | {"key": key},
    )


def test_desk_scan_answers_503_while_the_database_stays_locked_and_its_retry_is_recorded_once(
    staff_a, batch, carded, tmp_path
):
    http = HttpClient()
    http.force_login(staff_a)
    with served_from_a_file(tmp_path) as path:
        with write_lock_held(path):
            busy = desk_scan(http, batch, key="desk-1")

        assert busy.status_code == 503
        assert busy["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "The database is busy" in busy.content.decode()
        assert "nothing scanned is lost" in busy.content.decode()
        assert not BatchEntry.objects.exists()

        retried = desk_scan(http, batch, key="desk-1")
        again = desk_scan(http, batch, key="desk-1")

        assert retried.status_code == again.status_code == 200
        assert "Added" in retried.content.decode()
        assert BatchEntry.objects.filter(batch=batch, client=carded).count() == 1


def test_api_add_answers_503_database_busy_json_and_its_retry_is_recorded_once(
    staff_a, batch, carded, tmp_path
):
    _, secret = create_api_token(user=staff_a, name="busy test")
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"})
    body = {"scan_type": "card", "value": "BUSY0001", "key": "api-1"}
    url = f"/api/batches/{batch.pk}/entries"
    with served_from_a_file(tmp_path) as path:
        with write_lock_held(path):
            busy = api.post(url, body, content_type="application/json")

        assert busy.status_code == 503
        assert busy["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert busy.json() == {"code": "database_busy", "message": MESSAGE}
        assert not BatchEntry.objects.exists()

        retried = api.post(url, body, content_type="application/json")

        assert retried.status_code == 201
        assert retried.json()["code"] == "added"
        assert BatchEntry.objects.filter(batch=batch, client=carded).count() == 1


def test_other_database_errors_still_answer_500(staff_a, batch, tmp_path):
    # Only the lock timeout is retryable; a broken database must not be retried for ever.
    http = HttpClient(raise_request_exception=False)
    http.force_login(staff_a)
    with served_from_a_file(tmp_path):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE batches_scanoutcome")
        response = desk_scan(http, batch, key="desk-2")

    assert response.status_code == 500


def test_a_session_that_cannot_be_saved_after_the_page_answers_503_not_500(staff_a, tmp_path):
    from hmis.accounts.sessions import LAST_SEEN_AT

    http = HttpClient(raise_request_exception=False)
    http.force_login(staff_a)
    session = http.session
    session[LAST_SEEN_AT] -= 120  # so this request records the user as seen: a session write
    session.save()
    with served_from_a_file(tmp_path) as path:
        with write_lock_held(path):
            busy = http.get(reverse("home"))

        assert busy.status_code == 503
        assert busy["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert "The database is busy" in busy.content.decode()
        after = http.get(reverse("home"))  # still signed in: on to the batches
        assert (after.status_code, after.url) == (302, reverse("batches:list"))
