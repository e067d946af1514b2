"""Each report opens in Chromium with its charts and their tables, passes axe-core, breaks no
Content-Security-Policy rule, and fits a desktop and a tablet (screenshots in tests/browser/
artifacts; two of them are docs/screenshot-dashboard*.png)."""

import random
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.services.models import Service
from tests import factories as f
from tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
FIRST = ["Ana", "Ben", "Cruz", "Dee", "Eli", "Fay", "Gil", "Hana", "Ike", "Jo", "Kai", "Lee"]
RACE = ["White", "BlackAfAmerican", "HispanicLatinao", "AmIndAKNative", "Asian"]


@pytest.fixture
def agency():
    """A month of a day shelter: 48 clients, most a few times, some daily, a few new this week,
    visits and lunches, today's arrivals through the morning, a grant, and last year's month."""
    rng = random.Random(18)
    org = f.make_organization("Downtown Drop-In Center")
    admin = f.make_user(org, Role.AGENCY_ADMIN, username="lead", first_name="Lee", last_name="Ray")
    shelter = f.make_project(org, "Day Shelter")
    main = f.make_location(shelter, "Main Street Drop-In")
    visit, lunch = f.make_code("Day Shelter – Homeless Drop-In Centers"), f.make_code("Lunch")
    batch = f.make_batch(
        shelter,
        description="Day Shelter Visit + Lunch",
        codes=[(visit, 1), (lunch, 1)],
        performing_user=admin,
        location=main,
    )
    today = timezone.localdate()
    now = timezone.now()
    from hmis.hudcsv.models import ProjectRecord, ProjectRecordKind

    ProjectRecord.objects.create(
        kind=ProjectRecordKind.FUNDER,
        hud_id="F-ESG",
        project=shelter,
        data={"Funder": 8, "GrantID": "ESG-2026", "StartDate": f"{today.year - 1}-01-01"},
        created_at=now,
        updated_at=now,
    )
    services = []
    for n in range(48):
        client = f.make_client(
            FIRST[n % len(FIRST)],
            f"Guest{n:02d}",
            dob=today.replace(year=today.year - rng.choice([8, 19, 27, 36, 44, 52, 61, 70])),
            veteran_status=rng.choice([0, 0, 0, 1, 99]),
            hud_data={rng.choice(RACE): 1, "Sex": rng.choice([0, 1, 1, 99])},
        )
        enrollment = f.enroll(client, shelter, today - timedelta(days=400))
        regular = n % 6 == 0
        days = range(30) if regular else rng.sample(range(30), rng.choice([1, 1, 2, 3, 5, 8]))
        for back in days:
            day = today - timedelta(days=back)
            if not regular and day.weekday() == 6 and rng.random() < 0.7:
                continue
            entry = None
            if back == 0:
                at = datetime.combine(day, time(rng.choice([8, 8, 9, 9, 9, 10, 11, 12, 13])))
                entry = BatchEntry.objects.create(
                    batch=batch,
                    client=client,
                    enrollment=enrollment,
                    batch_date=day,
                    date_provided=day,
                    status=EntryStatus.POSTED,
                    added_by=admin,
                    added_at=timezone.make_aware(at),
                    posted_by=admin,
                    posted_at=now,
                )
            for code, units in ((visit, 1), (lunch, rng.choice([1, 1, 2]))):
                services.append(
                    Service(
                        client=client,
                        enrollment=enrollment,
                        service_code=code,
                        date_provided=day,
                        units=units,
                        project=shelter,
                        location=main,
                        batch_entry=entry,
                        provider=admin,
                    )
                )
        if n % 3 == 0:  # last year's same month: about a third as many
            day = today.replace(year=today.year - 1) - timedelta(days=rng.randrange(30))
            services.append(
                Service(
                    client=client,
                    enrollment=enrollment,
                    service_code=visit,
                    date_provided=day,
                    project=shelter,
                    location=main,
                    provider=admin,
                )
            )
    Service.objects.bulk_create(services)
    return batch


def _open(page, path):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(path)
    return violations


