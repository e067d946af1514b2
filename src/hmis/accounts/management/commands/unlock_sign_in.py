from django.core.management.base import BaseCommand, CommandError

from hmis.accounts import signin
from hmis.audit.models import AuditAction
from hmis.audit.recording import record


class Command(BaseCommand):
    help = "Lift a sign-in lock (after too many failed sign-ins) on an account or an address."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="User name whose account to unlock.")
        parser.add_argument("--address", default="", help="IP address to unlock.")

    def handle(self, *args, user, address, **options):
        if not user and not address:
            raise CommandError("Give --user and/or --address.")
        count = signin.unlock(username=user, address=address)
        record(
            actor=None,
            action=AuditAction.CHANGE,
            object_type="accounts.SignInThrottle",
            message=f"Sign-in unlocked from the command line: user {user!r}, address {address!r}",
        )
        self.stdout.write(f"Unlocked ({count} lock record(s) cleared).")
