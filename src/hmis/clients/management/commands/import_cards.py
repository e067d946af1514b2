"""hmis import-cards CSV --user USERNAME [--skip-invalid]: import card codes from another system."""

from django.core.management.base import BaseCommand, CommandError

from hmis.clients.access import clients_fully_visible_to
from hmis.clients.cards import CardError, import_legacy_cards
from hmis.clients.management.commands._card_user import card_user


class Command(BaseCommand):
    help = (
        "Import existing community card numbers from a CSV of Client ID and card code (header "
        "optional). Codes are kept as they are. Any line with an error and nothing is imported, "
        "unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="path of the CSV file")
        parser.add_argument("--user", required=True, help="username of the HMIS user importing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the good lines, report the rest"
        )

    def handle(self, *args, csv, user, skip_invalid, **options):
        importer = card_user(user)
        try:
            report = import_legacy_cards(
                file=csv,
                user=importer,
                clients=clients_fully_visible_to(importer),
                skip_invalid=skip_invalid,
            )
        except OSError as error:
            raise CommandError(f"Cannot read {csv}: {error.strerror}") from None
        except CardError as error:
            raise CommandError(error.message) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors and not skip_invalid:
            raise CommandError(report.summary)
        self.stdout.write(report.summary)
