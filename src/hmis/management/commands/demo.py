"""`hmis demo`: load the demo agency, catalog, clients and batches (idempotent)."""

import time

from django.core.management.base import BaseCommand

from hmis.clients.card_printing import write_demo_card_sheet
from hmis.demo import LOGINS, build_demo


class Command(BaseCommand):
    help = "Load demo data (an agency, 300 clients, two batches). Running it again changes nothing."

    def handle(self, *args, **options):
        started = time.monotonic()
        result = build_demo()
        elapsed = time.monotonic() - started
        if result.created_people:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s."))
        else:
            self.stdout.write("Demo data was already loaded: nothing changed.")
        counts = ", ".join(f"{value} {name}" for name, value in result.counts.items())
        self.stdout.write(f"{result.organization.name}: {counts}.")
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/ (after `hmis serve`) with:")
        width = max(len(login.username) for login in LOGINS)
        for login in LOGINS:
            self.stdout.write(
                f"  {login.username:<{width}}  password {login.password}  ({login.note})"
            )
        if result.samples:
            self.stdout.write("")
            self.stdout.write("Card codes to try at the scanning desk:")
            for label, code in result.samples.items():
                self.stdout.write(f"  {code}  {label}")

        # -- Card sheet: the cards engineer adds the call that prints the demo card sheet here. --
        sheet = write_demo_card_sheet(result.organization)
        self.stdout.write("")
        self.stdout.write(f"Community cards of the demo clients (letter sheets): {sheet}")
