"""`hmis create-api-token USERNAME --name NAME`: make a token and print its secret once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hmis.api.tokens import create_api_token


class Command(BaseCommand):
    help = "Make a JSON API token for a user. The secret is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", required=True, help="What will use it, e.g. 'Front desk kiosk'"
        )

    def handle(self, *args, username: str, name: str, **options):
        if not name.strip():
            raise CommandError("Give the token a name (--name), e.g. 'Front desk kiosk'.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is deactivated; a token for it would not work.")
        token, secret = create_api_token(user=user, name=name)
        self.stdout.write(f"Token {token.name!r} for {user.username} (id {token.pk}):")
        self.stdout.write(secret)
        self.stdout.write(
            "Keep it now: it is shown only once. Send it as 'Authorization: Bearer <token>'."
        )
