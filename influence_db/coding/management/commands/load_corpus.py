from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEFAULT_DIRS = (settings.BASE_DIR / "sources", settings.BASE_DIR / "fixtures")


class Command(BaseCommand):
    help = "Load the coded corpus (Django fixture files in sources/ and fixtures/). Safe to run again."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("dirs", nargs="*", type=Path, help="Directories to load (default: sources/ fixtures/).")
        parser.add_argument("--user", help="Whose name the history rows carry (default: none).")

    def handle(self, *args: object, dirs: list[Path], user: str | None, **options: object) -> None:
        dirs = dirs or list(DEFAULT_DIRS)
        for directory in dirs:
            if not directory.is_dir():
                raise CommandError(f"{directory} is not a directory")
        files = sorted(path for directory in dirs for path in directory.glob("*.json"))
        if not files:
            self.stdout.write(f"Nothing to load: no fixture files in {', '.join(str(d) for d in dirs)}.")
            return
        author = get_user_model().objects.get(username=user) if user else None
        with transaction.atomic():
            total = sum(self._load(path, author) for path in files)
        self.stdout.write(f"Loaded {total} records from {len(files)} files.")

    def _load(self, path: Path, author: object) -> int:
        # Rows are written by primary key, so loading twice changes nothing. Fixture
        # saves are "raw" and skip django-simple-history's signal, so the history
        # rows of new and changed records are written here: no path skips history.
        changed = defaultdict(list)
        count = 0
        with path.open(encoding="utf-8") as stream:
            for item in serializers.deserialize("json", stream):
                count += 1
                if _unchanged(item):
                    continue
                item.save()
                changed[type(item.object)].append(item.object)
        for model, objects in changed.items():
            if hasattr(model, "history"):
                model.history.bulk_history_create(
                    objects, default_user=author, default_change_reason=f"load_corpus {path.name}"
                )
        return count


def _unchanged(item: serializers.base.DeserializedObject) -> bool:
    """True if the database already holds exactly this record, its many-to-many links included."""
    obj = item.object
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    if current is None:
        return False
    fields = [field for field in obj._meta.concrete_fields if not field.primary_key]
    if any(field.value_to_string(obj) != field.value_to_string(current) for field in fields):
        return False
    return all(
        sorted(getattr(current, name).values_list("pk", flat=True)) == sorted(pks)
        for name, pks in (item.m2m_data or {}).items()
    )
