"""Card codes, reading scans, and issuing, replacing, revoking and importing cards."""

import itertools
import random
from datetime import date

import pytest
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.adding import SCAN_CARD, add_to_batch
from hmis.clients import cards as card_module
from hmis.clients import errors
from hmis.clients.cards import (
    ALPHABET,
    CODE_LENGTH,
    MODULUS,
    WEIGHTS,
    CardError,
    generate_code,
    import_legacy_cards,
    is_valid_code,
    issue_card,
    issue_cards,
    make_code,
    new_card_code,
    normalize_scan,
    program_clients_without_card,
    replace_card,
    revoke_card,
)
from hmis.clients.errors import LookupFailed
from hmis.clients.lookup import find_client_by_card
from hmis.clients.models import CommunityCard
from tests import factories as f

TODAY = date(2025, 3, 3)


# --- Codes ----------------------------------------------------------------------------------------


def test_alphabet_is_prime_sized_and_leaves_out_confusable_symbols():
    assert MODULUS == len(set(ALPHABET)) == 31
    assert not set("O0I1S") & set(ALPHABET)


def test_codes_are_short_opaque_and_valid():
    code = generate_code()
    assert len(code) == CODE_LENGTH <= 16
    assert set(code) <= set(ALPHABET)
    assert is_valid_code(code)


def test_100000_generated_codes_are_all_distinct_and_valid():
    codes = [generate_code() for _ in range(100_000)]
    assert len(set(codes)) == len(codes)
    assert all(is_valid_code(code) for code in codes)


def test_weights_are_distinct_and_nonzero_modulo_the_prime_so_every_error_changes_the_sum():
    """The proof, exhaustively: for every position and every pair of different symbols, a
    substitution changes the weighted sum by w*(a-b), and a swap of neighbours by (w-v)*(a-b);
    neither is ever 0 mod 31."""
    assert len(WEIGHTS) == CODE_LENGTH
    for w in WEIGHTS:
        for a, b in itertools.permutations(range(MODULUS), 2):
            assert (w * (a - b)) % MODULUS != 0
    for w, v in itertools.pairwise(WEIGHTS):
        for a, b in itertools.permutations(range(MODULUS), 2):
            assert ((w - v) * (a - b)) % MODULUS != 0


@pytest.fixture
def sample_codes():
    rng = random.Random(20250303)  # a fixed sample, so a failure can be replayed
    return [make_code("".join(rng.choice(ALPHABET) for _ in range(10))) for _ in range(300)]


def test_every_single_character_substitution_is_caught(sample_codes):
    for code in sample_codes:
        for position, symbol in itertools.product(range(len(code)), ALPHABET):
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1 :]
                assert not is_valid_code(typo), (code, typo)


def test_every_adjacent_transposition_is_caught(sample_codes):
    for code in sample_codes:
        for position in range(len(code) - 1):
            a, b = code[position], code[position + 1]
            if a != b:
                swapped = code[:position] + b + a + code[position + 2 :]
                assert not is_valid_code(swapped), (code, swapped)


def test_dropped_added_and_confusable_characters_are_caught():
    code = make_code("23456789AB")
    assert not is_valid_code(code[:-1])
    assert not is_valid_code(code + "2")
    assert not is_valid_code(code.replace("2", "Z").replace("Z", "O", 1))
    assert not is_valid_code("")


def test_new_card_code_never_reuses_a_code_even_of_a_revoked_card(db, monkeypatch):
    client = f.make_client()
    old = f.issue_card(client, code=make_code("22222222AB"), revoked_at=timezone.now())
    fresh = make_code("33333333CD")
    candidates = iter([old.code, fresh])
    monkeypatch.setattr(card_module, "generate_code", lambda: next(candidates))
    assert new_card_code() == fresh


# --- Normalising a scan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "k7mp x4qa 2bc",
        "  K7MPX4QA2BC\r\n",
        "K7MPX4QA2BC\t",
        "k7mp-x4qa-2bc"[:0] + "K7MP X4QA 2BC\n",
    ],
)
def test_scan_ignores_spaces_terminators_and_case(raw):
    assert normalize_scan(raw) == "K7MPX4QA2BC"


def test_scan_strips_the_configured_scanner_prefix_and_suffix(settings):
    settings.HMIS_SCANNER_PREFIX = "]C0"
    settings.HMIS_SCANNER_SUFFIX = "#"
    assert normalize_scan("]C0K7MPX4QA2BC#\r") == "K7MPX4QA2BC"
    assert normalize_scan("]c0k7mpx4qa2bc#") == "K7MPX4QA2BC"
    assert normalize_scan("K7MPX4QA2BC") == "K7MPX4QA2BC"  # typed by hand: nothing to strip


