"""Human-readable record keys.

A key is what CSV files, URLs and the API use to name a record, so once issued it
must never point at a different record: a key is free only if neither the live table
nor the record's history has ever held it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.text import slugify

if TYPE_CHECKING:
    from influence_db.coding.models import CodedRecord

KEY_MAX_LENGTH = 80
# Leave room for a "-NN" suffix when the base is already taken.
_BASE_MAX_LENGTH = KEY_MAX_LENGTH - 6


def slug_base(text: str, *, max_words: int = 8) -> str:
    words = slugify(text).split("-")
    base = "-".join(w for w in words[:max_words] if w)
    return base[:_BASE_MAX_LENGTH].strip("-") or "record"


def key_was_issued(model: type[CodedRecord], key: str, *, exclude_pk: int | None = None) -> bool:
    """True if `key` names, or once named, a record other than `exclude_pk`."""
    live = model._default_manager.filter(key=key)
    past = model.history.filter(key=key)
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
        past = past.exclude(id=exclude_pk)
    return live.exists() or past.exists()


def generate_key(model: type[CodedRecord], text: str) -> str:
    base = slug_base(text)
    candidate, n = base, 1
    while key_was_issued(model, candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate
