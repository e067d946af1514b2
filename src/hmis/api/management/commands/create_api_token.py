"""`hmis create-api-token USERNAME --name NAME [--expires YYYY-MM-DD]`: make a token and print
its secret once."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hmis.api.tokens import create_api_token
from hmis.inputs import date_in_range


def _end_of_day(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--expires takes a date as YYYY-MM-DD, not {text!r}.") from None
    if not date_in_range(day) or day < timezone.localdate():
        raise CommandError(f"--expires {text}: give a date from today on.")
    return datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Make a JSON API token for a user. The secret is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", required=True, help="What will use it, e.g. 'Front desk kiosk'"
        )
        parser.add_argument(
            "--expires",
            default="",
            metavar="YYYY-MM-DD",
            help="Last day the token works (the agency's time zone). Default: until revoked.",
        )

    def handle(self, *args, username: str, name: str, expires: str, **options):
        expires_at = _end_of_day(expires) if expires else None
        if not name.strip():
            raise CommandError("Give the token a name (--name), e.g. 'Front desk kiosk'.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is deactivated; a token for it would not work.")
        token, secret = create_api_token(user=user, name=name, expires_at=expires_at)
        until = f", works until the end of {expires}" if expires_at else ""
        self.stdout.write(f"Token {token.name!r} for {user.username} (id {token.pk}{until}):")
        self.stdout.write(secret)
        self.stdout.write(
            "Keep it now: it is shown only once. Send it as 'Authorization: Bearer <token>'."
        )
