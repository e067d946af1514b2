"""The home page and sign-in."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_signed_out_visitor_sees_only_the_sign_in_page(client):
    response = client.get("/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Sign in" in page and "Batch Services" not in page


def test_signed_in_staff_start_at_batch_services(web_a):
    response = web_a.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("batches:list")


def test_scan_station_starts_at_its_batches(station_a, desk_batch):
    http = signed_in(station_a)
    response = http.get("/", follow=True)
    page = response.content.decode()
    assert "Drop-in visit and meals" in page and "Add Clients to Batch" in page
    assert "Client search" not in page


def test_navigation_offers_batch_services_and_client_search(web_a):
    page = web_a.get(reverse("batches:list")).content.decode()
    assert "Clients" in page and "Enrollment and Services" in page
    assert reverse("batches:list") in page and reverse("clients:search") in page


def test_navigation_links_each_role_to_what_it_may_use(web_a, org_a):
    staff_page = web_a.get(reverse("batches:list")).content.decode()
    assert reverse("cards:index") in staff_page and reverse("reports:index") in staff_page
    assert reverse("hudcsv:export") not in staff_page
    assert reverse("audit:search") not in staff_page
    admin = f.make_user(org_a, "agency_admin")
    admin_page = signed_in(admin).get(reverse("batches:list")).content.decode()
    assert reverse("hudcsv:export") in admin_page and reverse("audit:search") in admin_page
    assert reverse("hudcsv:import") not in admin_page  # system administrators only


def test_sign_in_shows_form_errors(client, staff_a):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page


def test_sign_in_then_lands_on_batch_services(client, staff_a):
    response = client.post(
        reverse("login"), {"username": "staff_a", "password": f.PASSWORD}, follow=True
    )
    assert "Batch Services" in response.content.decode()


def test_read_only_user_starts_at_batch_services(readonly_a):
    response = signed_in(readonly_a).get("/")
    assert response["Location"] == reverse("batches:list")


def test_pages_carry_no_inline_script(web_a, desk_batch):
    for url in (
        reverse("batches:list"),
        reverse("batches:desk", args=[desk_batch.pk]),
        reverse("batches:create"),
    ):
        page = web_a.get(url).content.decode()
        assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page
        for tag in page.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], f"inline script on {url}"


def test_a_forbidden_page_keeps_the_navigation_and_a_way_back(station_a):
    response = signed_in(station_a).get(reverse("clients:search"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and "Sign out" in page and f'href="{reverse("home")}"' in page


def test_a_missing_page_keeps_the_navigation_and_a_way_back(web_b, desk_batch):
    response = web_b.get(reverse("batches:desk", args=[desk_batch.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "Sign out" in page and f'href="{reverse("home")}"' in page


def test_a_server_error_page_is_plain_and_shows_no_details(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/batches/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and "Traceback" not in page


def test_system_administrators_find_the_administration_in_the_menu(org_a, web_a):
    admin = f.make_user(org_a, "system_admin", is_staff=True)
    page = signed_in(admin).get(reverse("batches:list")).content.decode()
    assert 'href="/admin/"' in page and "Administration" in page
    assert 'href="/admin/"' not in web_a.get(reverse("batches:list")).content.decode()
