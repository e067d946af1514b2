"""Services and units per funder and grant (hmis/reports/funders.py and its views)."""

import csv
import io

import pypdfium2
import pytest
from django.utils import timezone

from hmis.hudcsv.models import ProjectRecord, ProjectRecordKind
from hmis.reports.funders import NO_FUNDER, services_by_funder

pytestmark = pytest.mark.django_db


def grant(project, hud_id, **data):
    now = timezone.now()
    return ProjectRecord.objects.create(
        kind=ProjectRecordKind.FUNDER,
        hud_id=hud_id,
        project=project,
        data=data,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def grants(served, day_shelter):
    """Day Shelter: ESG grant ES-1 for all of March, and a city grant from 03/04 on. SSO: none."""
    grant(day_shelter, "F1", Funder=8, GrantID="ES-1", StartDate="2026-03-01", EndDate="2026-03-31")
    grant(day_shelter, "F2", Funder=46, OtherFunder="City of Example", StartDate="2026-03-04")
    grant(day_shelter, "F3", Funder=2, GrantID="OLD", StartDate="2020-01-01", EndDate="2025-12-31")
    return served


def test_services_count_under_each_grant_in_force_on_their_day(staff_a, grants):
    rows = services_by_funder(user=staff_a, start=grants.start, end=grants.end)

    assert [(r.funder, r.grant_id, r.program, r.service, r.services, r.units) for r in rows] == [
        # 03/01-03/10 at Day Shelter: Ann 3, Ben 1, Cat 6, Dan 1, Gus 1 visits.
        (
            "HUD: ESG - Emergency Shelter (operating and/or essential services)",
            "ES-1",
            "Day Shelter",
            "Visit",
            12,
            12,
        ),
        # From 03/04: Ann 03/04, Ben 03/05, Cat 03/04-03/06, Dan 03/10.
        ("Local or other funding source: City of Example", "", "Day Shelter", "Visit", 6, 6),
        (NO_FUNDER, "", "Supportive Services", "Meal", 1, 2),
    ]


def test_funder_view_follows_the_program_filter(staff_a, grants):
    rows = services_by_funder(user=staff_a, start=grants.start, end=grants.end, project=grants.sso)

    assert [(r.funder, r.service, r.services) for r in rows] == [(NO_FUNDER, "Meal", 1)]


def test_funder_view_takes_two_queries(staff_a, grants, django_assert_num_queries):
    with django_assert_num_queries(2):
        services_by_funder(user=staff_a, start=grants.start, end=grants.end)


def test_funder_csv_and_pdf_carry_the_same_rows(client, staff_a, grants):
    client.force_login(staff_a)
    period = {"start": "2026-03-01", "end": "2026-03-10"}

    rows = list(
        csv.reader(io.StringIO(client.get("/reports/funders.csv", period).content.decode()))
    )
    pdf = client.get("/reports/funders.pdf", period)

    assert rows[0] == ["Funder", "Grant", "Program", "Service", "Services", "Units"]
    assert rows[1][1:] == ["ES-1", "Day Shelter", "Visit", "12", "12"]
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range().split())
    assert "Services by funder" in text and "ES-1 Day Shelter Visit 12 12" in text
    assert "City of Example" in text


def test_funder_page_shows_no_other_agencys_grants(client, staff_b, grants, day_shelter):
    client.force_login(staff_b)

    page = client.get("/reports/funders/", {"start": "2026-03-01", "end": "2026-03-10"})

    assert page.status_code == 200
    assert "ES-1" not in page.content.decode()
