"""The Community cards pages: issue, replace, revoke, print, roster, import; and outsiders."""

from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.cards import is_valid_code, issue_card
from hmis.clients.models import CommunityCard
from tests import factories as f


def signed_in(user) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    return http


def csrf(http: HttpClient, url: str = "/cards/") -> str:
    """The CSRF token a page would put in its forms."""
    http.get(url)
    return http.cookies["csrftoken"].value


def post(http: HttpClient, url: str, data: dict | None = None, **extra):
    token = csrf(http)
    return http.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)


@pytest.fixture
def client_a(org_a, day_shelter):
    client = f.make_client("Maria", "Lopez", organization=org_a)
    f.enroll(client, day_shelter, entry_date=date(2024, 1, 1))
    return client


@pytest.fixture
def staff(staff_a):
    return signed_in(staff_a)


def test_issue_from_the_profile_gives_a_card_and_says_so(staff, client_a):
    response = post(staff, reverse("cards:issue", args=[client_a.pk]), follow=True)
    card = CommunityCard.objects.get(client=client_a)
    assert is_valid_code(card.code)
    assert response.redirect_chain[-1][0].startswith(reverse("clients:profile", args=[client_a.pk]))
    assert "issued. Print it below." in response.content.decode()


def test_issue_twice_explains_the_refusal(staff, client_a, staff_a):
    issue_card(client=client_a, user=staff_a)
    response = post(staff, reverse("cards:issue", args=[client_a.pk]), follow=True)
    assert f"Client {client_a.pk} already has an active card" in response.content.decode()
    assert CommunityCard.objects.filter(client=client_a).count() == 1


def test_post_without_csrf_token_is_refused(staff, client_a):
    response = staff.post(reverse("cards:issue", args=[client_a.pk]))
    assert response.status_code == 403
    assert not CommunityCard.objects.exists()


def test_issue_by_get_is_not_allowed(staff, client_a):
    assert staff.get(reverse("cards:issue", args=[client_a.pk])).status_code == 405


def test_replace_and_revoke(staff, client_a, staff_a):
    old = issue_card(client=client_a, user=staff_a)
    post(staff, reverse("cards:replace", args=[old.pk]), {"reason": "lost"})
    old.refresh_from_db()
    assert old.revoke_reason == "lost" and old.replaced_by.is_active
    post(staff, reverse("cards:revoke", args=[old.replaced_by.pk]), {"reason": "stolen"})
    assert not CommunityCard.objects.filter(client=client_a, revoked_at__isnull=True).exists()


def test_revoke_without_a_reason_changes_nothing(staff, client_a, staff_a):
    card = issue_card(client=client_a, user=staff_a)
    response = post(staff, reverse("cards:revoke", args=[card.pk]), {"reason": ""}, follow=True)
    assert "Choose why the card is revoked" in response.content.decode()
    card.refresh_from_db()
    assert card.is_active


def test_profile_shows_the_community_cards_section(staff, client_a, staff_a):
    card = issue_card(client=client_a, user=staff_a)
    page = staff.get(reverse("clients:profile", args=[client_a.pk])).content.decode()
    assert "Community cards" in page
    assert card.code[:4] in page
    assert reverse("cards:replace", args=[card.pk]) in page
    assert "<script" not in page.split("Community cards")[1].split("</section>")[0]


def test_replace_and_revoke_ask_for_confirmation_first(staff, client_a, staff_a):
    card = issue_card(client=client_a, user=staff_a)
    page = staff.get(reverse("clients:profile", args=[client_a.pk])).content.decode()
    for name in ("cards:replace", "cards:revoke"):
        form = page.split(f'action="{reverse(name, args=[card.pk])}"')[1].split(">")[0]
        assert 'data-confirm="' in form and "stops working at once" in form


def test_roster_page_leads_back_to_community_cards(staff, batch):
    page = staff.get(reverse("cards:roster", args=[batch.pk])).content.decode()
    assert f'href="{reverse("cards:index")}">Back to Community cards' in page


def test_read_only_user_sees_the_card_but_no_card_actions(readonly_a, client_a, staff_a):
    card = issue_card(client=client_a, user=staff_a)
    http = signed_in(readonly_a)
    page = http.get(reverse("clients:profile", args=[client_a.pk])).content.decode()
    assert card.code[:4] in page and reverse("cards:revoke", args=[card.pk]) not in page
    assert (
        post(http, reverse("cards:revoke", args=[card.pk]), {"reason": "lost"}).status_code == 403
    )


