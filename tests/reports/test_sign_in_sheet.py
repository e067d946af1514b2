"""The Daily sign-in sheet (hmis/reports/signin_sheet.py and its views): rows, PDF read back
from an image of the page, and CSV."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import time_machine

from hmis.audit.models import AuditEvent
from hmis.batches.adding import add_client_to_batch
from hmis.batches.posting import post_batch
from hmis.batches.removing import remove_entry
from hmis.batches.units import set_entry_units
from hmis.reports.signin_sheet import sign_in_rows
from tests import factories as f

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DAY = date(2026, 3, 10)


@pytest.fixture
def desk(staff_a, day_shelter):
    """Zoë added at 9:05 and Al at 9:20, both posted; Cy at 10:00, pending with 3 meals; Di added
    at 10:10 and removed; Ed added the day before."""
    visit, meal = f.make_code("Day Shelter visit"), f.make_code("Lunch")
    batch = f.make_batch(
        day_shelter,
        description="Visit + Lunch",
        codes=[(visit, 1), (meal, 2)],
        performing_user=staff_a,
        location=f.make_location(day_shelter, "Main Street"),
    )
    clerk = f.make_user(day_shelter.organization, first_name="Rosa", last_name="Parks")
    people = {
        name: f.make_client(first, last)
        for name, first, last in [
            ("zoe", "Zoë", "Núñez"),
            ("al", "Al", "Anders"),
            ("cy", "Cy", "Cole"),
            ("di", "Di", "Dunn"),
            ("ed", "Ed", "Early"),
        ]
    }
    for client in people.values():
        f.enroll(client, day_shelter)

    def add(name, at, user=staff_a, day=DAY):
        with time_machine.travel(at, tick=False):
            return add_client_to_batch(
                batch=batch, client=people[name], user=user, batch_date=day, date_provided=day
            )

    add("zoe", "2026-03-10 09:05:00-05:00")
    add("al", "2026-03-10 09:20:00-05:00", user=clerk)
    post_batch(batch=batch, user=staff_a)
    cy = add("cy", "2026-03-10 10:00:00-05:00")
    set_entry_units(entry=cy, user=staff_a, units={meal.pk: 3})
    remove_entry(entry=add("di", "2026-03-10 10:10:00-05:00"), user=staff_a)
    add("ed", "2026-03-09 11:00:00-05:00", day=date(2026, 3, 9))
    return batch


def test_sign_in_rows_list_each_client_of_the_day_in_the_order_they_came(desk):
    rows = sign_in_rows(batch=desk, day=DAY)

    assert [
        (r.number, f"{r.time:%H:%M}", r.client, r.services, r.status, r.added_by) for r in rows
    ] == [
        (1, "09:05", "Núñez, Zoë", "Day Shelter visit x 1; Lunch x 2", "Posted", "Jane Doe"),
        (2, "09:20", "Anders, Al", "Day Shelter visit x 1; Lunch x 2", "Posted", "Rosa Parks"),
        (3, "10:00", "Cole, Cy", "Day Shelter visit x 1; Lunch x 3", "Pending", "Jane Doe"),
    ]


def test_sign_in_rows_take_four_queries(desk, django_assert_num_queries):
    with django_assert_num_queries(4):
        sign_in_rows(batch=desk, day=DAY)


def _pdf_text(pdf: bytes, name: str) -> list[str]:
    """Each page rendered to an image (kept in tests/artifacts) and its text read back."""
    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    texts = []
    for index in range(len(document)):
        page = document[index]
        page.render(scale=2).to_pil().save(ARTIFACTS / f"{name}-page{index + 1}.png")
        texts.append(page.get_textpage().get_text_range())
    return texts


def test_sign_in_sheet_pdf_reads_back_every_row_with_signature_lines(client, staff_a, desk):
    client.force_login(staff_a)

    response = client.get(
        "/reports/sign-in-sheet.pdf", {"batch": desk.pk, "day": "2026-03-10", "signatures": "on"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    (text,) = _pdf_text(response.content, "sign-in-sheet")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Daily sign-in sheet" in lines
    assert "Batch: Visit + Lunch. Program: Day Shelter, Main Street." in lines
    assert "Signature" in text
    ids = dict(desk.entries.values_list("client__first_name", "client_id"))
    table = text.split("Added by Signature", 1)[1]
    # A row starts with its number and time; a cell wrapped on two lines joins its row again.
    found = [" ".join(row.split()) for row in re.split(r"\s(?=\d+ \d\d:\d\d [AP]M )", table)]
    found = [row for row in found if row]
    assert found == [
        f"1 09:05 AM Núñez, Zoë ({ids['Zoë']}) Day Shelter visit x 1; Lunch x 2 Jane Doe",
        f"2 09:20 AM Anders, Al ({ids['Al']}) Day Shelter visit x 1; Lunch x 2 Rosa Parks",
        f"3 10:00 AM Cole, Cy ({ids['Cy']}) Day Shelter visit x 1; Lunch x 3 (pending) Jane Doe",
    ]
    assert "Dunn" not in text and "Early" not in text
    assert AuditEvent.objects.filter(action="print", message="Daily sign-in sheet PDF").exists()


def test_sign_in_sheet_csv(client, staff_a, desk):
    client.force_login(staff_a)

    response = client.get("/reports/sign-in-sheet.csv", {"batch": desk.pk, "day": "2026-03-10"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "#",
        "Time",
        "Client ID",
        "Client",
        "Services and units",
        "Status",
        "Added by",
    ]
    assert [row[1] for row in rows[1:]] == ["09:05", "09:20", "10:00"]
    assert rows[3][3:] == ["Cole, Cy", "Day Shelter visit x 1; Lunch x 3", "Pending", "Jane Doe"]


def test_sign_in_sheet_page_lists_the_rows_and_links_the_files(client, staff_a, desk):
    client.force_login(staff_a)

    response = client.get("/reports/sign-in-sheet/", {"batch": desk.pk, "day": "2026-03-10"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Núñez, Zoë" in page and "3</strong> clients" in page
    assert "/reports/sign-in-sheet.pdf?" in page


def test_sign_in_sheet_of_another_agencys_batch_is_refused(client, staff_b, desk):
    client.force_login(staff_b)

    for url in ("/reports/sign-in-sheet/", "/reports/sign-in-sheet.pdf"):
        response = client.get(url, {"batch": desk.pk, "day": "2026-03-10"})
        assert response.status_code == 400
        assert "Núñez" not in response.content.decode()
