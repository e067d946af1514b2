"""API tokens: a deactivated user's token stops working at once."""

from hmis.api.tokens import create_api_token


def test_deactivated_users_token_is_refused(client, staff_a, batch):
    _, secret = create_api_token(user=staff_a, name="kiosk")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(f"/api/batches/{batch.pk}", **headers).status_code == 200

    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])
    response = client.get(f"/api/batches/{batch.pk}", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_api_answers_carry_the_browser_protections(client, staff_a, batch):
    _, secret = create_api_token(user=staff_a, name="kiosk")
    response = client.get(f"/api/batches/{batch.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
