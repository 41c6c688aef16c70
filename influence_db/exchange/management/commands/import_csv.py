from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from influence_db.exchange.importing import run_import
from influence_db.exchange.reading import ImportRefused
from influence_db.exchange.resources import RESOURCES


class Command(BaseCommand):
    help = "Import a CSV file, all or nothing. Records arrive as drafts of --user, with history."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("dataset", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Who imports: the records' coder in the history.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, write nothing.")

    def handle(self, *args: object, dataset: str, file: Path, user: str, dry_run: bool, **options: object) -> None:
        try:
            importer = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {user}.") from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            report = run_import(dataset, data, user=importer, file_name=file.name, dry_run=dry_run)
        except ImportRefused as exc:
            raise CommandError(f"{file.name} was not imported; nothing was written:\n{exc}") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(report))
