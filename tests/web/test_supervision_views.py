"""The supervisor's pages: bars (add, edit, end, list), client alerts on the desk's result line,
releases of information (record with a signed form, revoke) and who may use them."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.models import BatchEntry
from hmis.clients.access import can_see_full_record
from hmis.clients.models import Bar, ClientAlert, ReleaseOfInformation
from tests import factories as f
from tests.web.conftest import count_queries, signed_in

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def scan(http, batch, typed, key=""):
    day = today().isoformat()
    return http.post(
        reverse("batches:scan", args=[batch.pk]),
        {"scan_type": "card", "typed": typed, "batch_date": day, "date_provided": day, "key": key},
    )


@pytest.fixture
def supervisor(org_a):
    return f.make_user(org_a, Role.STAFF, can_manage_bars=True)


@pytest.fixture
def web_sup(supervisor):
    return signed_in(supervisor)


def bar_data(**fields) -> dict:
    return {
        "scope": "program",
        "start_date": today().isoformat(),
        "end_date": "",
        "reason": "Fighting in the dining room",
        "decided_by": "J. Doe, shelter manager",
        **fields,
    }


def test_staff_without_manage_bars_may_not_open_the_bar_pages(web_a, carded):
    client = carded("BARS0001")
    assert web_a.get(reverse("clients:bar_new", args=[client.pk])).status_code == 403
    assert web_a.get(reverse("clients:bar_list")).status_code == 403


def test_supervisor_adds_a_program_bar_and_the_desk_refuses_the_client(
    web_sup, desk_batch, carded, day_shelter, supervisor
):
    client = carded("BARS0002", "Rosa", "Diaz")
    url = reverse("clients:bar_new", args=[client.pk])
    answer = web_sup.post(url, bar_data(project=day_shelter.pk))
    assert answer.status_code == 302
    bar = Bar.objects.get(client=client)
    assert bar.project == day_shelter and bar.decided_by == "J. Doe, shelter manager"
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="clients.Bar")
    assert created.changes["reason"] == [None, "Fighting in the dining room"]
    page = scan(web_sup, desk_batch, "BARS0002").content.decode()
    assert "Not added" in page and "barred from program Day Shelter" in page


def test_a_scope_needs_its_choice(web_sup, carded):
    client = carded("BARS0003")
    page = web_sup.post(reverse("clients:bar_new", args=[client.pk]), bar_data()).content
    assert b"Choose one for this scope." in page
    assert not Bar.objects.exists()


def test_shower_bar_withholds_the_shower_on_the_result_line(web_sup, desk_batch, carded, meal_code):
    client = carded("BARS0004")
    web_sup.post(
        reverse("clients:bar_new", args=[client.pk]),
        bar_data(scope="service", service_code=meal_code.pk, reason="Took three"),
    )
    page = scan(web_sup, desk_batch, "BARS0004").content.decode()
    assert "Added" in page
    assert "Meal withheld: client is barred from service Meal indefinitely. Reason: Took three" in (
        page
    )


def test_ending_a_bar_lets_the_next_scan_add_the_client_and_is_audited(
    web_sup, desk_batch, carded, day_shelter, org_a
):
    client = carded("BARS0005")
    bar = f.bar(client, organization=org_a, project=day_shelter, start_date=date(2024, 1, 1))
    assert "Not added" in scan(web_sup, desk_batch, "BARS0005").content.decode()
    yesterday = (today() - timedelta(days=1)).isoformat()
    answer = web_sup.post(
        reverse("clients:bar_end", args=[bar.pk]), {"end_date": yesterday, "reason": "Apologised"}
    )
    assert answer.status_code == 302
    bar.refresh_from_db()
    assert bar.end_date.isoformat() == yesterday and bar.end_reason == "Apologised"
    ended = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(bar.pk))
    assert ended.changes["end_date"] == [None, yesterday]
    assert "Added" in scan(web_sup, desk_batch, "BARS0005").content.decode()
    assert BatchEntry.objects.filter(client=client).exists()


def test_editing_a_bar_audits_old_and_new_values(web_sup, carded, org_a, day_shelter):
    client = carded("BARS0006")
    bar = f.bar(client, organization=org_a, project=day_shelter, reason="Old reason")
    url = reverse("clients:bar_edit", args=[bar.pk])
    assert b"Old reason" in web_sup.get(url).content
    web_sup.post(url, bar_data(scope="organization", reason="New reason"))
    bar.refresh_from_db()
    assert bar.project is None and bar.reason == "New reason"
    edited = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(bar.pk))
    assert edited.changes["reason"] == ["Old reason", "New reason"]
    assert edited.changes["scope"][1].startswith("organization")


def test_bar_list_filters_by_status_and_scope(web_sup, carded, org_a, org_b, day_shelter):
    soon = f.bar(
        carded("LIST0001", "Soon", "Ending"),
        organization=org_a,
        project=day_shelter,
        end_date=today() + timedelta(days=3),
    )
    f.bar(carded("LIST0002", "Long", "Lasting"), organization=org_a)
    f.bar(
        carded("LIST0003", "Gone", "Expired"),
        organization=org_a,
        end_date=today() - timedelta(days=3),
    )
    f.bar(f.make_client("Other", "Agency"), organization=org_b)
    url = reverse("clients:bar_list")
    page = web_sup.get(url).content.decode()
    assert "Ending, Soon" in page and "Lasting, Long" in page
    assert "Expired, Gone" not in page and "Agency, Other" not in page
    page = web_sup.get(url, {"status": "ending_soon"}).content.decode()
    assert "Ending, Soon" in page and "Lasting, Long" not in page
    page = web_sup.get(url, {"status": "expired"}).content.decode()
    assert "Expired, Gone" in page and "Ending, Soon" not in page
    page = web_sup.get(url, {"scope": "program"}).content.decode()
    assert "Ending, Soon" in page and "Lasting, Long" not in page
    assert soon.pk


def alert_data(**fields) -> dict:
    return {
        "text": "Allergic to peanuts – check lunch",
        "priority": "high",
        "expires_on": (today() + timedelta(days=7)).isoformat(),
        **fields,
    }


def test_alert_shows_on_the_scan_line_in_words(web_sup, web_a, desk_batch, carded):
    client = carded("ALRT0001")
    web_sup.post(reverse("clients:alert_new", args=[client.pk]), alert_data())
    assert ClientAlert.objects.get(client=client).written_by is not None
    page = scan(web_a, desk_batch, "ALRT0001").content.decode()
    assert "High priority alert:</strong> Allergic to peanuts – check lunch" in page


def test_scan_station_sees_only_front_desk_alerts(web_sup, desk_batch, carded, station_a):
    client = carded("ALRT0002")
    web_sup.post(reverse("clients:alert_new", args=[client.pk]), alert_data(text="Case notes"))
    web_sup.post(
        reverse("clients:alert_new", args=[client.pk]),
        alert_data(text="Ask to see the case manager", front_desk="on", priority="normal"),
    )
    page = scan(signed_in(station_a), desk_batch, "ALRT0002", key="s-1").content.decode()
    assert "Ask to see the case manager" in page and "Case notes" not in page


def test_expired_and_removed_alerts_are_not_shown(web_sup, web_a, desk_batch, carded, org_a):
    client = carded("ALRT0003")
    ClientAlert.objects.create(
        client=client, organization=org_a, text="Old news", expires_on=today() - timedelta(days=1)
    )
    web_sup.post(reverse("clients:alert_new", args=[client.pk]), alert_data(text="Removed one"))
    alert = ClientAlert.objects.get(text="Removed one")
    web_sup.post(reverse("clients:alert_remove", args=[alert.pk]))
    page = scan(web_a, desk_batch, "ALRT0003").content.decode()
    assert "Old news" not in page and "Removed one" not in page


def test_another_organizations_alert_is_seen_only_when_shared(desk_batch, carded, org_b, staff_a):
    client = carded("ALRT0004")
    ClientAlert.objects.create(
        client=client, organization=org_b, text="B's private note", expires_on=today()
    )
    shared = ClientAlert.objects.create(
        client=client, organization=org_b, text="B shares this", expires_on=today()
    )
    shared.shared_with.add(staff_a.organization)
    page = scan(signed_in(staff_a), desk_batch, "ALRT0004").content.decode()
    assert "B shares this" in page and "B&#x27;s private note" not in page


def test_alerts_cost_the_scan_at_most_one_query(web_a, desk_batch, carded, org_a):
    carded("QRYS0001")
    carded("QRYS0002")
    without = count_queries(lambda: scan(web_a, desk_batch, "QRYS0001"))
    client = carded("QRYS0003")
    for n in range(3):
        ClientAlert.objects.create(
            client=client, organization=org_a, text=f"Note {n}", expires_on=today()
        )
    with_alerts = count_queries(lambda: scan(web_a, desk_batch, "QRYS0003"))
    assert with_alerts <= without + 1


def release_data(**fields) -> dict:
    return {
        "permission": "share",
        "start_date": today().isoformat(),
        "end_date": "",
        **fields,
    }


def test_a_release_with_one_organization_shares_with_it_alone(web_sup, carded, org_b, staff_b):
    client = carded("ROIS0001")
    third = f.make_organization("Agency C")
    outsider_c = f.make_user(third)
    assert not can_see_full_record(staff_b, client)
    form = SimpleUploadedFile("roi.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    answer = web_sup.post(
        reverse("clients:release_new", args=[client.pk]),
        release_data(shared_with=[org_b.pk], signed_form=form),
    )
    assert answer.status_code == 302
    release = ReleaseOfInformation.objects.get(client=client)
    assert not release.whole_continuum and list(release.shared_with.all()) == [org_b]
    assert can_see_full_record(staff_b, client)
    assert not can_see_full_record(outsider_c, client)
    download = signed_in(staff_b).get(reverse("clients:release_form", args=[release.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        signed_in(outsider_c).get(reverse("clients:release_form", args=[release.pk])).status_code
        == 404
    )
    web_sup.post(reverse("clients:release_revoke", args=[release.pk]), {"reason": "Withdrawn"})
    assert not can_see_full_record(staff_b, client)
    revoked = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(release.pk))
    assert revoked.changes["revoke_reason"] == ["", "Withdrawn"]


def test_a_signed_form_must_be_a_pdf_or_an_image(web_sup, carded):
    client = carded("ROIS0002")
    bad = SimpleUploadedFile("roi.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = web_sup.post(
        reverse("clients:release_new", args=[client.pk]),
        release_data(whole_continuum="on", signed_form=bad),
    ).content
    assert b"The signed form must be a PDF, JPEG or PNG file." in page
    assert not ReleaseOfInformation.objects.exists()


def test_profile_shows_the_supervisor_tools(web_sup, carded):
    client = carded("PROF0001")
    page = web_sup.get(reverse("clients:profile", args=[client.pk])).content.decode()
    for label in ("Add bar", "Add alert", "Record release"):
        assert label in page


def test_writing_and_removing_an_alert_is_audited(web_sup, carded):
    client = carded("ALRT0009")
    web_sup.post(reverse("clients:alert_new", args=[client.pk]), alert_data(text="Check lunch"))
    alert = ClientAlert.objects.get(client=client)
    written = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(alert.pk))
    assert written.changes["text"] == [None, "Check lunch"]
    web_sup.post(reverse("clients:alert_remove", args=[alert.pk]))
    removed = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(alert.pk))
    assert removed.changes["ended_at"][0] is None


def test_another_organization_cannot_remove_our_alert(carded, staff_b, org_a):
    client = carded("ALRT0010")
    alert = ClientAlert.objects.create(
        client=client, organization=org_a, text="Ours", expires_on=today()
    )
    admin_b = signed_in(f.make_user(staff_b.organization, Role.AGENCY_ADMIN))
    assert admin_b.post(reverse("clients:alert_remove", args=[alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert alert.ended_at is None
