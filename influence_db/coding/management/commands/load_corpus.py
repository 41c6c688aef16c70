from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEFAULT_DIRS = (settings.BASE_DIR / "sources", settings.BASE_DIR / "fixtures")


class Command(BaseCommand):
    help = "Load the coded corpus (Django fixture files in sources/ and fixtures/). Safe to run again."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("dirs", nargs="*", type=Path, help="Directories to load (default: sources/ fixtures/).")

    def handle(self, *args: object, dirs: list[Path], **options: object) -> None:
        dirs = dirs or list(DEFAULT_DIRS)
        for directory in dirs:
            if not directory.is_dir():
                raise CommandError(f"{directory} is not a directory")
        files = sorted(path for directory in dirs for path in directory.glob("*.json"))
        if not files:
            self.stdout.write(f"Nothing to load: no fixture files in {', '.join(str(d) for d in dirs)}.")
            return
        # loaddata updates rows in place by primary key, so loading twice changes nothing.
        with transaction.atomic():
            call_command("loaddata", *files, verbosity=options["verbosity"])
