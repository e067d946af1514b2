"""Every existing page passes axe-core with no serious or critical violation."""

import pytest

from tests import factories as f
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_batch_pages_pass_axe(new_page):
    org = f.make_organization("Hope Center")
    staff = f.make_user(org, username="jdoe")
    shelter = f.make_project(org, "Day Shelter")
    batch = f.make_batch(shelter, performing_user=staff, description="Lunch")
    page = new_page()
    page.goto("/")
    assert_accessible(page)
    sign_in(page, "jdoe", f.PASSWORD)
    for path in ["/batches/", f"/batches/{batch.pk}/add/", f"/batches/{batch.pk}/edit/"]:
        page.goto(path)
        assert_accessible(page)