def test_empty_scan_normalises_to_empty():
    assert normalize_scan(" \t\r\n") == ""
    assert normalize_scan(None) == ""


# --- Issue, replace, revoke -----------------------------------------------------------------------


@pytest.fixture
def client(org_a):
    return f.make_client("Maria", "Lopez", organization=org_a)


def test_issue_gives_a_client_a_valid_card_and_audits_it(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    assert is_valid_code(card.code) and card.is_active and not card.legacy
    assert card.issued_by == staff_a
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="clients.CommunityCard")
    assert (event.client_id, event.actor, event.changes) == (
        client.pk,
        staff_a,
        {"code": card.code},
    )


def test_a_client_has_one_active_card_at_a_time(client, staff_a):
    issue_card(client=client, user=staff_a)
    with pytest.raises(CardError) as refusal:
        issue_card(client=client, user=staff_a)
    assert refusal.value.code == card_module.ALREADY_HAS_CARD
    assert refusal.value.message == (
        f"Client {client.pk} already has an active card. Replace or revoke it first."
    )
    assert client.cards.count() == 1


def test_issue_with_a_preprinted_code_checks_it(client, staff_a):
    good = make_code("K7MPX4QA2B")
    typo = good[:-1] + ("2" if good[-1] != "2" else "3")
    with pytest.raises(CardError) as refusal:
        issue_card(client=client, user=staff_a, code=typo)
    assert refusal.value.message == f"This code is not valid: {typo}"
    card = issue_card(client=client, user=staff_a, code=good.lower())
    assert card.code == good
    other = f.make_client()
    with pytest.raises(CardError) as refusal:
        issue_card(client=other, user=staff_a, code=good)
    assert refusal.value.message == f"Card code {good} is already in use."


def test_revoke_records_who_when_and_why(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    revoked = revoke_card(card=card, user=staff_a, reason="stolen")
    assert revoked.revoked_at is not None and revoked.revoked_by == staff_a
    assert revoked.revoke_reason == "stolen"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(card.pk)).exists()
    with pytest.raises(CardError) as refusal:
        revoke_card(card=card, user=staff_a, reason="lost")
    assert refusal.value.code == card_module.ALREADY_REVOKED


