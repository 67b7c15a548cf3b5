"""Create (or update) a moderation account in one step: staff status, the role's group, a password."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from posts.roles import user_role_grant

ROLE_NAMES = {"moderator": "Moderators", "publisher": "Publishers"}


class Command(BaseCommand):
    help = "Give USERNAME the Moderators or Publishers role (creating the account with a printed password)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLE_NAMES), default="moderator")
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, role: str, email: str, **options) -> None:
        User = get_user_model()
        try:  # the same rules as the admin form (ops refuses names MariaDB would confuse)
            User._meta.get_field("username").run_validators(username)
        except ValidationError as exc:
            raise CommandError(f"{username!r}: {' '.join(exc.messages)}") from exc
        if not username.strip():
            raise CommandError("the username is empty")
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
        group = ROLE_NAMES[role]
        user_role_grant(user, group)
        if created:
            self.stdout.write(f"created {username} ({group}); password: {password}")
        else:
            self.stdout.write(f"{username} is now in {group} with staff status; password unchanged")
