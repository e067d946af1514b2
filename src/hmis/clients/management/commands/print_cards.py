"""hmis print-cards (--program ID | --clients ID ...) --user USERNAME [--layout sheet|cr80]
[--output PATH]: a PDF of community cards."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hmis.accounts.permissions import is_system_admin
from hmis.clients.access import clients_fully_visible_to
from hmis.clients.card_printing import CR80, SHEET, cards_for_printing, print_cards
from hmis.clients.cards import CardError, issue_cards, program_clients_without_card
from hmis.clients.management.commands._card_user import card_user
from hmis.clients.models import CommunityCard
from hmis.projects.models import Project


class Command(BaseCommand):
    help = (
        "Print community cards to a PDF: for every client enrolled in a program today who has no "
        "card (cards are issued), or for the given client IDs (clients without a card are issued "
        "one). Printing is audited as the given user."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--program", type=int, help="program (project) ID")
        target.add_argument("--clients", type=int, nargs="+", metavar="CLIENT_ID")
        parser.add_argument("--user", required=True, help="username of the HMIS user printing")
        parser.add_argument("--layout", choices=[SHEET, CR80], default=SHEET)
        parser.add_argument("--output", help="PDF path (default: the data folder)")

    def handle(self, *args, program=None, clients=None, user, layout, output=None, **options):
        printer = card_user(user)
        visible = clients_fully_visible_to(printer)
        try:
            if program is not None:
                projects = Project.objects.filter(pk=program, deleted_at__isnull=True)
                if not is_system_admin(printer):
                    projects = projects.filter(organization_id=printer.organization_id)
                project = projects.first()
                if project is None:
                    raise CommandError(f"No program {program} in {user}'s organization.")
                wanted = list(
                    program_clients_without_card(
                        project=project, on=timezone.localdate(), clients=visible
                    ).order_by("pk")
                )
                if not wanted:
                    raise CommandError(f"Every client enrolled in {project.name} today has a card.")
                issued = issue_cards(clients=wanted, user=printer)
                cards = cards_for_printing(
                    CommunityCard.objects.filter(pk__in=[c.pk for c in issued])
                )
            else:
                ids = list(dict.fromkeys(clients))
                found = list(visible.filter(pk__in=ids))
                missing = sorted(set(ids) - {c.pk for c in found})
                if missing:
                    raise CommandError(f"No client has Client ID {', '.join(map(str, missing))}.")
                issue_cards(clients=found, user=printer)
                cards = cards_for_printing(CommunityCard.objects.filter(client_id__in=ids))
        except CardError as error:
            raise CommandError(error.message) from None
        path = (
            Path(output)
            if output
            else (Path(settings.DATA_DIR) / f"cards-{timezone.localtime():%Y%m%d-%H%M%S}.pdf")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(print_cards(cards=cards, user=printer, layout=layout))
        self.stdout.write(f"{len(cards)} card(s) printed: {path}")
