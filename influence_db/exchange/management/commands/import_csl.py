from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from influence_db.exchange.csl import import_csl
from influence_db.exchange.reading import ImportRefused


class Command(BaseCommand):
    help = "Import sources from CSL-JSON (Zotero: Export Collection → CSL JSON). All or nothing."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, file: Path, user: str, dry_run: bool, **options: object) -> None:
        importer = get_user_model().objects.filter(username=user).first()
        if importer is None:
            raise CommandError(f"No user is called {user}.")
        try:
            report = import_csl(file.read_bytes(), user=importer, file_name=file.name, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except ImportRefused as exc:
            raise CommandError(f"{file.name} was not imported; nothing was written:\n{exc}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(report))
