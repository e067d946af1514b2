"""The nightly export writes each organization's files once per day and keeps them a set time."""

from datetime import date, timedelta

import pytest

from hmis.schedules.nightly_export import export_organizations, organization_folder
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.HMIS_NIGHTLY_EXPORT_DIR = tmp_path / "exports"
    settings.HMIS_NIGHTLY_EXPORT_DAYS = 3


def test_each_organization_gets_its_day_once(org_a, org_b, day_shelter):
    f.enroll(f.make_client(organization=org_a), day_shelter, entry_date=date(2025, 3, 1))
    day = date(2025, 3, 10)

    first = export_organizations(day=day)
    second = export_organizations(day=day)

    folder = organization_folder(org_a)
    assert sorted(p.name for p in folder.iterdir()) == [
        "2025-03-10-hud-csv.zip",
        "2025-03-10-services.csv",
    ]
    assert len(first["written"]) == 4  # two organizations, two files each
    assert second["written"] == []
    assert (folder / "2025-03-10-services.csv").read_text().startswith("ServiceID,")


def test_exports_older_than_the_retention_are_removed(org_a):
    folder = organization_folder(org_a)
    start = date(2025, 3, 1)
    for n in range(5):
        export_organizations(day=start + timedelta(days=n))

    assert sorted({p.name[:10] for p in folder.iterdir()}) == [
        "2025-03-03",
        "2025-03-04",
        "2025-03-05",
    ]


def test_the_nightly_export_can_be_turned_off(settings, org_a):
    settings.HMIS_NIGHTLY_EXPORT = False
    assert export_organizations(day=date(2025, 3, 1)) == {"skipped": "HMIS_NIGHTLY_EXPORT is off"}
    assert not list(organization_folder(org_a).iterdir())
