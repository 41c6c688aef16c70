"""Sources as CSL-JSON, the format Zotero (and Mendeley, Pandoc, citeproc) read and write.

Our own fields that CSL has no name for (outlet affiliation, whether the document is
coded in full, and for a backup the review state) travel in the item's `custom` object,
which CSL-JSON reserves for such data.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from influence_db.coding import services
from influence_db.coding.choices import CslType, DatePrecision
from influence_db.coding.models import Source
from influence_db.exchange.importing import IMPORT_PERMISSION, ImportReport
from influence_db.exchange.reading import ImportRefused, Problem, decode

# CSL variable ↔ Source field, for the plain text ones.
TEXT_FIELDS = {
    "title": "title",
    "container-title": "container_title",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "URL": "url",
    "DOI": "doi",
    "language": "language",
}
PARTS = {DatePrecision.YEAR: 1, DatePrecision.MONTH: 2}


def _date_parts(day: datetime.date, precision: str = DatePrecision.DAY) -> dict[str, list[list[int]]]:
    parts = [day.year, day.month, day.day][: PARTS.get(precision, 3)]
    return {"date-parts": [parts]}


def to_csl(source: Source, *, with_review: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"id": source.key, "type": source.csl_type}
    if source.creators:
        item["author"] = source.creators
    for variable, field in TEXT_FIELDS.items():
        if getattr(source, field):
            item[variable] = getattr(source, field)
    if source.issued:
        item["issued"] = _date_parts(source.issued, source.issued_precision)
    if source.accessed:
        item["accessed"] = _date_parts(source.accessed)
    custom: dict[str, Any] = {}
    if source.outlet_affiliation:
        custom["outlet_affiliation"] = source.outlet_affiliation
    if source.is_coded_document:
        custom["is_coded_document"] = True
    if with_review:
        custom["notes"] = source.notes
        custom["status"] = source.status
        for name in ("created_by", "updated_by", "reviewed_by"):
            user = getattr(source, name)
            custom[name] = user.get_username() if user else None
        for name in ("created_at", "updated_at", "reviewed_at"):
            value = getattr(source, name)
            custom[name] = value.isoformat() if value else None
    if custom:
        item["custom"] = custom
    return item


def export_csl(sources: QuerySet, *, with_review: bool = False) -> str:
    sources = sources.select_related("created_by", "updated_by", "reviewed_by").order_by("key")
    items = sorted((to_csl(source, with_review=with_review) for source in sources), key=lambda i: i["id"].encode())
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def csl_key(item: dict[str, Any]) -> str:
    """Our key for a CSL item: its citation key, else its id when that is already a slug.

    Zotero's ids are opaque ("http://zotero.org/users/1/items/ABCD1234"): such an item
    gets a key generated from author, year and title, like one typed into the admin.
    """
    for candidate in (item.get("citation-key"), item.get("id")):
        text = str(candidate or "").strip()
        if text and slugify(text) == text:
            return text
    return ""


def _parse_date(value: Any, where: str, problems: list[Problem]) -> tuple[datetime.date | None, str]:
    if value is None:
        return None, DatePrecision.DAY
    try:
        parts = [int(part) for part in value["date-parts"][0]]
        precision = {1: DatePrecision.YEAR, 2: DatePrecision.MONTH}.get(len(parts), DatePrecision.DAY)
        padded = [*parts, 1, 1][:3]
        return datetime.date(*padded), precision
    except (KeyError, IndexError, TypeError, ValueError):
        problems.append(Problem(f'{where} must look like {{"date-parts": [[2020, 7, 14]]}}; got {json.dumps(value)}.'))
        return None, DatePrecision.DAY


def _apply(source: Source, item: dict[str, Any], where: str, problems: list[Problem]) -> None:
    csl_type = item.get("type")
    if csl_type not in CslType.values:
        problems.append(Problem(f"{where}: type “{csl_type}” is not one of {', '.join(CslType.values)}."))
    source.csl_type = csl_type or ""
    for variable, field in TEXT_FIELDS.items():
        value = item.get(variable, "")
        setattr(source, field, value if isinstance(value, str) else str(value))
    source.creators = item.get("author", [])
    source.issued, source.issued_precision = _parse_date(item.get("issued"), f"{where}: issued", problems)
    source.accessed, _ = _parse_date(item.get("accessed"), f"{where}: accessed", problems)
    custom = item.get("custom") or {}
    source.outlet_affiliation = custom.get("outlet_affiliation", "")
    source.is_coded_document = bool(custom.get("is_coded_document", False))
    if "notes" in custom:
        source.notes = custom["notes"] or ""


def _items(data: bytes) -> list[dict[str, Any]]:
    try:
        items = json.loads(decode(data))
    except json.JSONDecodeError as exc:
        raise ImportRefused([Problem(f"Not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.")]) from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ImportRefused([Problem("CSL-JSON is a list of items (objects).")])
    return items


@transaction.atomic
def import_csl(
    data: bytes, *, user: AbstractBaseUser | None, file_name: str, dry_run: bool = False, restore: bool = False
) -> ImportReport:
    """Create or update sources from CSL-JSON, all or nothing. `restore` keeps the review state in `custom`."""
    if not restore and not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied(f"{user} may not import files (supervisors can).")
    items = _items(data)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    new = updated = 0
    for number, item in enumerate(items, start=1):
        key = csl_key(item)
        where = f"item {number} ({key or 'no id'})"
        if key in seen:
            problems.append(Problem(f"{where}: the same id as item {seen[key]}."))
            continue
        seen[key] = number
        source = Source.objects.filter(key=key).first() if key else None
        if restore and source is not None and to_csl(source, with_review=True) == item:
            continue  # already as the file has it: loading twice changes nothing
        is_new = source is None
        source = source or Source(key=key)
        _apply(source, item, where, problems)
        try:
            if restore:
                _restore(source, item.get("custom") or {}, reason=f"Restored from {file_name}")
            else:
                services.record_save(record=source, user=user, reason=f"Imported from {file_name}")
        except ValidationError as exc:
            problems.extend(Problem(f"{where}: {field}: {' '.join(msgs)}") for field, msgs in exc.message_dict.items())
            continue
        except PermissionDenied as exc:
            problems.append(Problem(f"{where}: {exc}"))
            continue
        new, updated = new + is_new, updated + (not is_new)
    if problems:
        transaction.set_rollback(True)
        raise ImportRefused(problems)
    if dry_run:
        transaction.set_rollback(True)
    return ImportReport("sources", new, updated, dry_run)


def _restore(source: Source, custom: dict[str, Any], *, reason: str) -> None:
    users = get_user_model().objects
    for name in ("created_by", "updated_by", "reviewed_by"):
        username = custom.get(name)
        setattr(
            source, name, users.get_or_create(username=username, defaults={"is_active": False})[0] if username else None
        )
    source.status = custom.get("status", source.status)
    times = {
        name: parse_datetime(custom[name]) for name in ("created_at", "updated_at", "reviewed_at") if custom.get(name)
    }
    source.reviewed_at = times.get("reviewed_at")
    source._restoring = True
    source.full_clean()
    source._history_user = source.updated_by or source.created_by
    source._change_reason = reason
    source.save()
    if times:
        Source.objects.filter(pk=source.pk).update(**times)
