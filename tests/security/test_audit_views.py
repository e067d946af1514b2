"""Searching and exporting the audit trail: agency administrators their organization's rows,
system administrators all; staff and outsiders nothing."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.audit.recording import build_event, record, record_many
from hmis.audit.views import PAGE_SIZE

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def trail(staff_a, staff_b, client_a):
    record(
        actor=staff_a,
        action=AuditAction.CHANGE,
        obj=client_a,
        client_id=client_a.pk,
        message="Changed A's client",
    )
    record(actor=staff_a, action=AuditAction.LOGIN, obj=staff_a, message="Signed in A")
    record(actor=staff_b, action=AuditAction.LOGIN, obj=staff_b, message="Signed in B")


def messages(response):
    return [event.message for event in response.context["page"].object_list]


def test_agency_admin_sees_only_their_organizations_rows(client, agency_admin_a, trail):
    client.force_login(agency_admin_a)
    response = client.get("/audit/")
    assert response.status_code == 200
    shown = messages(response)
    assert "Changed A's client" in shown
    assert "Signed in A" in shown
    assert "Signed in B" not in shown


def test_agency_admin_sees_who_else_read_their_clients_but_not_what_else_they_did(
    client, agency_admin_a, staff_b, client_a, trail
):
    record(
        actor=staff_b,
        action=AuditAction.READ,
        obj=client_a,
        client_id=client_a.pk,
        message="B viewed A's client",
    )
    record(
        actor=staff_b,
        action=AuditAction.CHANGE,
        obj=staff_b,
        message="B changed its own enrollment",
    )
    client.force_login(agency_admin_a)
    shown = messages(client.get("/audit/"))
    assert "B viewed A's client" in shown
    assert "B changed its own enrollment" not in shown
    assert "Signed in B" not in shown


def test_system_admin_sees_every_organizations_rows(client, system_admin, trail):
    client.force_login(system_admin)
    shown = messages(client.get("/audit/"))
    assert {"Changed A's client", "Signed in A", "Signed in B"} <= set(shown)


@pytest.mark.parametrize("persona", ["staff_a", "readonly_a", "scan_station_a", "staff_b"])
def test_users_who_are_not_administrators_get_403(client, persona, request, trail):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user=STAFF_A", {"Changed A's client", "Signed in A"}),
        ("action=login", {"Signed in A"}),
        ("object_type=clients.client", {"Changed A's client"}),
    ],
)
def test_filters_narrow_the_search(client, agency_admin_a, trail, query, expected):
    client.force_login(agency_admin_a)
    assert set(messages(client.get(f"/audit/?{query}"))) == expected


def test_filter_by_client_id(client, agency_admin_a, trail, client_a):
    client.force_login(agency_admin_a)
    assert messages(client.get(f"/audit/?client_id={client_a.pk}")) == ["Changed A's client"]


def test_filter_by_date_range_uses_local_days(client, agency_admin_a, staff_a):
    def at(day, hour):
        event = build_event(actor=staff_a, action=AuditAction.LOGIN, message=f"{day} {hour}h")
        event.at = datetime(2025, 3, day, hour, tzinfo=CHICAGO)
        return event

    record_many([at(1, 23), at(2, 0), at(2, 23), at(3, 0)])
    client.force_login(agency_admin_a)
    shown = messages(client.get("/audit/?date_from=2025-03-02&date_to=2025-03-02"))
    assert shown == ["2 23h", "2 0h"]


def test_reversed_date_range_is_an_error_not_everything(client, agency_admin_a, trail):
    client.force_login(agency_admin_a)
    response = client.get("/audit/?date_from=2025-03-05&date_to=2025-03-01")
    assert messages(response) == []
    assert b"The end date is before the start date." in response.content


def test_search_is_paginated_in_a_fixed_number_of_queries(
    client, agency_admin_a, staff_a, django_assert_max_num_queries
):
    record_many(
        [build_event(actor=staff_a, action=AuditAction.LOGIN, message=f"n{n}") for n in range(120)]
    )
    client.force_login(agency_admin_a)
    with django_assert_max_num_queries(12):
        response = client.get("/audit/?page=2")
    assert len(response.context["page"].object_list) == PAGE_SIZE
    assert response.context["page"].number == 2


def test_csv_export_holds_the_filtered_rows_and_is_itself_audited(
    client, agency_admin_a, trail, client_a
):
    client.force_login(agency_admin_a)
    response = client.get(f"/audit/export.csv?client_id={client_a.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "When"
    assert [row[8] for row in rows[1:]] == ["Changed A's client"]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == agency_admin_a
    assert export.changes == {"filters": {"client_id": str(client_a.pk)}}


def test_csv_cells_cannot_become_spreadsheet_formulas(client, agency_admin_a, staff_a):
    record(actor=staff_a, action=AuditAction.LOGIN, message='=HYPERLINK("http://x")')
    client.force_login(agency_admin_a)
    response = client.get("/audit/export.csv?action=login")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
