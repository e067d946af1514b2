"""`hmis print-cards` and `hmis import-cards`."""

from datetime import date

import pypdfium2
import pytest
from django.core.management import CommandError, call_command

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.cards import issue_card
from hmis.clients.models import CommunityCard
from tests import factories as f


@pytest.fixture
def enrolled(org_a, day_shelter):
    clients = [f.make_client(organization=org_a) for _ in range(3)]
    for client in clients:
        f.enroll(client, day_shelter, entry_date=date(2024, 1, 1))
    return clients


def test_print_cards_for_a_program_issues_missing_cards_and_writes_the_pdf(
    tmp_path, enrolled, day_shelter, staff_a, capsys
):
    issue_card(client=enrolled[0], user=staff_a)
    out = tmp_path / "cards.pdf"
    call_command("print_cards", program=day_shelter.pk, user="staff_a", output=str(out))
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 1  # two cards on one sheet
    assert capsys.readouterr().out.strip() == f"2 card(s) printed: {out}"
    assert CommunityCard.objects.filter(revoked_at__isnull=True).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.PRINT, actor=staff_a).count() == 2


def test_print_cards_for_client_ids_in_cr80_defaults_to_the_data_folder(
    settings, tmp_path, enrolled, staff_a, capsys
):
    settings.DATA_DIR = tmp_path
    call_command("print_cards", "--clients", str(enrolled[1].pk), user="staff_a", layout="cr80")
    written = list(tmp_path.glob("cards-*.pdf"))
    assert len(written) == 1 and str(written[0]) in capsys.readouterr().out


def test_print_cards_refuses_other_agencies_clients_and_users_without_the_right(
    enrolled, staff_b, org_a
):
    with pytest.raises(CommandError, match=f"No client has Client ID {enrolled[0].pk}."):
        call_command("print_cards", "--clients", str(enrolled[0].pk), user="staff_b")
    f.make_user(org_a, Role.READ_ONLY, username="reader")
    with pytest.raises(CommandError, match="reader may not manage community cards."):
        call_command("print_cards", "--clients", str(enrolled[0].pk), user="reader")


def test_import_cards_command(tmp_path, enrolled, staff_a, capsys):
    path = tmp_path / "legacy.csv"
    path.write_text(f"Client ID,Card code\n{enrolled[0].pk},A-100\n{enrolled[1].pk},A-101\n")
    call_command("import_cards", str(path), user="staff_a")
    assert capsys.readouterr().out.strip() == "2 card(s) imported, 0 already on file."
    assert set(CommunityCard.objects.values_list("code", flat=True)) == {"A-100", "A-101"}


def test_import_cards_command_fails_listing_bad_lines(tmp_path, enrolled, staff_a, capsys):
    path = tmp_path / "legacy.csv"
    path.write_text(f"{enrolled[0].pk},A-100\nnope,A-101\n")
    with pytest.raises(CommandError, match="Nothing was imported: 1 line"):
        call_command("import_cards", str(path), user="staff_a")
    assert 'Line 2: the client ID "nope" is not a number.' in capsys.readouterr().err
    assert not CommunityCard.objects.exists()
