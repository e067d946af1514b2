"""Client pages: search, profile with services, photos."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hmis.audit.models import AuditEvent
from hmis.batches.adding import add_client_to_batch
from hmis.batches.posting import post_batch
from hmis.clients.cards import format_code, generate_code
from hmis.clients.models import Client
from tests import factories as f
from tests.web.conftest import count_queries, signed_in

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_search_finds_visible_clients_by_name_and_id(web_a, org_a, org_b):
    ours = f.make_client("José", "Núñez", organization=org_a)
    f.issue_card(ours, code="SRCH0001")
    f.make_client("José", "Nunes", organization=org_b)
    page = web_a.get(reverse("clients:search"), {"q": "jose nun"}).content.decode()
    assert "Núñez, José" in page and "Nunes" not in page and "SRCH0001" in page
    page = web_a.get(reverse("clients:search"), {"q": str(ours.pk)}).content.decode()
    assert "Núñez, José" in page


def test_search_says_when_nothing_matches(web_a):
    page = web_a.get(reverse("clients:search"), {"q": "zzzz"}).content.decode()
    assert "No client found for “zzzz”." in page


def test_search_query_count_does_not_grow_with_results(web_a, org_a, django_assert_num_queries):
    for n in range(3):
        f.issue_card(f.make_client("Kim", f"Many{n}", organization=org_a))
    few = count_queries(lambda: web_a.get(reverse("clients:search"), {"q": "kim"}))
    for n in range(3, 9):
        f.issue_card(f.make_client("Kim", f"Many{n}", organization=org_a))
    with django_assert_num_queries(few):
        web_a.get(reverse("clients:search"), {"q": "kim"})


@pytest.mark.usefixtures("back_dating_staff_a")
def test_profile_shows_identity_enrollments_bars_cards_and_services(
    web_a, desk_batch, carded, staff_a, org_a, day_shelter
):
    client = carded("PROF0001", "Maria", "Lopez")
    f.bar(client, organization=org_a, start_date=date(2020, 1, 1), end_date=date(2020, 2, 1))
    add_client_to_batch(
        batch=desk_batch,
        client=client,
        user=staff_a,
        batch_date=date(2025, 3, 4),
        date_provided=date(2025, 3, 4),
    )
    post_batch(batch=desk_batch, user=staff_a)
    page = web_a.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert "Maria Lopez" in page and "05/17/1980" in page
    assert "Day Shelter" in page and "01/01/2024" in page  # enrollment
    assert "Fighting in the dining room" in page  # bar
    assert "Community cards" in page
    services = page[page.index('id="services"') :]
    assert "Meal" in services and "03/04/2025" in services and "Drop-in visit and meals" in services
    assert "Jane Doe" in services  # provider
    assert reverse("services:void", args=[client.services.first().pk]) in services


def test_profile_services_query_count_does_not_grow_with_services(
    web_a, carded, back_dating_staff_a, day_shelter, visit_code, django_assert_num_queries
):
    staff_a = back_dating_staff_a
    client = carded("PROF0002")
    batch = f.make_batch(day_shelter, performing_user=staff_a, codes=[(visit_code, 1)])

    def serve(days):
        for day in days:
            add_client_to_batch(
                batch=batch, client=client, user=staff_a, batch_date=day, date_provided=day
            )
        post_batch(batch=batch, user=staff_a)

    serve([date(2025, 1, d) for d in range(1, 4)])
    url = reverse("clients:profile", args=[client.pk])
    few = count_queries(lambda: web_a.get(url))
    serve([date(2025, 1, d) for d in range(4, 13)])
    with django_assert_num_queries(few):
        web_a.get(url)


def test_outsider_gets_404_on_a_client_profile_and_photo(web_b, org_a):
    client = f.make_client("Private", "Person", organization=org_a)
    assert web_b.get(reverse("clients:profile", args=[client.pk])).status_code == 404
    assert web_b.get(reverse("clients:photo", args=[client.pk])).status_code == 404
    upload = SimpleUploadedFile("face.png", png_bytes(), content_type="image/png")
    response = web_b.post(reverse("clients:photo_upload", args=[client.pk]), {"photo": upload})
    assert response.status_code == 404


def test_photo_upload_is_saved_audited_and_served(web_a, org_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = f.make_client("Photo", "Person", organization=org_a)
    upload = SimpleUploadedFile("face.png", png_bytes(), content_type="image/png")
    web_a.post(reverse("clients:photo_upload", args=[client.pk]), {"photo": upload})
    client.refresh_from_db()
    assert client.photo
    assert AuditEvent.objects.filter(client_id=client.pk, message="Photo uploaded").exists()
    response = web_a.get(reverse("clients:photo", args=[client.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_file_that_is_not_an_image_is_refused(web_a, org_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = f.make_client("Photo", "Person", organization=org_a)
    upload = SimpleUploadedFile("face.png", b"not an image", content_type="image/png")
    response = web_a.post(
        reverse("clients:photo_upload", args=[client.pk]), {"photo": upload}, follow=True
    )
    assert "Photo not saved" in response.content.decode()
    assert not Client.objects.get(pk=client.pk).photo


def test_read_only_user_sees_profiles_but_cannot_upload(readonly_a, org_a):
    client = f.make_client("Read", "Only", organization=org_a)
    http = signed_in(readonly_a)
    page = http.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert "Read Only" in page and "Upload photo" not in page
    upload = SimpleUploadedFile("face.png", png_bytes(), content_type="image/png")
    response = http.post(reverse("clients:photo_upload", args=[client.pk]), {"photo": upload})
    assert response.status_code == 403


def test_photo_upload_needs_a_csrf_token(staff_a, org_a):
    client = f.make_client("Photo", "Person", organization=org_a)
    http = signed_in(staff_a, csrf=True)
    upload = SimpleUploadedFile("face.png", png_bytes(), content_type="image/png")
    response = http.post(reverse("clients:photo_upload", args=[client.pk]), {"photo": upload})
    assert response.status_code == 403


def test_profile_links_the_client_record_download_for_users_who_may_export(web_a, org_a):
    client = f.make_client("Rita", "Record", organization=org_a)
    url = reverse("client_rights:record", args=[client.pk])
    assert url not in web_a.get(reverse("clients:profile", args=[client.pk])).content.decode()
    admin = signed_in(f.make_user(org_a, "agency_admin"))
    page = admin.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert url in page and "Export everything held on this client" in page
    assert admin.post(url).status_code == 302  # to the page of the export's job


def test_search_shows_card_codes_grouped_as_printed_on_the_card(web_a, org_a):
    client = f.make_client("Gina", "Grouped", organization=org_a)
    code = generate_code()
    f.issue_card(client, code=code)
    page = web_a.get(reverse("clients:search"), {"q": "gina grouped"}).content.decode()
    assert format_code(code) in page and format_code(code) != code
