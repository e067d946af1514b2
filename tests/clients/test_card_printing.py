"""Card sheets and rosters print, and their barcodes scan back to the issued codes."""

from datetime import date
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.card_printing import (
    CR80,
    SHEET,
    cards_for_printing,
    print_cards,
    print_roster,
    render_cards,
    roster_clients,
)
from hmis.clients.cards import issue_card, issue_cards
from hmis.clients.models import CommunityCard
from tests import factories as f

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DAY = date(2025, 3, 3)


def render_pages(pdf: bytes, name: str, scale: float = 4) -> list:
    """Each page as a PIL image (saved to tests/artifacts for a look)."""
    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    images = []
    for index in range(len(document)):
        image = document[index].render(scale=scale).to_pil()
        image.save(ARTIFACTS / f"{name}-page{index + 1}.png")
        images.append(image)
    return images


def decoded(image, barcode_format) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=barcode_format)]


def page_count(pdf: bytes) -> int:
    return len(pypdfium2.PdfDocument(pdf))


@pytest.fixture
def clients(org_a, day_shelter):
    names = [
        ("Zoë", "Núñez", "Zo"),
        ("Alex", "Anderson", ""),
        ("Maria", "García-Márquez de la Fuente y Alvarado", "Mari"),
        ("Bo", "Li", ""),
        ("Samuel", "Okafor", "Sam"),
        ("Jean", "Baptiste", ""),
        ("Ana", "Silva", ""),
        ("Tom", "Walker", ""),
        ("Rita", "Moreno", ""),
        ("Chris", "Evans", ""),
        ("Dana", "Kim", ""),
    ]
    made = []
    for first, last, preferred in names:
        client = f.make_client(first, last, preferred_name=preferred, organization=org_a)
        f.enroll(client, day_shelter, entry_date=date(2025, 1, 1))
        made.append(client)
    return made


def test_sheet_of_cards_decodes_to_the_issued_codes_in_code128_and_qr(clients, staff_a):
    issued = issue_cards(clients=clients, user=staff_a)
    cards = cards_for_printing(CommunityCard.objects.filter(pk__in=[c.pk for c in issued]))

    pdf = print_cards(cards=cards, user=staff_a, layout=SHEET)

    pages = render_pages(pdf, "cards-sheet")
    assert len(pages) == 2  # 11 cards: a full sheet of 10 and one more
    found_128 = [code for page in pages for code in decoded(page, zxingcpp.BarcodeFormat.Code128)]
    found_qr = [code for page in pages for code in decoded(page, zxingcpp.BarcodeFormat.QRCode)]
    assert sorted(found_128) == sorted(c.code for c in issued)
    assert sorted(found_qr) == sorted(c.code for c in issued)


def test_cr80_layout_prints_one_card_per_page_that_scans(clients, staff_a):
    card = issue_card(client=clients[0], user=staff_a)
    legacy = f.issue_card(clients[1], code="LEGACY-000123456789", legacy=True)

    pdf = render_cards(cards_for_printing(CommunityCard.objects.all()), layout=CR80)

    pages = render_pages(pdf, "cards-cr80", scale=6)
    assert len(pages) == 2
    assert pages[0].size[0] / pages[0].size[1] == pytest.approx(85.6 / 54, rel=0.01)
    found = {code for page in pages for code in decoded(page, zxingcpp.BarcodeFormat.Code128)}
    assert found == {card.code, legacy.code}


def test_card_shows_agency_preferred_name_client_id_and_code(clients, staff_a):
    card = issue_card(client=clients[0], user=staff_a)
    pdf = render_cards(cards_for_printing(CommunityCard.objects.filter(pk=card.pk)), layout=CR80)

    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()

    assert "Agency A" in text
    assert "Zo" in text and "Zoë" not in text  # the preferred name, not the legal one
    assert "Núñez" not in text  # no last name on a card that may be lost
    assert f"Client ID {clients[0].pk}" in text
    assert card.code[:4] in text


