from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from influence_db.exchange.export import dataset_names, stream_dataset


class Command(BaseCommand):
    help = "Stream a dataset as CSV (approved records only unless --all-statuses), or every dataset with --all."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("dataset", nargs="?", choices=dataset_names(), help="What to export.")
        parser.add_argument("--all", action="store_true", help="Every dataset, one file each, into the -o directory.")
        parser.add_argument("-o", "--output", type=Path, help="File (or directory with --all); default stdout.")
        parser.add_argument("--bom", action="store_true", help="Start with a UTF-8 BOM, for Excel.")
        parser.add_argument("--all-statuses", action="store_true", help="Drafts, submitted and returned too.")

    def handle(self, *args: object, dataset: str | None, output: Path | None, **options: object) -> None:
        flags = {"all_statuses": options["all_statuses"], "bom": options["bom"]}
        if options["all"]:
            if dataset or output is None:
                raise CommandError("--all writes every dataset into a directory: give -o DIR and no dataset name.")
            output.mkdir(parents=True, exist_ok=True)
            for name in dataset_names():
                self._write(stream_dataset(name, **flags), output / f"{name}.csv")
            self.stderr.write(f"Wrote {len(dataset_names())} files to {output}")
            return
        if dataset is None:
            raise CommandError(f"Name a dataset ({', '.join(dataset_names())}) or use --all.")
        blocks = stream_dataset(dataset, **flags)
        if output is None:
            for block in blocks:
                sys.stdout.buffer.write(block)
            sys.stdout.buffer.flush()
        else:
            self._write(blocks, output)

    @staticmethod
    def _write(blocks: object, path: Path) -> None:
        # Written beside the target and renamed: a failed export never leaves half a file.
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as stream:
                for block in blocks:
                    stream.write(block)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
