"""The Batch Services pages: list, batch form, the desk, posting, history, Enroll client."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.audit.models import AuditEvent
from hmis.batches.adding import add_client_to_batch
from hmis.batches.models import BatchEntry, EntryStatus, EntryUnits, ScanOutcome, ServiceBatch
from hmis.batches.posting import post_batch
from hmis.batches.views import PAGE_SIZE
from hmis.clients.cards import format_code, generate_code
from hmis.clients.models import Client, Enrollment
from hmis.services.models import ServiceGroup
from tests import factories as f
from tests.web.conftest import count_queries, signed_in

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def scan_data(typed, *, scan_type="card", key="", day=None, **extra):
    day = (day or today()).isoformat()
    return {
        "scan_type": scan_type,
        "typed": typed,
        "batch_date": day,
        "date_provided": day,
        "key": key,
        **extra,
    }


def scan(http, batch, typed, **kwargs):
    return http.post(reverse("batches:scan", args=[batch.pk]), scan_data(typed, **kwargs))


# ---- list ------------------------------------------------------------------------------------


def test_list_shows_the_organizations_batches_with_codes_and_pending_count(
    web_a, desk_batch, carded, staff_a, org_b
):
    client = carded("LIST0001")
    add_client_to_batch(
        batch=desk_batch, client=client, user=staff_a, batch_date=today(), date_provided=today()
    )
    other = f.make_batch(f.make_project(org_b), description="Other agency batch")
    page = web_a.get(reverse("batches:list")).content.decode()
    assert "Drop-in visit and meals" in page
    assert "Meal × 2" in page
    assert "Add Clients to Batch" in page and "Post Services" in page and "History" in page
    assert other.description not in page
    row = page[page.index("Drop-in visit and meals") :]
    assert '<td class="num">1</td>' in row


def test_list_query_count_does_not_grow_with_batches(
    web_a, day_shelter, staff_a, django_assert_num_queries
):
    def make(n):
        for _ in range(n):
            f.make_batch(day_shelter, performing_user=staff_a)

    make(3)
    few = count_queries(lambda: web_a.get(reverse("batches:list")))
    make(9)
    with django_assert_num_queries(few):
        web_a.get(reverse("batches:list"))


def test_list_is_paginated(web_a, day_shelter, staff_a):
    for n in range(PAGE_SIZE + 2):
        f.make_batch(day_shelter, performing_user=staff_a, description=f"Batch {n:03d}")
    first = web_a.get(reverse("batches:list")).content.decode()
    assert "Batch 000" in first and f"Batch {PAGE_SIZE + 1:03d}" not in first
    assert "Page 1 of 2" in first


def test_read_only_user_sees_the_list_without_desk_or_edit_actions(readonly_a, desk_batch):
    page = signed_in(readonly_a).get(reverse("batches:list")).content.decode()
    assert "Drop-in visit and meals" in page
    assert "Add Clients to Batch" not in page and ">Edit<" not in page
    assert (
        signed_in(readonly_a).get(reverse("batches:desk", args=[desk_batch.pk])).status_code == 403
    )


# ---- batch form ---------------------------------------------------------------------------


def batch_post(project, codes, **overrides):
    data = {
        "description": "Lunch",
        "auto_post": "",
        "performing_user": overrides.pop("performing_user"),
        "default_comments": "Served at noon",
        "project": project.pk,
        "location": "",
        "codes-TOTAL_FORMS": str(len(codes)),
        "codes-INITIAL_FORMS": "0",
        "codes-MIN_NUM_FORMS": "0",
        "codes-MAX_NUM_FORMS": "1000",
    }
    for n, (code_id, units) in enumerate(codes):
        data[f"codes-{n}-service_code"] = code_id
        data[f"codes-{n}-units"] = units
    data.update(overrides)
    return data


def test_new_batch_is_saved_with_its_service_codes_and_audited(
    web_a, day_shelter, staff_a, visit_code, meal_code
):
    location = f.make_location(day_shelter, "Main Street")
    response = web_a.post(
        reverse("batches:create"),
        batch_post(
            day_shelter,
            [(visit_code.pk, 1), (meal_code.pk, 2)],
            performing_user=staff_a.pk,
            location=location.pk,
        ),
    )
    assert response.status_code == 302
    batch = ServiceBatch.objects.get(description="Lunch")
    assert batch.location == location and batch.created_by == staff_a
    assert [(r.service_code, r.units) for r in batch.service_codes.all()] == [
        (visit_code, 1),
        (meal_code, 2),
    ]
    assert AuditEvent.objects.filter(object_type="batches.ServiceBatch", action="create").exists()


def test_batch_form_shows_errors_beside_fields(web_a, day_shelter, staff_a, visit_code):
    other_program = f.make_project(day_shelter.organization, "Outreach")
    elsewhere = f.make_location(other_program, "Van")
    data = batch_post(
        day_shelter,
        [(visit_code.pk, 1), (visit_code.pk, 0)],
        performing_user=staff_a.pk,
        description="",
        location=elsewhere.pk,
    )
    page = web_a.post(reverse("batches:create"), data).content.decode()
    assert "This field is required." in page
    assert "Select a valid choice" in page  # Van is not a location of Day Shelter
    assert "Ensure this value is greater than or equal to 1." in page
    assert not ServiceBatch.objects.filter(description="").exists()


def test_batch_form_refuses_a_code_listed_twice_and_an_empty_code_list(
    web_a, day_shelter, staff_a, visit_code
):
    twice = batch_post(
        day_shelter, [(visit_code.pk, 1), (visit_code.pk, 2)], performing_user=staff_a.pk
    )
    assert "listed twice" in web_a.post(reverse("batches:create"), twice).content.decode()
    none = batch_post(day_shelter, [], performing_user=staff_a.pk)
    assert (
        "Add at least one service code."
        in web_a.post(reverse("batches:create"), none).content.decode()
    )
    assert not ServiceBatch.objects.filter(description="Lunch").exists()


def test_batch_form_refuses_another_agencys_program_and_codes(web_a, staff_a, org_b, day_shelter):
    their_program = f.make_project(org_b, "Their shelter")
    their_code = f.make_code(
        "Their meal", group=ServiceGroup.objects.create(name="B", organization=org_b)
    )
    data = batch_post(their_program, [(their_code.pk, 1)], performing_user=staff_a.pk)
    page = web_a.post(reverse("batches:create"), data).content.decode()
    assert page.count("Select a valid choice") >= 1
    assert "Choose a service with Find Service Provided." in page or "Select a valid choice" in page
    assert not ServiceBatch.objects.filter(description="Lunch").exists()


def test_editing_a_batch_replaces_its_codes(web_a, desk_batch, staff_a, visit_code):
    form = web_a.get(reverse("batches:edit", args=[desk_batch.pk])).content.decode()
    assert "Drop-in visit and meals" in form and "Meal" in form
    data = batch_post(
        desk_batch.project, [(visit_code.pk, 3)], performing_user=staff_a.pk, description="Visit"
    )
    web_a.post(reverse("batches:edit", args=[desk_batch.pk]), data)
    desk_batch.refresh_from_db()
    assert desk_batch.description == "Visit"
    assert [(r.service_code, r.units) for r in desk_batch.service_codes.all()] == [(visit_code, 3)]


def test_location_choices_follow_the_program(web_a, day_shelter, org_b):
    f.make_location(day_shelter, "Main Street")
    f.make_location(f.make_project(org_b), "Not ours")
    page = web_a.get(reverse("batches:location_options"), {"project": day_shelter.pk}).content
    assert b"Main Street" in page and b"Not ours" not in page


def test_deactivating_hides_the_batch_from_the_list(web_a, desk_batch):
    web_a.post(reverse("batches:deactivate", args=[desk_batch.pk]))
    desk_batch.refresh_from_db()
    assert desk_batch.active is False
    label = "Actions for Drop-in visit and meals"
    assert label not in web_a.get(reverse("batches:list")).content.decode()
    assert label in web_a.get(reverse("batches:list") + "?show=inactive").content.decode()


# ---- the desk --------------------------------------------------------------------------------


def test_desk_defaults_both_dates_to_today_and_keeps_back_dates_from_the_url(web_a, desk_batch):
    url = reverse("batches:desk", args=[desk_batch.pk])
    page = web_a.get(url).content.decode()
    assert f'value="{today().isoformat()}"' in page
    assert "Batch and Service Information" in page and "Scan Card ID" in page
    back = (today() - timedelta(days=3)).isoformat()
    page = web_a.get(url, {"batch_date": back, "date_provided": back}).content.decode()
    assert page.count(f'value="{back}"') >= 2
    assert "Back-dated" in page


def test_desk_offers_post_services_only_when_the_batch_does_not_post_itself(web_a, desk_batch):
    url = reverse("batches:desk", args=[desk_batch.pk])
    assert "Post Services" in web_a.get(url).content.decode()
    desk_batch.auto_post = True
    desk_batch.save()
    assert ">Post Services<" not in web_a.get(url).content.decode()


def test_scan_adds_the_client_and_shows_name_and_outcome(web_a, desk_batch, carded):
    client = carded("SCAN0001", "Maria", "Lopez")
    page = scan(web_a, desk_batch, "SCAN0001", key="k-1").content.decode()
    assert "Maria Lopez" in page and "Added" in page and 'data-ok="1"' in page
    assert BatchEntry.objects.get(batch=desk_batch, client=client).status == EntryStatus.PENDING


def test_scan_result_shows_the_clients_photo_when_on_file(
    web_a, desk_batch, carded, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    client = carded("PHOTO001")
    client.photo = "client-photos/face.png"
    client.save()
    page = scan(web_a, desk_batch, "PHOTO001").content.decode()
    assert reverse("clients:photo", args=[client.pk]) in page


def test_a_repeated_key_is_answered_with_the_first_result_and_recorded_once(
    web_a, desk_batch, carded
):
    carded("KEY00001")
    first = scan(web_a, desk_batch, "KEY00001", key="same-key").content.decode()
    again = scan(web_a, desk_batch, "KEY00001", key="same-key").content.decode()
    assert "Added" in first and "Added" in again and "repeated request" in again
    assert BatchEntry.objects.filter(batch=desk_batch).count() == 1
    assert ScanOutcome.objects.filter(key="same-key").count() == 1


def test_a_second_read_of_a_card_says_already_added(web_a, desk_batch, carded):
    carded("TWICE001")
    scan(web_a, desk_batch, "TWICE001", key="a")
    page = scan(web_a, desk_batch, "TWICE001", key="b").content.decode()
    assert "Already added today" in page and "result--warn" in page
    assert BatchEntry.objects.filter(batch=desk_batch).count() == 1


def test_unknown_card_is_refused_naming_what_was_scanned(web_a, desk_batch):
    page = scan(web_a, desk_batch, "NOPE0001").content.decode()
    assert "NOPE0001" in page and 'data-ok="0"' in page and "result--error" in page


def test_unenrolled_client_gets_the_seed_error_and_an_enroll_client_action(
    web_a, desk_batch, org_a
):
    client = f.make_client("Tom", "Baker", organization=org_a)
    f.issue_card(client, code="NEW00001")
    page = scan(web_a, desk_batch, "NEW00001").content.decode()
    assert "ERROR: Enrollment is a Required Field." in page
    assert reverse("batches:enroll", args=[desk_batch.pk]) + "?card=NEW00001" in page


def test_bar_override_is_offered_only_to_users_who_may_override(
    web_a, staff_a, desk_batch, carded, org_a, day_shelter
):
    client = carded("BAR00001", "Vic", "Stone")
    f.bar(client, organization=org_a, project=day_shelter)
    page = scan(web_a, desk_batch, "BAR00001").content.decode()
    assert "ERROR: Client is barred from program Day Shelter" in page
    assert "Override bar and add" not in page
    staff_a.can_override_bars = True
    staff_a.save()
    page = scan(web_a, desk_batch, "BAR00001").content.decode()
    assert "Override bar and add" in page and 'name="bar_override_reason"' in page
    page = scan(
        web_a,
        desk_batch,
        str(client.pk),
        scan_type="client_id",
        bar_override_reason="Supervisor agreed",
    ).content.decode()
    assert "Added" in page
    entry = BatchEntry.objects.get(batch=desk_batch, client=client)
    assert entry.bar_override_reason == "Supervisor agreed"


def test_scan_with_unreadable_dates_is_refused_with_a_message(web_a, desk_batch, carded):
    carded("DATE0001")
    page = scan(web_a, desk_batch, "DATE0001", batch_date="tomorrow-ish").content.decode()
    assert "ERROR: Batch Date" in page
    assert not BatchEntry.objects.exists()


def test_candidates_search_clients_the_user_may_see(web_a, desk_batch, org_a, org_b):
    ours = f.make_client("Rosa", "Rivera", organization=org_a)
    f.make_client("Rosa", "Riverside", organization=org_b)
    page = web_a.get(reverse("batches:candidates", args=[desk_batch.pk]), {"typed": "rosa"})
    text = page.content.decode()
    assert "Rivera, Rosa" in text and "Riverside" not in text
    assert f"Client ID {ours.pk}" in text and "05/17/1980" in text and "No card" in text


def test_candidates_show_card_codes_grouped_as_printed_on_the_card(web_a, desk_batch, org_a):
    client = f.make_client("Gina", "Grouped", organization=org_a)
    code = generate_code()
    f.issue_card(client, code=code)
    page = web_a.get(reverse("batches:candidates", args=[desk_batch.pk]), {"typed": "gina"})
    assert f"Card {format_code(code)}" in page.content.decode()


def test_candidates_query_count_does_not_grow_with_matches(
    web_a, desk_batch, org_a, django_assert_num_queries
):
    url = reverse("batches:candidates", args=[desk_batch.pk])
    for n in range(2):
        f.issue_card(f.make_client("Rosa", f"Many{n}", organization=org_a))
    few = count_queries(lambda: web_a.get(url, {"typed": "rosa"}))
    for n in range(2, 8):
        f.issue_card(f.make_client("Rosa", f"Many{n}", organization=org_a))
    with django_assert_num_queries(few):
        web_a.get(url, {"typed": "rosa"})


def test_scan_station_uses_only_its_batch_desk_by_card(station_a, desk_batch, carded, day_shelter):
    carded("STAT0001", "Ana", "Silva")
    http = signed_in(station_a)
    page = http.get(reverse("batches:desk", args=[desk_batch.pk])).content.decode()
    assert (
        "Scan Card ID" in page and 'id="scan-client"' not in page and "Recent clients" not in page
    )
    assert "Added" in scan(http, desk_batch, "STAT0001").content.decode()
    refused = scan(http, desk_batch, "1", scan_type="client_id").content.decode()
    assert "Scan Card ID only" in refused
    assert (
        http.get(reverse("batches:candidates", args=[desk_batch.pk]), {"typed": "a"}).status_code
        == 403
    )
    assert http.get(reverse("batches:recent", args=[desk_batch.pk])).status_code == 403
    assert http.get(reverse("clients:search")).status_code == 403
    assert http.get(reverse("batches:list")).status_code == 403
    unassigned = f.make_batch(day_shelter, description="Not this station's")
    assert http.get(reverse("batches:desk", args=[unassigned.pk])).status_code == 404


def test_entry_list_removes_a_pending_entry_and_changes_its_units(
    web_a, desk_batch, carded, meal_code
):
    carded("ENTR0001", "Maria", "Lopez")
    scan(web_a, desk_batch, "ENTR0001")
    entry = BatchEntry.objects.get(batch=desk_batch)
    day = {"batch_date": today().isoformat(), "date_provided": today().isoformat()}
    page = web_a.post(
        reverse("batches:entry_units", args=[desk_batch.pk, entry.pk]),
        {
            **day,
            f"code_{meal_code.pk}": "3",
            f"code_{desk_batch.service_codes.first().service_code_id}": "1",
        },
    ).content.decode()
    assert EntryUnits.objects.get(entry=entry, service_code=meal_code).units == 3
    assert "Pending: 1" in page
    page = web_a.post(
        reverse("batches:entry_units", args=[desk_batch.pk, entry.pk]),
        {**day, f"code_{meal_code.pk}": "0"},
    ).content.decode()
    assert "Units must be a whole number" in page
    page = web_a.post(
        reverse("batches:entry_remove", args=[desk_batch.pk, entry.pk]), day
    ).content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED
    assert "Pending: 0" in page


def test_a_posted_entry_cannot_be_removed(web_a, desk_batch, carded, staff_a):
    carded("POST0001")
    scan(web_a, desk_batch, "POST0001")
    post_batch(batch=desk_batch, user=staff_a)
    entry = BatchEntry.objects.get(batch=desk_batch)
    page = web_a.post(
        reverse("batches:entry_remove", args=[desk_batch.pk, entry.pk])
    ).content.decode()
    assert "Only a pending entry can be removed" in page
    entry.refresh_from_db()
    assert entry.status == EntryStatus.POSTED


def test_entry_list_query_count_does_not_grow_with_entries(
    web_a, desk_batch, carded, staff_a, django_assert_num_queries
):
    url = reverse("batches:entries", args=[desk_batch.pk])

    def add(codes):
        for code in codes:
            client = carded(code)
            add_client_to_batch(
                batch=desk_batch,
                client=client,
                user=staff_a,
                batch_date=today(),
                date_provided=today(),
            )

    add([f"QC{n:06d}" for n in range(3)])
    few = count_queries(lambda: web_a.get(url))
    add([f"QC{n:06d}" for n in range(3, 12)])
    with django_assert_num_queries(few):
        page = web_a.get(url).content.decode()
    assert "Pending: 12" in page


def test_recent_clients_lists_last_weeks_clients_not_yet_added(web_a, desk_batch, carded, staff_a):
    regular = carded("RECE0001", "Regular", "Visitor")
    already = carded("RECE0002", "Already", "Here")
    yesterday = today() - timedelta(days=1)
    for client in (regular, already):
        add_client_to_batch(
            batch=desk_batch,
            client=client,
            user=staff_a,
            batch_date=yesterday,
            date_provided=yesterday,
        )
    add_client_to_batch(
        batch=desk_batch, client=already, user=staff_a, batch_date=today(), date_provided=today()
    )
    page = web_a.get(reverse("batches:recent", args=[desk_batch.pk])).content.decode()
    assert "Visitor, Regular" in page and "Here, Already" not in page
    assert "Add" in page


def test_post_services_lists_posted_and_left_pending_entries(web_a, desk_batch, carded, staff_a):
    stays = carded("POST0002", "Gone", "Away")
    posts = carded("POST0003", "Still", "Here")
    for client in (stays, posts):
        add_client_to_batch(
            batch=desk_batch, client=client, user=staff_a, batch_date=today(), date_provided=today()
        )
    Enrollment.objects.filter(client=stays).update(exit_date=date(2024, 1, 1))
    Enrollment.objects.filter(client=stays).update(entry_date=date(2023, 1, 1))
    response = web_a.post(
        reverse("batches:post", args=[desk_batch.pk]),
        {"batch_date": today().isoformat(), "date_provided": today().isoformat()},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "1 posted" in page and "1 left pending" in page
    assert "Here, Still" in page and "Away, Gone" in page
    assert "ERROR: Enrollment is a Required Field." in page


def test_post_services_on_the_desk_refreshes_the_clients_added_list_at_once(
    web_a, desk_batch, carded, staff_a
):
    client = carded("POST0004")
    add_client_to_batch(
        batch=desk_batch, client=client, user=staff_a, batch_date=today(), date_provided=today()
    )
    response = web_a.post(
        reverse("batches:post", args=[desk_batch.pk]),
        {"batch_date": today().isoformat(), "date_provided": today().isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert "1 posted" in response.content.decode()
    # Without it the list beside the result keeps saying "Pending" until its next poll.
    assert "hmis:refresh" in json.loads(response["HX-Trigger"])


def test_history_lists_dates_and_drills_into_one(web_a, desk_batch, carded, staff_a):
    client = carded("HIST0001", "Maria", "Lopez")
    day = today() - timedelta(days=2)
    add_client_to_batch(
        batch=desk_batch, client=client, user=staff_a, batch_date=day, date_provided=day
    )
    post_batch(batch=desk_batch, user=staff_a)
    page = web_a.get(reverse("batches:history", args=[desk_batch.pk])).content.decode()
    assert day.strftime("%m/%d/%Y") in page
    assert '<td class="num">2</td>' in page  # two services posted (visit, meal)
    page = web_a.get(reverse("batches:history_day", args=[desk_batch.pk, day])).content.decode()
    assert "Lopez, Maria" in page and "Meal × 2" in page and "Posted" in page


# ---- Enroll client ---------------------------------------------------------------------------


def test_enroll_client_enrolls_the_scanned_client_and_adds_them(web_a, desk_batch, org_a):
    client = f.make_client("Tom", "Baker", organization=org_a)
    f.issue_card(client, code="ENRO0001")
    back = today() - timedelta(days=1)
    url = reverse("batches:enroll", args=[desk_batch.pk])
    query = {"card": "ENRO0001", "batch_date": back.isoformat(), "date_provided": back.isoformat()}
    form = web_a.get(url, query).content.decode()
    assert "Existing client: Tom Baker" in form and f'value="{back.isoformat()}"' in form
    response = web_a.post(url, {**query, "who": "existing", "entry_date": back.isoformat()})
    assert response.status_code == 302
    assert f"date_provided={back.isoformat()}" in response["Location"]
    enrollment = Enrollment.objects.get(client=client, project=desk_batch.project)
    assert enrollment.entry_date == back
    assert BatchEntry.objects.get(batch=desk_batch, client=client).date_provided == back


HUD_ANSWERS = {
    "name_data_quality": "1",
    "ssn_data_quality": "99",
    "dob_data_quality": "99",
    "race_none": "9",
    "sex": "0",
    "veteran_status": "0",
}


def test_enroll_client_can_make_a_new_client(web_a, desk_batch):
    url = reverse("batches:enroll", args=[desk_batch.pk])
    day = today().isoformat()
    dates = {"entry_date": day, "batch_date": day, "date_provided": day}
    page = web_a.post(url, {"who": "new", **HUD_ANSWERS, **dates})
    assert "Enter the first and last name" in page.content.decode()
    web_a.post(
        url, {"who": "new", "first_name": "Nia", "last_name": "Cole", **HUD_ANSWERS, **dates}
    )
    entry = BatchEntry.objects.get(batch=desk_batch)
    assert entry.client.full_name == "Nia Cole"
    assert entry.client.organization == desk_batch.organization
    assert entry.client.hud_data["RaceNone"] == 9 and entry.client.hud_data["Sex"] == 0


def test_unknown_card_offers_new_client_but_a_misread_one_does_not(web_a, desk_batch):
    code = generate_code()
    page = scan(web_a, desk_batch, code).content.decode()
    assert reverse("batches:enroll", args=[desk_batch.pk]) + f"?card={code}" in page
    assert "New client" in page
    assert "New client" not in scan(web_a, desk_batch, "NOPE0002").content.decode()


def test_name_search_with_no_match_offers_new_client_with_the_name(web_a, desk_batch):
    page = web_a.get(
        reverse("batches:candidates", args=[desk_batch.pk]),
        {"typed": "Ada Quill", "date_provided": "2025-03-03", "batch_date": "2025-03-03"},
    ).content.decode()
    assert "No client found" in page
    assert "?name=Ada%20Quill&amp;batch_date=2025-03-03&amp;date_provided=2025-03-03" in page


def test_desk_new_client_offers_a_duplicate_and_can_use_it(web_a, desk_batch, org_a):
    existing = f.make_client("Tom", "Baker", organization=org_a)
    url = reverse("batches:enroll", args=[desk_batch.pk])
    day = today().isoformat()
    answers = {"who": "new", "first_name": "Tom", "last_name": "Bakre", **HUD_ANSWERS}
    dates = {"entry_date": day, "batch_date": day, "date_provided": day}
    page = web_a.post(url, {**answers, **dates}).content.decode()
    assert "Possible duplicates" in page and "Use this client: Tom Baker" in page
    assert not BatchEntry.objects.exists()
    web_a.post(url, {**answers, **dates, "use": existing.pk})
    assert BatchEntry.objects.get(batch=desk_batch).client == existing
    assert Client.objects.count() == 1


def test_desk_new_client_declining_the_duplicates_creates_and_adds(web_a, desk_batch, org_a):
    f.make_client("Tom", "Baker", organization=org_a)
    url = reverse("batches:enroll", args=[desk_batch.pk])
    day = today().isoformat()
    answers = {"who": "new", "first_name": "Tom", "last_name": "Bakre", **HUD_ANSWERS}
    dates = {"entry_date": day, "batch_date": day, "date_provided": day}
    page = web_a.post(url, {**answers, **dates}).content.decode()
    fingerprint = page.split('name="confirm_new" value="')[1].split('"')[0]
    response = web_a.post(url, {**answers, **dates, "confirm_new": fingerprint})
    assert response.status_code == 302
    entry = BatchEntry.objects.get(batch=desk_batch)
    assert entry.client.last_name == "Bakre" and entry.enrollment.project == desk_batch.project


def test_enroll_client_does_not_reach_a_client_hidden_from_the_user(web_a, desk_batch, org_b):
    hidden = f.make_client("Hidden", "Person", organization=org_b)
    form = web_a.get(reverse("batches:enroll", args=[desk_batch.pk]), {"client": hidden.pk})
    assert "Hidden Person" not in form.content.decode()


# ---- outsiders and CSRF ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("batches:edit", "get"),
        ("batches:desk", "get"),
        ("batches:entries", "get"),
        ("batches:candidates", "get"),
        ("batches:recent", "get"),
        ("batches:history", "get"),
        ("batches:enroll", "get"),
        ("batches:scan", "post"),
        ("batches:post", "post"),
        ("batches:deactivate", "post"),
    ],
)
def test_outsider_gets_404_on_another_agencys_batch(web_b, desk_batch, name, method):
    response = getattr(web_b, method)(reverse(name, args=[desk_batch.pk]), scan_data("X"))
    assert response.status_code == 404


def test_outsider_cannot_touch_another_agencys_entries(web_b, web_a, desk_batch, carded):
    carded("OUTS0001")
    scan(web_a, desk_batch, "OUTS0001")
    entry = BatchEntry.objects.get(batch=desk_batch)
    assert (
        web_b.post(reverse("batches:entry_remove", args=[desk_batch.pk, entry.pk])).status_code
        == 404
    )
    own = f.make_batch(f.make_project(f.make_organization()), description="B's own")
    assert web_b.post(reverse("batches:entry_remove", args=[own.pk, entry.pk])).status_code in (
        403,
        404,
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_desk_posts_need_a_csrf_token(staff_a, desk_batch, carded):
    carded("CSRF0001")
    http = signed_in(staff_a, csrf=True)
    assert scan(http, desk_batch, "CSRF0001").status_code == 403
    assert http.post(reverse("batches:post", args=[desk_batch.pk])).status_code == 403
    assert http.post(reverse("batches:create"), {}).status_code == 403
    assert not BatchEntry.objects.exists()
    page = http.get(reverse("batches:desk", args=[desk_batch.pk])).content.decode()
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    response = http.post(
        reverse("batches:scan", args=[desk_batch.pk]),
        scan_data("CSRF0001"),
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200 and BatchEntry.objects.count() == 1


def test_signed_out_user_is_sent_to_sign_in(client, desk_batch):
    response = client.get(reverse("batches:desk", args=[desk_batch.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("batches:scan", args=[desk_batch.pk]), scan_data("X"))
    assert response.status_code == 302


def test_staff_of_scan_role_cannot_manage_batches(org_a, desk_batch):
    station = f.make_user(org_a, Role.SCAN_STATION)
    http = signed_in(station)
    assert http.get(reverse("batches:create")).status_code == 403
    assert http.get(reverse("batches:edit", args=[desk_batch.pk])).status_code == 403


def test_post_services_from_the_list_posts_every_pending_date(web_a, desk_batch, carded, staff_a):
    client = carded("LIST0002")
    earlier = today() - timedelta(days=2)
    add_client_to_batch(
        batch=desk_batch, client=client, user=staff_a, batch_date=earlier, date_provided=earlier
    )
    page = web_a.post(reverse("batches:post", args=[desk_batch.pk])).content.decode()
    assert "every pending date" in page and "1 posted" in page
    assert BatchEntry.objects.get(batch=desk_batch).status == EntryStatus.POSTED


def test_scan_result_hides_the_photo_of_a_record_the_user_may_not_see(
    web_a, desk_batch, org_b, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    stranger = f.make_client("Other", "Agency", organization=org_b, photo="client-photos/x.png")
    f.issue_card(stranger, code="STRA0001")
    page = scan(web_a, desk_batch, "STRA0001").content.decode()
    assert "ERROR: Enrollment is a Required Field." in page
    assert reverse("clients:photo", args=[stranger.pk]) not in page


def test_enroll_client_entry_date_must_not_be_after_the_date_provided(web_a, desk_batch, org_a):
    client = f.make_client("Tom", "Baker", organization=org_a)
    f.issue_card(client, code="ENRO0002")
    day = today() - timedelta(days=3)
    url = reverse("batches:enroll", args=[desk_batch.pk])
    page = web_a.post(
        url,
        {
            "card": "ENRO0002",
            "who": "existing",
            "entry_date": today().isoformat(),
            "batch_date": day.isoformat(),
            "date_provided": day.isoformat(),
        },
    ).content.decode()
    assert "must be on or before the Date Service Provided" in page
    assert not Enrollment.objects.filter(client=client).exists()


def test_a_scan_station_with_one_batch_opens_straight_on_its_desk(station_a, desk_batch):
    response = signed_in(station_a).get(reverse("batches:station"))
    assert response["Location"] == reverse("batches:desk", args=[desk_batch.pk])
