from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.core.management.base import BaseCommand, CommandError

from influence_db.coding.roles import ROLE_PERMISSIONS, sync_roles


class Command(BaseCommand):
    help = "Re-apply the Coder, Supervisor and Viewer permissions (run after migrations add models)."

    def handle(self, *args: object, **options: object) -> None:
        create_permissions(apps.get_app_config("coding"), verbosity=0)
        missing = sync_roles(apps)
        if missing:
            raise CommandError(f"These permissions do not exist (run migrate first?): {', '.join(sorted(missing))}")
        for role, codenames in ROLE_PERMISSIONS.items():
            self.stdout.write(f"{role}: {len(codenames)} permissions")
