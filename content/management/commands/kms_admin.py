"""``manage.py kms_admin``: make sure an admin login exists and print it.

The generated password is kept in KMS_DATA_DIR/admin-password.txt (readable only by its
owner) so that running the command again — as ``make run`` does — prints the same login.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from content.secret_files import keep_secret, kept_secret


class Command(BaseCommand):
    help = "Create the admin superuser if it does not exist, and print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        secret_file = Path(settings.DATA_DIR) / f"{username}-password.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        password = kept_secret(secret_file)
        if user is None or password is None:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = user_model.objects.create_superuser(
                    username=username, email=f"{username}@localhost", password=password
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            keep_secret(secret_file, password)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(
            f"Admin login: {base}/admin/  user: {username}  password: {password}\n"
            f"(password kept in {secret_file})"
        )
