from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hmis.batches.models import EntryStatus
from hmis.services.models import Service
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db


def test_command_posts_the_batch_and_reports(batch, staff_a):
    entries = add_enrolled(batch, staff_a, n=2)
    out = StringIO()
    call_command("post_batch", str(batch.pk), "--user", "staff_a", stdout=out)
    assert "2 entries posted, 2 services created, 0 left pending." in out.getvalue()
    assert Service.objects.count() == 2
    entries[0].refresh_from_db()
    assert entries[0].status == EntryStatus.POSTED


def test_command_refuses_another_organizations_batch(batch, staff_b):
    with pytest.raises(CommandError, match="No batch"):
        call_command("post_batch", str(batch.pk), "--user", "staff_b")


def test_command_refuses_a_read_only_user(batch, readonly_a):
    with pytest.raises(CommandError, match="may not post"):
        call_command("post_batch", str(batch.pk), "--user", "readonly_a")


def test_command_refuses_a_bad_date(batch, staff_a):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("post_batch", str(batch.pk), "--user", "staff_a", "--date", "11/25/2026")
