"""Restore: load a full export directory into the database, as it was.

The backup path: unlike a user import it keeps review status, authorship and
timestamps, so that `load_corpus DIR` followed by `export_csv --all` gives the same
files back. Only administrators run it (it is a command, not a page). Everything is
loaded in one transaction: a bad file leaves the database as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import models, transaction
from import_export import widgets

from influence_db.coding import models as coding
from influence_db.exchange import resources
from influence_db.exchange.csl import import_csl
from influence_db.exchange.importing import row_problems
from influence_db.exchange.reading import ImportRefused, Problem, Sheet, read
from influence_db.exchange.widgets import KeyWidget, ListWidget

TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
AUDIT_TIMESTAMPS = ("created_at", "updated_at", "submitted_at", "reviewed_at")


class UserWidget(widgets.ForeignKeyWidget):
    """A user by name; one the database does not know yet is made, inactive, to keep the authorship."""

    def __init__(self) -> None:
        super().__init__(get_user_model(), field="username")

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> models.Model | None:
        name = str(value or "").strip()
        if not name:
            return None
        user, _ = get_user_model().objects.get_or_create(username=name, defaults={"is_active": False})
        return user


def audit_fields() -> dict[str, object]:
    column = resources.column
    return {
        "status": column("status"),
        "created_by": column("created_by", widget=UserWidget()),
        "created_at": column("created_at", widget=widgets.DateTimeWidget(TIMESTAMP)),
        "updated_by": column("updated_by", widget=UserWidget()),
        "updated_at": column("updated_at", widget=widgets.DateTimeWidget(TIMESTAMP)),
        "submitted_at": column("submitted_at", widget=widgets.DateTimeWidget(TIMESTAMP)),
        "reviewed_by": column("reviewed_by", widget=UserWidget()),
        "reviewed_at": column("reviewed_at", widget=widgets.DateTimeWidget(TIMESTAMP)),
        "review_comment": column("review_comment"),
    }


class RestoreMixin:
    """Saves rows as they are in the file, status and authorship included, with history."""

    def after_init_instance(self, instance: models.Model, new: bool, row: dict, **kwargs: object) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        instance._restoring = True

    def write(self, instance: models.Model, *, user: object, reason: str) -> None:
        author = getattr(instance, "updated_by", None) or getattr(instance, "created_by", None)
        # auto_now and auto_now_add stamp today on save: the file's times go back afterwards.
        times = {name: getattr(instance, name) for name in AUDIT_TIMESTAMPS if hasattr(instance, name)}
        instance._history_user = author
        instance._change_reason = reason
        instance.save()
        if times.get("created_at") and times.get("updated_at"):
            type(instance)._default_manager.filter(pk=instance.pk).update(**times)


def restoring(resource: type[resources.ImportResource], extra: dict[str, object]) -> type[resources.ImportResource]:
    """The restore variant of an import resource: the same columns plus `extra`."""
    meta = type(
        "Meta",
        (resource.Meta,),
        {"fields": (*resource.Meta.fields, *extra), "skip_unchanged": True, "skip_diff": False},
    )
    return type(f"Restore{resource.__name__}", (RestoreMixin, resource), {**extra, "Meta": meta})


class ClaimResource(resources.ImportResource):
    key = resources.column("key")
    statement = resources.column("statement")
    kind = resources.column("kind")
    modality = resources.column("modality")
    attributed_to = resources.column("attributed_to", widget=KeyWidget(coding.Actor, field="key"))
    confidence = resources.column("confidence")
    actors = resources.column("actors", widget=ListWidget(KeyWidget(coding.Actor, field="key")))
    events = resources.column("events", widget=ListWidget(KeyWidget(coding.Event, field="key")))
    themes = resources.column("themes", widget=ListWidget(KeyWidget(coding.Theme, field="key")))
    period_start = resources.date_column("period_start")
    period_end = resources.date_column("period_end")
    notes = resources.column("notes")
    required = ("key", "statement", "kind")
    # The export's "assumptions" column is derived from claim-assumptions.csv.
    ignored = ("assumptions",)

    class Meta(resources.ImportResource.Meta):
        model = coding.Claim
        import_id_fields = ("key",)
        fields = (
            "key",
            "statement",
            "kind",
            "modality",
            "attributed_to",
            "confidence",
            "actors",
            "events",
            "themes",
            "period_start",
            "period_end",
            "notes",
        )


class ClaimAssumptionResource(RestoreMixin, resources.ImportResource):
    claim = resources.column("claim", widget=KeyWidget(coding.Claim, field="key"))
    assumption = resources.column("assumption", widget=KeyWidget(coding.TheoryAssumption, field="code"))
    relation = resources.column("relation")
    attribution = resources.column("attribution")
    rationale = resources.column("rationale")
    required = ("claim", "assumption", "relation", "rationale")

    class Meta(resources.ImportResource.Meta):
        model = coding.ClaimAssumption
        import_id_fields = ("claim", "assumption")
        fields = ("claim", "assumption", "relation", "attribution", "rationale")


def _restore_claims() -> type[resources.ImportResource]:
    return restoring(ClaimResource, audit_fields())


# In dependency order: what a row names must be loaded before it.
RESTORE_ORDER: list[tuple[str, object]] = [
    ("sources", lambda: restoring(resources.SourceResource, audit_fields())),
    ("actors", lambda: restoring(resources.ActorResource, audit_fields())),
    ("aliases", lambda: restoring(resources.AliasResource, {})),
    ("actor-relations", lambda: restoring(resources.ActorRelationResource, {})),
    ("events", lambda: restoring(resources.EventResource, audit_fields())),
    ("themes", lambda: restoring(resources.ThemeResource, audit_fields())),
    ("assumptions", lambda: restoring(resources.AssumptionResource, audit_fields())),
    ("claims-full", _restore_claims),
    ("citations", lambda: restoring(resources.CitationResource, {})),
    ("claim-assumptions", lambda: ClaimAssumptionResource),
    ("claim-relations", lambda: restoring(resources.ClaimRelationResource, {})),
    ("source-links", lambda: restoring(resources.SourceLinkResource, {})),
]


def _parents_first(sheet: Sheet) -> None:
    """Reorder rows so that a parent (an actor's, an assumption's) is loaded before its children.

    Exports sort rows by key, so a child can come first; row numbers stay those of the file.
    """
    if "parent" not in sheet.headers:
        return
    key = sheet.headers.index("key" if "key" in sheet.headers else "code")
    parent = sheet.headers.index("parent")
    rows = {cells[key]: (number, cells) for number, cells in zip(sheet.numbers, sheet.rows, strict=True)}
    ordered: list[tuple[int, list[str]]] = []
    placed: set[str] = set()

    def place(name: str, seen: frozenset[str] = frozenset()) -> None:
        if name in placed or name not in rows or name in seen:
            return  # done, not in this file (already stored), or a cycle: the models refuse it
        place(rows[name][1][parent], seen | {name})
        placed.add(name)
        ordered.append(rows[name])

    for name in rows:
        place(name)
    sheet.numbers = [number for number, _ in ordered]
    sheet.rows = [cells for _, cells in ordered]


def restore(directories: list[Path]) -> dict[str, int]:
    """Load every dataset file found in `directories`; return rows per dataset. All or nothing."""
    files = {path.stem: path for directory in directories for path in sorted(directory.glob("*.csv"))}
    bibliographies = [path for directory in directories for path in sorted(directory.glob("*.json"))]
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    with transaction.atomic():
        # CSL-JSON bibliographies (Zotero's format) first: everything else cites sources.
        for path in bibliographies:
            try:
                import_csl(path.read_bytes(), user=None, file_name=path.name, restore=True)
            except ImportRefused as exc:
                problems.extend(Problem(p.message, p.row, p.column, p.value, file=path.name) for p in exc.problems)
            counts[path.name] = len(json.loads(path.read_bytes() or b"[]"))
        for name, make in RESTORE_ORDER:
            if name not in files:
                continue
            resource = make()()
            sheet = read(
                files[name].read_bytes(),
                required=list(resource.required),
                optional=[
                    *(c for c in resource.column_names() if c not in resource.required),
                    *getattr(resource, "ignored", ()),
                ],
                allow_empty=True,  # a backup of an empty table is a header alone
            )
            _parents_first(sheet)
            result = resource.import_data(
                sheet.as_dataset(),
                use_transactions=True,
                rollback_on_validation_errors=True,
                user=None,
                file_name=files[name].name,
            )
            found = row_problems(resource, sheet, result)
            problems.extend(Problem(p.message, p.row, p.column, p.value, file=files[name].name) for p in found)
            counts[name] = len(sheet.rows)
        if problems:
            raise ImportRefused(problems)
    return counts
