from django.core.management.base import BaseCommand, CommandError

from hmis.accounts.models import User
from hmis.accounts.permissions import is_system_admin
from hmis.clients.retention import deidentify_clients, inactive_clients, retention_cutoff


class Command(BaseCommand):
    help = (
        "List (by default) or de-identify (--commit) clients with no activity for N years "
        "(HMIS_RETENTION_YEARS, 7 unless set). Services and enrollments are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None, help="Inactivity period in years.")
        parser.add_argument(
            "--commit", action="store_true", help="De-identify. Without it: a dry run that lists."
        )
        parser.add_argument(
            "--user",
            default="",
            help="User name of the system administrator recorded in the audit trail "
            "(required with --commit).",
        )

    def handle(self, *args, years, commit, user, **options):
        if years is not None and years < 1:
            raise CommandError("--years must be at least 1.")
        actor = None
        if commit:
            actor = User.objects.filter(username=user, is_active=True).first() if user else None
            if actor is None or not is_system_admin(actor):
                raise CommandError("--commit needs --user naming an active system administrator.")
        cutoff = retention_cutoff(years=years)
        clients = inactive_clients(cutoff)
        ids = list(clients.values_list("pk", flat=True))
        self.stdout.write(
            f"{len(ids)} client(s) with no activity since {cutoff:%Y-%m-%d}"
            + ("." if commit else " (dry run, nothing changed):")
        )
        if not commit:
            for row in clients.values("pk", "updated_at").iterator(chunk_size=2000):
                self.stdout.write(
                    f"  client {row['pk']}  last changed {row['updated_at']:%Y-%m-%d}"
                )
            if ids:
                self.stdout.write("Run again with --commit --user <admin> to de-identify them.")
            return
        result = deidentify_clients(client_ids=ids, user=actor, years=years)
        self.stdout.write(
            self.style.SUCCESS(
                f"De-identified {result.deidentified} client(s); "
                f"removed {result.photos_removed} photo(s)."
            )
        )
