from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from influence_db.coding.models import Source
from influence_db.exchange.csl import export_csl


class Command(BaseCommand):
    help = "Export sources as CSL-JSON, which Zotero imports (File → Import)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("-o", "--output", type=Path, help="File to write; default stdout.")
        parser.add_argument("--all-statuses", action="store_true", help="Drafts, submitted and returned too.")
        parser.add_argument(
            "--with-review", action="store_true", help="Keep review state and authorship in `custom` (for backups)."
        )

    def handle(self, *args: object, output: Path | None, **options: object) -> None:
        sources = Source.objects.all() if options["all_statuses"] else Source.objects.approved()
        text = export_csl(sources, with_review=options["with_review"])
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