def test_print_one_clients_card_returns_an_audited_pdf(staff, client_a, staff_a):
    issue_card(client=client_a, user=staff_a)
    response = post(staff, reverse("cards:print_client", args=[client_a.pk]), {"layout": "sheet"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action=AuditAction.PRINT, client_id=client_a.pk, actor=staff_a
    ).exists()


def test_print_for_a_client_without_card_says_to_issue_one(staff, client_a):
    response = post(staff, reverse("cards:print_client", args=[client_a.pk]), follow=True)
    assert f"Client {client_a.pk} has no active card. Issue one first." in response.content.decode()


def test_print_cards_for_a_program_issues_and_prints_only_clients_without_card(
    staff, client_a, staff_a, day_shelter
):
    carded = f.make_client("Has", "Card")
    f.enroll(carded, day_shelter)
    issue_card(client=carded, user=staff_a)
    response = post(
        staff,
        reverse("cards:print"),
        {"scope": "program", "program": day_shelter.pk, "layout": "sheet"},
    )
    assert response["Content-Type"] == "application/pdf"
    assert CommunityCard.objects.filter(client=client_a).exists()
    printed = AuditEvent.objects.filter(action=AuditAction.PRINT)
    assert list(printed.values_list("client_id", flat=True)) == [client_a.pk]


def test_print_cards_for_a_program_where_everyone_has_a_card(staff, client_a, staff_a, day_shelter):
    issue_card(client=client_a, user=staff_a)
    response = post(
        staff,
        reverse("cards:print"),
        {"scope": "program", "program": day_shelter.pk, "layout": "cr80"},
    )
    assert "Every client enrolled in Day Shelter today has a card." in response.content.decode()


def test_print_cards_for_a_list_of_client_ids(staff, client_a, staff_a, org_a):
    other = f.make_client(organization=org_a)
    issue_card(client=other, user=staff_a)
    response = post(
        staff,
        reverse("cards:print"),
        {"scope": "clients", "client_ids": f"{client_a.pk}, {other.pk}\n", "layout": "cr80"},
    )
    assert response["Content-Type"] == "application/pdf"
    assert CommunityCard.objects.filter(revoked_at__isnull=True).count() == 2


def test_print_cards_names_unknown_and_malformed_ids(staff, client_a):
    response = post(
        staff,
        reverse("cards:print"),
        {"scope": "clients", "client_ids": f"{client_a.pk} 999999", "layout": "cr80"},
    )
    assert "No client has Client ID 999999." in response.content.decode()
    response = post(
        staff,
        reverse("cards:print"),
        {"scope": "clients", "client_ids": "12 abc", "layout": "cr80"},
    )
    assert "Not a Client ID: abc." in response.content.decode()
    assert not CommunityCard.objects.exists()


def test_roster_page_and_pdf(staff, batch, client_a, staff_a):
    issue_card(client=client_a, user=staff_a)
    url = reverse("cards:roster", args=[batch.pk])
    assert "Print roster" in staff.get(url).content.decode()
    response = staff.get(url, {"on": timezone.localdate().isoformat()})
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditAction.PRINT, client_id=client_a.pk).exists()
    assert staff.get(url, {"on": "not a date"}).status_code == 400


def test_import_page_imports_a_csv(staff, client_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "cards.csv", f"Client ID,Card code\n{client_a.pk},OLD-42\n".encode()
    )
    response = post(staff, reverse("cards:import"), {"file": upload})
    assert "1 card(s) imported, 0 already on file." in response.content.decode()
    assert CommunityCard.objects.get(client=client_a).legacy


def test_import_page_lists_line_errors_and_imports_nothing(staff, client_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cards.csv", f"{client_a.pk},OLD-42\nxyz,OLD-43\n".encode())
    page = post(staff, reverse("cards:import"), {"file": upload}).content.decode()
    assert "Line 2: the client ID &quot;xyz&quot; is not a number." in page
    assert "Nothing was imported" in page
    assert not CommunityCard.objects.exists()


# --- Outsiders: staff of organization B see nothing of A's clients' cards ------------------------


@pytest.fixture
def outsider(staff_b):
    return signed_in(staff_b)


def test_outsider_cannot_issue_print_replace_or_revoke_cards_of_another_agency(
    outsider, client_a, staff_a
):
    card = issue_card(client=client_a, user=staff_a)
    for url, data in [
        (reverse("cards:issue", args=[client_a.pk]), {}),
        (reverse("cards:print_client", args=[client_a.pk]), {"layout": "cr80"}),
        (reverse("cards:replace", args=[card.pk]), {"reason": "lost"}),
        (reverse("cards:revoke", args=[card.pk]), {"reason": "lost"}),
    ]:
        assert post(outsider, url, data).status_code == 404, url
    card.refresh_from_db()
    assert card.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.PRINT).exists()


def test_outsider_gets_404_for_another_agencys_roster(outsider, batch):
    url = reverse("cards:roster", args=[batch.pk])
    assert outsider.get(url, {"on": "2025-03-03"}).status_code == 404


def test_outsider_cannot_print_or_import_for_another_agencys_clients(
    outsider, client_a, day_shelter
):
    response = post(
        outsider,
        reverse("cards:print"),
        {"scope": "clients", "client_ids": str(client_a.pk), "layout": "cr80"},
    )
    assert f"No client has Client ID {client_a.pk}." in response.content.decode()
    response = post(
        outsider,
        reverse("cards:print"),
        {"scope": "program", "program": day_shelter.pk, "layout": "cr80"},
    )
    assert "Select a valid choice" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cards.csv", f"{client_a.pk},OLD-42\n".encode())
    page = post(outsider, reverse("cards:import"), {"file": upload}).content.decode()
    assert f"no client has Client ID {client_a.pk}." in page
    assert not CommunityCard.objects.exists()


def test_scan_station_may_not_manage_cards(org_a, client_a):
    from hmis.accounts.models import Role

    station = signed_in(f.make_user(org_a, Role.SCAN_STATION))
    assert station.get(reverse("cards:print")).status_code == 403


def test_cards_page_links_printing_import_and_each_active_batchs_roster(staff, batch):
    page = staff.get(reverse("cards:index")).content.decode()
    assert reverse("cards:print") in page and reverse("cards:import") in page
    assert reverse("cards:roster", args=[batch.pk]) in page


def test_cards_page_lists_no_batch_of_another_agency(outsider, batch):
    page = outsider.get(reverse("cards:index")).content.decode()
    assert reverse("cards:roster", args=[batch.pk]) not in page


def test_the_profile_offers_every_reason_staff_may_choose_and_not_replaced():
    from hmis.clients.templatetags.community_cards import reasons_to_take_a_card_out

    assert [value for value, _ in reasons_to_take_a_card_out()] == [
        "lost",
        "damaged",
        "stolen",
        "other",
    ]
