"""hmis post_batch BATCH_ID --user USERNAME [--date YYYY-MM-DD]: post a batch's pending entries."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hmis.accounts.models import User
from hmis.accounts.permissions import Perm, has_perm
from hmis.batches.access import batches_visible_to
from hmis.batches.posting import post_batch


class Command(BaseCommand):
    help = "Post the pending entries of a service batch, as the given user."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--user", required=True, help="username of the HMIS user posting")
        parser.add_argument("--date", help="post only entries of this Batch Date (YYYY-MM-DD)")

    def handle(self, *args, batch_id, user, date=None, **options):
        poster = User.objects.filter(username=user, is_active=True).first()
        if poster is None:
            raise CommandError(f"No active user named {user!r}.")
        if not has_perm(poster, Perm.POST_SERVICES):
            raise CommandError(f"{user} may not post services.")
        batch = batches_visible_to(poster).filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"No batch {batch_id} in {user}'s organization.")
        batch_date = _parse_date(date) if date else None
        result = post_batch(batch=batch, user=poster, batch_date=batch_date)
        self.stdout.write(
            f"{batch.description}: {len(result.posted)} entries posted, "
            f"{result.services_created} services created, {len(result.left_pending)} left pending."
        )
        for entry in result.left_pending:
            self.stdout.write(f"  pending: client {entry.client_id}: {entry.pending_reason}")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {text!r}.") from None
