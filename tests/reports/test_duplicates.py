"""Likely duplicate clients on the data-quality page (hmis/reports/duplicates.py), on clients whose
duplicate pairs are known by construction."""

from datetime import date

import pytest
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.reports import duplicates
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def people(org_a, org_b):
    """Three pairs are duplicates: Maria Lopez / Maria Lopes (same birth date, like name), Robert
    King / Bob King (same SSN last four, nickname), John Smith / John Smith (same name, one with
    no birth date). Ann Bell shares Maria's birth date and Zed Quinn Robert's SSN last four, but
    their names are nothing alike. Organization B's Maria Lopez and a deleted John Smith are not
    organization A's to check."""

    def client(first, last, dob=None, ssn="", organization=org_a, **fields):
        return f.make_client(
            first, last, dob=dob, ssn_last4=ssn, organization=organization, **fields
        )

    made = {
        "maria": client("Maria", "Lopez", date(1990, 2, 3)),
        "maria2": client("Maria", "Lopes", date(1990, 2, 3)),
        "robert": client("Robert", "King", date(1970, 1, 1), "4321"),
        "bob": client("Bob", "King", None, "4321"),
        "john": client("John", "Smith", date(1985, 6, 7)),
        "john2": client("John", "Smith"),
        "ann": client("Ann", "Bell", date(1990, 2, 3)),
        "zed": client("Zed", "Quinn", date(1961, 9, 9), "4321"),
        "other_org": client("Maria", "Lopez", date(1990, 2, 3), organization=org_b),
        "deleted": client("John", "Smith", date(1985, 6, 7), deleted_at=timezone.now()),
    }
    return made


def _pairs(found):
    return {(pair.first.pk, pair.second.pk) for pair in found.pairs}


def test_the_known_pairs_are_found_and_nothing_else(admin_a, people):
    found = duplicates.likely_duplicates(user=admin_a)

    p = {name: c.pk for name, c in people.items()}
    assert _pairs(found) == {
        (p["maria"], p["maria2"]),
        (p["robert"], p["bob"]),
        (p["john"], p["john2"]),
    }
    assert found.total == 3 and not found.more
    reasons = {(pair.first.pk, pair.second.pk): pair.reasons for pair in found.pairs}
    assert "same SSN last four" in reasons[(p["robert"], p["bob"])]
    assert "nickname" in reasons[(p["robert"], p["bob"])]
    assert "same birth date" in reasons[(p["maria"], p["maria2"])]


def test_other_organizations_clients_are_not_compared(org_b, people):
    admin_b = f.make_user(org_b, Role.AGENCY_ADMIN, username="admin_b")

    assert duplicates.likely_duplicates(user=admin_b).total == 0


def test_the_list_is_capped_with_the_full_count(admin_a, people):
    found = duplicates.likely_duplicates(user=admin_a, shown=2)

    assert len(found.pairs) == 2 and found.total == 3 and found.more


def test_one_query_whatever_the_number_of_clients(
    admin_a, org_a, people, django_assert_num_queries
):
    # Forty more clients on one placeholder birth date, every fourth one the same name.
    for number in range(40):
        f.make_client("Pat", f"Nguyen{number // 4}", dob=date(1900, 1, 1), organization=org_a)

    with django_assert_num_queries(1):
        found = duplicates.likely_duplicates(user=admin_a)
        # The page shows the names: nothing more is loaded for them.
        [pair.first.display_name + pair.second.display_name for pair in found.pairs]

    # Each group of four same-named clients gives its 6 pairs (names Nguyen0..Nguyen9 are alike
    # too, but each is compared with the WINDOW next ones only: at least the 60 exact ones).
    assert found.total >= 3 + 10 * 6


def test_data_quality_page_links_both_records(client, admin_a, people):
    client.force_login(admin_a)

    page = client.get("/reports/data-quality/", {"start": "2026-03-01", "end": "2026-03-10"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Likely duplicate clients" in html
    for name in ("maria", "maria2", "robert", "bob", "john", "john2"):
        assert f'href="/clients/{people[name].pk}/"' in html
    assert f'href="/clients/{people["other_org"].pk}/"' not in html


def test_the_quick_test_never_turns_away_a_pair_the_intake_rules_accept(org_a):
    from hmis.clients.matching import match_pair

    specs = [
        ("Robert", "King", date(1970, 1, 1), "4321", ""),
        ("Bob", "King", None, "4321", ""),
        ("Rob", "Kingston", date(1970, 1, 1), "", ""),
        ("Zed", "Quinn", date(1970, 1, 1), "4321", ""),
        ("Zed", "Quinn", date(1970, 1, 1), "", "Bobby"),
        ("Ann", "Bell", date(1990, 3, 4), "1111", ""),
        ("Xi", "Wu", date(1990, 4, 3), "1111", ""),
        ("Maria", "Lopez", date(1990, 2, 3), "", ""),
        ("Lopez", "Maria", None, "", ""),
        ("", "Lopez", date(1990, 2, 3), "", ""),
    ]
    people = [
        f.make_client(first, last, dob=dob, ssn_last4=ssn, preferred_name=preferred)
        for first, last, dob, ssn, preferred in specs
    ]

    accepted = 0
    for a in people:
        for b in people:
            if a is not b and match_pair(a, b) is not None:
                accepted += 1
                assert duplicates._may_match(a, b), (a.search_name, b.search_name)
    assert accepted >= 6  # the rules do accept several of these pairs


def test_only_the_most_recently_added_clients_are_compared_past_the_cap(client, admin_a, people):
    # Sharing a value with another client: Maria, Maria2, Robert, Bob, John, John2, Ann and Zed;
    # the four added last are Zed, Ann, John2 and John, of whom only the Johns are a pair.
    found = duplicates.likely_duplicates(user=admin_a, checked_at_most=4)

    assert found.capped and found.checked == 4
    assert _pairs(found) == {(people["john"].pk, people["john2"].pk)}
    assert not duplicates.likely_duplicates(user=admin_a).capped


def test_the_page_says_when_the_comparison_was_capped(client, admin_a, people, monkeypatch):
    monkeypatch.setattr(duplicates, "MAX_CHECKED", 4)
    client.force_login(admin_a)

    html = client.get("/reports/data-quality/").content.decode()

    assert "Compared among the 4 most recently added clients" in html
