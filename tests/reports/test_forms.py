"""The reports' filters (hmis/reports/forms.py): default dates, bounds, own organization only."""

from datetime import date

import pytest

from hmis.reports.forms import AttendanceForm, ServicesForm
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_no_dates_means_the_last_30_days(staff_a):
    form = ServicesForm({"group_by": "month"}, user=staff_a)

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == (
        date(2026, 2, 9),
        date(2026, 3, 10),
    )


def test_an_end_date_alone_means_the_30_days_up_to_it(staff_a):
    form = AttendanceForm({"end": "2025-12-31"}, user=staff_a)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == date(2025, 12, 2)


def test_a_bad_end_date_is_explained(staff_a):
    form = AttendanceForm({"end": "31/12/2025"}, user=staff_a)

    assert not form.is_valid()
    assert "end" in form.errors


def test_monthly_range_is_bounded_to_five_years(staff_a):
    form = ServicesForm(
        {"start": "2018-01-01", "end": "2026-03-10", "group_by": "month"}, user=staff_a
    )

    assert not form.is_valid()
    assert "at most 1830 days" in str(form.errors)


def test_only_the_users_organization_is_offered(staff_a, staff_b, day_shelter, batch):
    f.make_project(staff_b.organization, "Outsider program")

    form = AttendanceForm({}, user=staff_a)

    assert [p.name for p in form.fields["project"].queryset] == ["Day Shelter"]
    assert list(form.fields["batch"].queryset) == [batch]
    assert not AttendanceForm({}, user=staff_b).fields["batch"].queryset.exists()
