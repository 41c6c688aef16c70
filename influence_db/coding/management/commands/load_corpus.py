from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from influence_db.exchange.reading import ImportRefused
from influence_db.exchange.restore import restore

DEFAULT_DIRS = (settings.BASE_DIR / "sources", settings.BASE_DIR / "fixtures")


class Command(BaseCommand):
    help = (
        "Load a full export directory (default: the coded corpus in sources/ and fixtures/), keeping keys, "
        "review status and authorship. All or nothing; safe to run again."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("dirs", nargs="*", type=Path, help="Directories of dataset CSV files.")

    def handle(self, *args: object, dirs: list[Path], **options: object) -> None:
        dirs = dirs or list(DEFAULT_DIRS)
        for directory in dirs:
            if not directory.is_dir():
                raise CommandError(f"{directory} is not a directory")
        try:
            counts = restore(dirs)
        except ImportRefused as exc:
            raise CommandError(f"Nothing was loaded:\n{exc}") from None
        if not counts:
            self.stdout.write(f"Nothing to load: no dataset files in {', '.join(str(d) for d in dirs)}.")
            return
        self.stdout.write("Loaded " + ", ".join(f"{rows} {name}" for name, rows in counts.items()) + ".")
