"""Cells that name other records: by key, or for actors by any name or alias.

An unknown name is an error that says which names come closest, because the usual
cause is a spelling: "Qassem Soleimani" for "Qasem Soleimani".
"""

from __future__ import annotations

import difflib

from django.db import models
from import_export import widgets

from influence_db.coding.models import Actor, ActorAlias, parse_creator
from influence_db.exchange.sql import LIST_SEPARATOR


def did_you_mean(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.6)
    if not close:
        lowered = {candidate.casefold(): candidate for candidate in candidates}
        close = [lowered[c] for c in difflib.get_close_matches(value.casefold(), list(lowered), n=3, cutoff=0.6)]
    return f" Did you mean {' or '.join(close)}?" if close else ""


def split_list(value: object) -> list[str]:
    return [item.strip() for item in str(value or "").split(";") if item.strip()]


class KeyWidget(widgets.ForeignKeyWidget):
    """A record named by its key (or another unique field, e.g. an assumption's code)."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> models.Model | None:
        value = str(value or "").strip()
        if not value:
            return None
        found = self.model._default_manager.filter(**{self.field: value}).first()
        if found is None:
            # Suggestions from keys that share the first letters: cheap on a large table.
            nearby = list(
                self.model._default_manager.filter(**{f"{self.field}__istartswith": value[:3]}).values_list(
                    self.field, flat=True
                )[:5000]
            )
            name = self.model._meta.verbose_name
            raise ValueError(f"No {name} has the {self.field} “{value}”.{did_you_mean(value, nearby)}")
        return found


class ActorWidget(KeyWidget):
    """An actor by key, canonical name or any alias, ignoring case."""

    def __init__(self) -> None:
        super().__init__(Actor, field="key")

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> Actor | None:
        value = str(value or "").strip()
        if not value:
            return None
        by_key = Actor.objects.filter(key=value).first()
        if by_key is not None:
            return by_key
        matches = list(Actor.objects.named(value)[:3])
        if len(matches) == 1:
            return matches[0]
        if matches:
            keys = ", ".join(actor.key for actor in matches)
            raise ValueError(f"“{value}” names more than one actor ({keys}): use the key.")
        names = [*Actor.objects.values_list("name", flat=True), *ActorAlias.objects.values_list("name", flat=True)]
        raise ValueError(f"No actor is called “{value}”.{did_you_mean(value, names)}")


class ListWidget(widgets.ManyToManyWidget):
    """Several records in one cell, separated by "; ", each resolved by `item`; any unknown one is an error."""

    def __init__(self, item: KeyWidget) -> None:
        super().__init__(item.model, separator=";", field=item.field)
        self.item = item

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> list[models.Model]:
        found, errors = [], []
        for name in split_list(value):
            try:
                found.append(self.item.clean(name))
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise ValueError(" ".join(errors))
        return found

    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return LIST_SEPARATOR.join(sorted(getattr(item, self.item.field) for item in value.all())) if value else ""


class CreatorsWidget(widgets.Widget):
    """ "Waltz, Kenneth N.; Human Rights Watch" ⇄ CSL names."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> list[dict[str, str]]:
        return [parse_creator(name) for name in split_list(value)]


class PairsWidget(widgets.Widget):
    """ "first:second; first:second" cells: event participants (actor:role), assumption links (CODE:relation)."""

    def __init__(self, first: KeyWidget, choices: list[str], what: str) -> None:
        super().__init__()
        self.first, self.choices, self.what = first, choices, what

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> list[tuple[models.Model, str]]:
        pairs, errors = [], []
        for item in split_list(value):
            name, _, second = item.rpartition(":")
            if not name or second not in self.choices:
                errors.append(f"“{item}” is not {self.what} ({', '.join(self.choices)} after the colon).")
                continue
            try:
                pairs.append((self.first.clean(name), second))
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise ValueError(" ".join(errors))
        return pairs


class WholeNumberWidget(widgets.Widget):
    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"“{text}” is not a whole number.")
        return int(text)

    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return "" if value is None else str(value)


class TrueFalseWidget(widgets.Widget):
    """true or false, nothing else: a typo must not silently mean false."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> bool:
        text = str(value or "").strip().lower()
        if text in ("", "false"):
            return False
        if text == "true":
            return True
        raise ValueError(f"“{value}” is neither true nor false.")

    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return "true" if value else "false"
