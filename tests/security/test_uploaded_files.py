"""Finding 7: client photos are served only through the view that checks the user may see the
client, in every mode (DEBUG=1, the default of `make run`, included)."""

import importlib

import pytest
from django.urls import clear_url_caches

import hmis.urls

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"photo-of-a-client" + b"\xff\xd9"


@pytest.fixture
def urls_built_with_debug(settings):
    """The URL patterns as a server started with DEBUG=1 builds them."""
    settings.DEBUG = True
    importlib.reload(hmis.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(hmis.urls)
    clear_url_caches()


@pytest.fixture
def stored_photo(settings, client_a):
    folder = settings.MEDIA_ROOT / "client-photos"
    folder.mkdir(parents=True)
    (folder / "client.jpg").write_bytes(JPEG)
    client_a.photo = "client-photos/client.jpg"
    client_a.save(update_fields=["photo"])
    return client_a


@pytest.mark.parametrize("persona", [None, "staff_b"])
def test_a_photo_file_is_not_served_by_its_storage_path_even_with_debug(
    client, urls_built_with_debug, stored_photo, persona, request
):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get("/media/client-photos/client.jpg")

    assert response.status_code == 404
    assert JPEG not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_photo_view_serves_it_to_staff_who_may_see_the_client(
    client, urls_built_with_debug, stored_photo, staff_a, staff_b
):
    client.force_login(staff_b)
    assert client.get(f"/clients/{stored_photo.pk}/photo/").status_code == 404
    client.force_login(staff_a)
    response = client.get(f"/clients/{stored_photo.pk}/photo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