def test_card_without_organization_uses_the_configured_agency_name(settings, staff_a):
    settings.HMIS_AGENCY_NAME = "Downtown Day Center"
    client = f.make_client("Lee")
    card = issue_card(client=client, user=staff_a)
    pdf = render_cards(cards_for_printing(CommunityCard.objects.filter(pk=card.pk)), layout=CR80)
    assert "Downtown Day Center" in pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


def test_printing_cards_is_audited_per_client(clients, staff_a):
    issue_cards(clients=clients[:3], user=staff_a)
    print_cards(cards=cards_for_printing(CommunityCard.objects.all()), user=staff_a, layout=SHEET)

    printed = AuditEvent.objects.filter(action=AuditAction.PRINT)
    assert sorted(printed.values_list("client_id", flat=True)) == sorted(c.pk for c in clients[:3])
    assert set(printed.values_list("actor", flat=True)) == {staff_a.pk}


def test_roster_lists_the_program_by_last_name_and_its_barcodes_scan(
    clients, staff_a, batch, day_shelter
):
    issued = issue_cards(clients=clients[:-1], user=staff_a)  # the last client has no card
    outsider = f.make_client("Not", "Enrolled")
    issue_card(client=outsider, user=staff_a)
    exited = f.make_client("Gone", "Aaronson")
    f.enroll(exited, day_shelter, entry_date=date(2025, 1, 1), exit_date=date(2025, 2, 1))

    pdf = print_roster(batch=batch, on=DAY, user=staff_a)

    pages = render_pages(pdf, "roster")
    found = [code for page in pages for code in decoded(page, zxingcpp.BarcodeFormat.Code128)]
    assert sorted(found) == sorted(c.code for c in issued)
    text = "".join(
        pypdfium2.PdfDocument(pdf)[i].get_textpage().get_text_range() for i in range(len(pages))
    )
    assert "CONFIDENTIAL" in text
    assert f"No card: type Client ID {clients[-1].pk}" in text
    assert "Aaronson" not in text and "Enrolled" not in text
    listed = [c.last_name for c in roster_clients(project=day_shelter, on=DAY)]
    assert listed == sorted(listed, key=str.lower)
    assert text.index("Anderson") < text.index("Baptiste") < text.index("Walker")
    assert AuditEvent.objects.filter(action=AuditAction.PRINT).count() == len(clients)


def test_roster_reads_in_one_query(clients, staff_a, day_shelter, django_assert_num_queries):
    issue_cards(clients=clients, user=staff_a)
    with django_assert_num_queries(1):
        listed = roster_clients(project=day_shelter, on=DAY)
    assert all(c.card_code for c in listed)


def test_long_roster_runs_over_pages_with_page_numbers(org_a, day_shelter, batch, staff_a):
    for n in range(30):
        f.enroll(f.make_client("P", f"Person{n:02d}", organization=org_a), day_shelter)
    pdf = print_roster(batch=batch, on=DAY, user=staff_a)
    count = page_count(pdf)
    assert count >= 2
    last = pypdfium2.PdfDocument(pdf)[count - 1].get_textpage().get_text_range()
    assert f"Page {count} of {count}" in last


def test_roster_marks_barred_clients_and_prints_no_barcode_for_them(
    clients, staff_a, batch, org_a, day_shelter
):
    issued = issue_cards(clients=clients, user=staff_a)
    barred = clients[0]
    f.bar(barred, organization=org_a, project=day_shelter, end_date=date(2025, 12, 31))
    pdf = print_roster(batch=batch, on=DAY, user=staff_a)
    pages = render_pages(pdf, "roster-barred")
    found = [code for page in pages for code in decoded(page, zxingcpp.BarcodeFormat.Code128)]
    barred_code = next(c.code for c in issued if c.client_id == barred.pk)
    assert barred_code not in found
    assert sorted(found) == sorted(c.code for c in issued if c.client_id != barred.pk)
    text = "".join(
        pypdfium2.PdfDocument(pdf)[i].get_textpage().get_text_range() for i in range(len(pages))
    )
    assert "BARRED until 12/31/2025" in text
