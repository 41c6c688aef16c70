from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from influence_db.coding.roles import CODER, SUPERVISOR, VIEWER

# Demo only: `make run` calls this for a local trial. Never run it on a server.
DEMO_ACCOUNTS = (
    ("coder", "coder-demo", CODER),
    ("supervisor", "supervisor-demo", SUPERVISOR),
    ("viewer", "viewer-demo", VIEWER),
)


class Command(BaseCommand):
    help = "Create (or reset) the demo coder, supervisor and viewer accounts. For local demos only."

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        self.stdout.write(self.style.WARNING("Demo accounts (local demo only, never on a server):"))
        for username, password, role in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:<10} {username} / {password}")
