"""`manage.py ensure_admin`: the superuser `admin` exists. Its password is PLAYGROUND_ADMIN_PASSWORD, or one
generated and printed once, when the user is created (it is never printed again)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the superuser 'admin' if missing (password from PLAYGROUND_ADMIN_PASSWORD or generated)."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        wanted = os.environ.get("PLAYGROUND_ADMIN_PASSWORD")
        user = User.objects.filter(username="admin").first()
        if user is None:
            password = wanted or secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "", password)
            shown = "from PLAYGROUND_ADMIN_PASSWORD" if wanted else password
            self.stdout.write(f"created the superuser admin; password: {shown}")
        elif wanted and not user.check_password(wanted):
            user.set_password(wanted)
            user.save(update_fields=["password"])
            self.stdout.write("admin: password set from PLAYGROUND_ADMIN_PASSWORD")
        else:
            self.stdout.write("admin: exists, password unchanged")
