"""Writes. The admin, imports and commands change records only through these."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from influence_db.coding.models import CodedRecord


@transaction.atomic
def record_save(*, record: CodedRecord, user: AbstractBaseUser, reason: str = "") -> CodedRecord:
    """Validate and save a main record, stamping who created or changed it."""
    if record._state.adding:
        record.created_by = user
    record.updated_by = user
    record.full_clean()
    record._history_user = user
    if reason:
        record._change_reason = reason
    record.save()
    return record
