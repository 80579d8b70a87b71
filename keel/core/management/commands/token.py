"""`keel token`: create, list and revoke personal API tokens."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keel.core.errors import NotFound
from keel.orgs import selectors as org_selectors
from keel.orgs import services as org_services
from keel.orgs.models import User


class Command(BaseCommand):
    """Manage a user's API tokens (sent as `Authorization: Bearer <token>`)."""

    help = "Create, list or revoke a user's personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="Create a token and print it (it is shown only once).")
        create.add_argument("username")
        create.add_argument("--name", default="API token", help="What the token is for.")
        listing = actions.add_parser("list", help="List a user's tokens.")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke one of a user's tokens.")
        revoke.add_argument("username")
        revoke.add_argument("id", type=int, help="The token id shown by `keel token list`.")

    def handle(self, *args: Any, action: str, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        if action == "create":
            if not user.is_active:
                raise CommandError(f"{username} is inactive; a token for them would not authenticate.")
            token, plaintext = org_services.api_token_create(user=user, name=options["name"])
            self.stderr.write(f"Token {token.name!r} (id {token.pk}) for {username}; it is shown only once:")
            self.stdout.write(plaintext)
        elif action == "list":
            tokens = list(org_selectors.api_token_list(user))
            if not tokens:
                self.stdout.write(f"{username} has no API tokens.")
            for token in tokens:
                state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.pk:>5}  {token.prefix}…  {token.name}  created {token.created_at:%Y-%m-%d %H:%M}  "
                    f"last used {used}  {state}"
                )
        else:
            try:
                token = org_services.api_token_revoke(user=user, token_id=options["id"])
            except NotFound as exc:
                raise CommandError(f"{username} has no API token with id {options['id']}.") from exc
            self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {username}.")
