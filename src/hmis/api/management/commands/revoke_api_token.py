"""`hmis revoke-api-token TOKEN_ID`: stop a token working at once (a lost tablet, say)."""

from django.core.management.base import BaseCommand, CommandError

from hmis.api.models import ApiToken
from hmis.api.tokens import revoke_api_token


class Command(BaseCommand):
    help = "Revoke a JSON API token by its id (printed when it was made)."

    def add_arguments(self, parser):
        parser.add_argument("token_id", type=int)

    def handle(self, *args, token_id: int, **options):
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No API token has id {token_id}.")
        if token.is_revoked:
            self.stdout.write(f"Token {token_id} was already revoked.")
            return
        revoke_api_token(token=token, user=None)
        self.stdout.write(f"Token {token.name!r} of {token.user.username} revoked.")