def test_dashboard_shows_its_charts_and_tables_at_desktop_and_tablet(new_page, agency):
    page = new_page()
    sign_in(page, "lead", f.PASSWORD)
    violations = _open(page, "/reports/dashboard/")

    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 5
    for title in [
        "Clients served today by hour",
        "Unduplicated clients per day",
        "New and returning clients",
        "Services and units by service",
        "Visits per client",
    ]:
        figure = page.locator(
            "section.report-figure", has=page.locator(f"svg title:text-matches('^{title}')")
        )
        assert figure.count() == 1, title
        assert figure.locator("table").count() == 1, title
    assert page.locator("svg.chart rect.rect").count() > 20  # bars drawn, not an empty frame
    assert_accessible(page)
    assert not violations and not page.js_errors
    page.screenshot(
        path=str(screenshot(page, "dashboard-1280").with_name("dashboard-1280-full.png")),
        full_page=True,
    )

    tablet = new_page(TABLET)
    sign_in(tablet, "lead", f.PASSWORD)
    tablet.goto("/reports/dashboard/?per=week")
    widths = tablet.evaluate(
        "[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().right)"
    )
    assert max(widths) <= TABLET["width"]
    assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    tablet.screenshot(
        path=str(screenshot(tablet, "dashboard-tablet").with_name("dashboard-tablet-full.png")),
        full_page=True,
    )


def test_every_other_report_opens_with_its_charts_or_tables(new_page, agency):
    page = new_page()
    sign_in(page, "lead", f.PASSWORD)
    today = timezone.localdate().isoformat()
    checks = [
        ("/reports/demographics/", 6, 6),
        (f"/reports/sign-in-sheet/?batch={agency.pk}&day={today}", 0, 1),
        ("/reports/funders/", 0, 1),
        ("/reports/data-quality/", 0, 1),
        ("/reports/", 0, 0),
    ]
    for path, charts, tables in checks:
        violations = _open(page, path)
        assert page.locator("svg.chart[role=img]").count() == charts, path
        assert page.locator("table").count() >= tables, path
        assert_accessible(page)
        assert not violations and not page.js_errors, path
        name = path.strip("/").split("/")[1] if path != "/reports/" else "index"
        screenshot(page, f"report-{name.split('?')[0] or 'index'}")
    page.goto("/reports/demographics/?shared=on")
    assert page.locator("td.suppressed").count() > 0


def test_reports_fit_a_phone(new_page, agency):
    from tests.browser.conftest import PHONE

    page = new_page(PHONE)
    sign_in(page, "lead", f.PASSWORD)
    for path in ("/reports/dashboard/", "/reports/demographics/", "/reports/data-quality/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_data_quality_lists_likely_duplicates_with_both_records(new_page, agency):
    from datetime import date

    org = agency.project.organization
    maria = f.make_client("Maria", "Lopez", dob=date(1990, 2, 3), organization=org)
    again = f.make_client("Maria", "Lopes", dob=date(1990, 2, 3), organization=org)
    page = new_page()
    sign_in(page, "lead", f.PASSWORD)

    violations = _open(page, "/reports/data-quality/")

    section = page.locator("section[aria-labelledby=dq-duplicates]")
    row = section.locator("tbody tr").filter(has_text="Lopez, Maria")
    assert row.count() == 1
    assert row.locator(f'a[href="/clients/{maria.pk}/"]').count() == 1
    assert row.locator(f'a[href="/clients/{again.pk}/"]').count() == 1
    assert "same birth date" in row.inner_text()
    assert_accessible(page)
    assert not violations and not page.js_errors
    section.scroll_into_view_if_needed()
    screenshot(page, "report-data-quality-duplicates")
    row.locator(f'a[href="/clients/{again.pk}/"]').click()
    page.wait_for_url(f"**/clients/{again.pk}/")


def test_a_long_period_csv_is_prepared_as_a_job_and_downloaded(new_page, agency, settings):
    from tests.jobs.helpers import run_queued_jobs

    settings.HMIS_REPORT_JOB_DAYS = 5
    page = new_page()
    sign_in(page, "lead", f.PASSWORD)
    page.goto("/reports/dashboard/")
    link = page.get_by_role("link", name="Download CSV (a long period: prepared as a job)")

    link.click()
    page.wait_for_url("**/jobs/*/")
    run_queued_jobs()
    download_link = page.get_by_role("link", name="Download dashboard-")
    download_link.wait_for(timeout=10_000)  # the status polling shows it when the job is done

    assert page.get_by_text("Program dashboard CSV: ready.").is_visible()
    assert_accessible(page)
    screenshot(page, "report-csv-job")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("dashboard-")
    with open(download.value.path(), encoding="utf-8") as file:
        text = file.read()
    assert text.startswith("Figure,Label,Value,Same period last year")
    assert "Unduplicated clients,Whole period," in text