def test_revoke_needs_a_known_reason(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    with pytest.raises(CardError) as refusal:
        revoke_card(card=card, user=staff_a, reason="")
    assert refusal.value.code == card_module.REASON_REQUIRED
    card.refresh_from_db()
    assert card.is_active


def test_replace_revokes_the_old_card_with_the_reason_and_issues_a_new_one(client, staff_a):
    old = issue_card(client=client, user=staff_a)
    new = replace_card(card=old, user=staff_a, reason="lost")
    old.refresh_from_db()
    assert (old.revoke_reason, old.replaced_by, old.is_active) == ("lost", new, False)
    assert new.is_active and new.client == client and new.code != old.code
    assert find_client_by_card(new.code) == client
    messages = list(
        AuditEvent.objects.filter(client_id=client.pk).values_list("message", flat=True)
    )
    assert f"Replaced card {old.code} (Lost) with {new.code}." in messages


def test_replacing_a_revoked_card_is_refused_and_changes_nothing(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    revoke_card(card=card, user=staff_a, reason="damaged")
    with pytest.raises(CardError):
        replace_card(card=card, user=staff_a, reason="lost")
    assert client.cards.count() == 1


def test_issue_cards_gives_cards_only_to_clients_without_one(
    org_a, staff_a, django_assert_max_num_queries
):
    clients = [f.make_client(organization=org_a) for _ in range(20)]
    kept = issue_card(client=clients[0], user=staff_a)
    # Whatever the number of clients (two more than before: the audit chain's head, and on
    # PostgreSQL the advisory lock that orders the chain).
    with django_assert_max_num_queries(12):
        issued = issue_cards(clients=clients, user=staff_a)
    assert [c.client_id for c in issued] == [c.pk for c in clients[1:]]
    assert all(is_valid_code(c.code) for c in issued)
    assert CommunityCard.objects.filter(revoked_at__isnull=True).count() == 20
    assert kept.code not in {c.code for c in issued}


def test_program_clients_without_card(day_shelter, staff_a):
    carded, bare, exited = (f.make_client() for _ in range(3))
    for c in (carded, bare):
        f.enroll(c, day_shelter)
    f.enroll(exited, day_shelter, exit_date=date(2024, 6, 1))
    issue_card(client=carded, user=staff_a)
    assert list(program_clients_without_card(project=day_shelter, on=TODAY)) == [bare]


# --- Scanning -------------------------------------------------------------------------------------


def test_scan_of_an_active_card_resolves_through_normalisation(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    typed = " " + card.code[:4].lower() + " " + card.code[4:] + "\r\n"
    assert find_client_by_card(typed) == client


def test_scan_of_a_mistyped_code_says_it_is_not_valid(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    typo = card.code[1] + card.code[0] + card.code[2:]
    if typo == card.code:
        typo = card.code[:-1] + ALPHABET[(ALPHABET.index(card.code[-1]) + 1) % 31]
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card(typo)
    assert failure.value.code == errors.INVALID_CARD
    assert failure.value.message == (
        f"This code is not valid: {typo} (check the card or type the Client ID)"
    )


def test_scan_of_a_valid_code_on_no_card_says_no_client_has_it(db):
    code = make_code("K7MPX4QA2B")
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card(code.lower())
    assert failure.value.code == errors.UNKNOWN_CARD
    assert failure.value.message == f"No client has this card: {code}"


def test_scan_of_a_replaced_card_says_when_and_never_resolves_the_client(client, staff_a):
    old = issue_card(client=client, user=staff_a)
    replace_card(card=old, user=staff_a, reason="lost")
    when = f"{timezone.localdate():%m/%d/%Y}"
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card(old.code)
    assert failure.value.code == errors.REVOKED_CARD
    assert failure.value.message == (
        f"Card {old.code} was replaced on {when} (Lost). Scan the new card or type the Client ID."
    )


def test_scan_of_a_revoked_card_gives_the_reason_and_date(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    revoke_card(card=card, user=staff_a, reason="stolen")
    when = f"{timezone.localdate():%m/%d/%Y}"
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card(card.code)
    assert (
        failure.value.message
        == f"Card {card.code} was revoked on {when}: Stolen. Type the Client ID."
    )


def test_scan_of_an_imported_legacy_code_resolves_without_our_check(client, staff_a):
    import_legacy_cards(rows=[(client.pk, "00-1234-i")], user=staff_a)
    assert find_client_by_card("00-1234-I\n") == client


def test_scan_looks_up_in_one_query(client, staff_a, django_assert_num_queries):
    card = issue_card(client=client, user=staff_a)
    with django_assert_num_queries(1):
        find_client_by_card(card.code)
    with django_assert_num_queries(1), pytest.raises(LookupFailed):
        find_client_by_card(card.code[::-1])


@pytest.mark.usefixtures("back_dating_staff_a")
def test_desk_scan_reports_card_problems_verbatim(batch, day_shelter, client, staff_a):
    f.enroll(client, day_shelter)
    old = issue_card(client=client, user=staff_a)
    new = replace_card(card=old, user=staff_a, reason="damaged")
    when = f"{timezone.localdate():%m/%d/%Y}"

    def scan(typed):
        return add_to_batch(
            batch=batch,
            user=staff_a,
            scan_type=SCAN_CARD,
            typed=typed,
            batch_date=TODAY,
            date_provided=TODAY,
        )

    revoked = scan(old.code)
    assert (revoked.ok, revoked.code, revoked.client) == (False, "revoked_card", None)
    assert revoked.message == (
        f"Card {old.code} was replaced on {when} (Damaged). "
        "Scan the new card or type the Client ID."
    )
    invalid = scan("ZZZZ9999")
    assert (invalid.code, invalid.message) == (
        "invalid_card",
        "This code is not valid: ZZZZ9999 (check the card or type the Client ID)",
    )
    unknown_code = make_code("XYZXYZXYZ2")
    unknown = scan(unknown_code)
    assert (unknown.code, unknown.message) == (
        "unknown_card",
        f"No client has this card: {unknown_code}",
    )
    added = scan(new.code.lower() + "\r\n")
    assert added.ok and added.client == client


# --- Importing legacy cards -----------------------------------------------------------------------


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_import_keeps_legacy_codes_and_marks_them(org_a, staff_a):
    a, b = f.make_client(organization=org_a), f.make_client(organization=org_a)
    report = import_legacy_cards(
        file=csv_bytes("Client ID,Card code", f"{a.pk}, 000123 ", f"{b.pk},ab-77"), user=staff_a
    )
    assert report.ok and report.summary == "2 card(s) imported, 0 already on file."
    cards = {c.client_id: c for c in CommunityCard.objects.all()}
    assert (cards[a.pk].code, cards[a.pk].legacy) == ("000123", True)
    assert cards[b.pk].code == "AB-77"
    imported = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert sorted(imported.values_list("client_id", flat=True)) == sorted([a.pk, b.pk])


def test_import_reports_every_bad_line_and_writes_nothing(org_a, staff_a):
    a, b, c, d = (f.make_client(organization=org_a) for _ in range(4))
    issue_card(client=d, user=staff_a)
    taken = f.issue_card(f.make_client(organization=org_a), code="TAKEN1")
    content = csv_bytes(
        f"{a.pk},GOOD1",
        "abc,X1",
        f"{b.pk},",
        "999999,X2",
        f"{c.pk},GOOD1",
        f"{a.pk},OTHER",
        f"{c.pk},{taken.code}",
        f"{d.pk},NEWONE",
        f"{b.pk},{'X' * 40}",
    )
    report = import_legacy_cards(file=content, user=staff_a)
    assert [str(e) for e in report.errors] == [
        'Line 2: the client ID "abc" is not a number.',
        f"Line 3: client {b.pk} has no card code.",
        "Line 4: no client has Client ID 999999.",
        "Line 5: card code GOOD1 is also on line 1.",
        f"Line 6: client {a.pk} is also on line 1 (a client has one active card).",
        "Line 7: card code TAKEN1 already belongs to another client. A card code is never reused.",
        f"Line 8: client {d.pk} already has an active card "
        f"({d.cards.get().code}). Revoke it first to import another.",
        f"Line 9: card code {'X' * 40} is not usable: at most 32 printable ASCII characters.",
    ]
    assert report.summary == "Nothing was imported: 8 line(s) have errors."
    assert CommunityCard.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_import_can_be_told_to_skip_bad_lines(org_a, staff_a):
    a = f.make_client(organization=org_a)
    report = import_legacy_cards(
        file=csv_bytes(f"{a.pk},OLD-1", "999999,OLD-2"), user=staff_a, skip_invalid=True
    )
    assert len(report.imported) == 1 and len(report.errors) == 1
    assert (
        report.summary
        == "1 card(s) imported, 0 already on file; 1 line(s) with errors were skipped."
    )
    assert find_client_by_card("old-1") == a


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org_a, staff_a):
    a = f.make_client(organization=org_a)
    import_legacy_cards(file=csv_bytes(f"{a.pk},OLD-1"), user=staff_a)
    again = import_legacy_cards(file=csv_bytes(f"{a.pk},OLD-1"), user=staff_a)
    assert again.ok and again.unchanged == 1 and not again.imported
    assert CommunityCard.objects.count() == 1


def test_import_refuses_a_code_of_a_revoked_card(client, staff_a):
    card = issue_card(client=client, user=staff_a)
    revoke_card(card=card, user=staff_a, reason="lost")
    report = import_legacy_cards(rows=[(client.pk, card.code)], user=staff_a)
    assert [str(e) for e in report.errors] == [
        f"Line 1: card code {card.code} already belongs to a revoked card. "
        "A card code is never reused."
    ]


def test_import_only_gives_cards_to_clients_the_user_may_see(org_a, org_b, staff_a):
    theirs = f.make_client(organization=org_b)
    from hmis.clients.access import clients_fully_visible_to

    report = import_legacy_cards(
        rows=[(theirs.pk, "OLD-9")], user=staff_a, clients=clients_fully_visible_to(staff_a)
    )
    assert [str(e) for e in report.errors] == [f"Line 1: no client has Client ID {theirs.pk}."]


def test_import_of_a_non_utf8_file_is_a_clear_error(staff_a):
    with pytest.raises(CardError) as refusal:
        import_legacy_cards(file="1,Ä\n".encode("latin-1"), user=staff_a)
    assert "not UTF-8" in refusal.value.message


def test_import_queries_do_not_grow_with_the_number_of_lines(
    org_a, staff_a, django_assert_max_num_queries
):
    clients = [f.make_client(organization=org_a) for _ in range(60)]
    # Whatever the number of lines (two more than before: the audit chain's head, and on
    # PostgreSQL the advisory lock that orders the chain).
    with django_assert_max_num_queries(12):
        report = import_legacy_cards(
            rows=[(c.pk, f"LEG{n:04d}") for n, c in enumerate(clients)], user=staff_a
        )
    assert len(report.imported) == 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_issuing_at_once_give_the_client_one_card(org_a, staff_a):
    import threading

    from django.db import connection

    client = f.make_client(organization=org_a)
    barrier = threading.Barrier(2)
    outcomes = []

    def issue():
        try:
            barrier.wait()
            outcomes.append(issue_card(client=client, user=staff_a).code)
        except CardError as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert outcomes.count(card_module.ALREADY_HAS_CARD) == 1
    assert CommunityCard.objects.filter(client=client, revoked_at__isnull=True).count() == 1
