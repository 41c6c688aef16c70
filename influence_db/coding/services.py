"""Writes. The admin, imports and commands change records only through these.

Every write of a main record is versioned: it claims the version it was based on with
a conditional UPDATE, so of two people editing the same record the second is refused
instead of silently overwriting the first. Status changes happen only here.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector
from django.utils import timezone

from influence_db.coding import policy
from influence_db.coding.choices import Status
from influence_db.coding.models import CodedRecord


class WorkflowError(Exception):
    """A status change that the record's current status does not allow."""


class RecordChangedError(Exception):
    """Someone saved the record after this copy of it was loaded."""


def describe_change_since(record: CodedRecord) -> str:
    """Who changed `record` since the version this copy was loaded at, when, and which fields."""
    model = type(record)
    history = model.history.filter(id=record.pk)
    latest = history.order_by("-history_date", "-history_id").select_related("history_user").first()
    if latest is None:
        return "Someone else changed this record after you opened it."
    base = history.filter(version=record.version).order_by("-history_date", "-history_id").first()
    changed = []
    if base is not None:
        ignored = {"version", "updated_at", "updated_by"}
        changed = [
            model._meta.get_field(c.field).verbose_name
            for c in latest.diff_against(base).changes
            if c.field not in ignored
        ]
    who = latest.history_user or "someone else"
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
    what = f" ({', '.join(changed)})" if changed else ""
    return (
        f"{who} changed this record at {when}{what} after you opened it. "
        "Your changes were not saved: reload the record to see the current version, then make them again."
    )


def _write(record: CodedRecord, *, user: AbstractBaseUser, reason: str) -> CodedRecord:
    if not record._state.adding:
        # Claim the version this copy was loaded at; zero rows means someone got there first.
        claimed = (
            type(record)._default_manager.filter(pk=record.pk, version=record.version).update(version=F("version") + 1)
        )
        if not claimed:
            raise RecordChangedError(describe_change_since(record))
        record.version += 1
    else:
        record.created_by = user
    record.updated_by = user
    record._history_user = user
    record._change_reason = reason
    record.save()
    return record


# Fields only the workflow writes: a save of the record's content keeps the stored values.
SYSTEM_FIELDS = (
    "status",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "created_at",
    "created_by",
)


@transaction.atomic
def record_save(*, record: CodedRecord, user: AbstractBaseUser, reason: str = "") -> CodedRecord:
    """Create or change a main record's content (never its status or authorship)."""
    model = type(record)
    if record._state.adding:
        if not user.has_perm(policy.perm("add", model)):
            raise PermissionDenied(f"You may not add {model._meta.verbose_name_plural}.")
        stored = model()  # a new record starts as a draft, whatever the caller set
    else:
        # Judge and keep what the database holds, not what the caller's copy says.
        stored = model._default_manager.get(pk=record.pk)
        if not policy.can_change(user, stored):
            raise PermissionDenied("You may not change this record.")
    for name in SYSTEM_FIELDS:
        setattr(record, name, getattr(stored, name))
    record.full_clean()
    if record.status == Status.RETURNED and not policy.can_review(user, type(record)):
        # The coder has taken the returned record back to work on it.
        record.status = Status.DRAFT
        reason = reason or "Revised after return"
    return _write(record, user=user, reason=reason or ("Created" if record._state.adding else "Changed"))


def _stored(record: CodedRecord) -> CodedRecord:
    """The record as the database holds it: transitions act on that, not on a caller's copy,
    and a copy older than the stored version is refused rather than acted on."""
    stored = type(record)._default_manager.get(pk=record.pk)
    if stored.version != record.version:
        raise RecordChangedError(describe_change_since(record))
    return stored


def _sync(copy: CodedRecord, stored: CodedRecord) -> CodedRecord:
    """Bring the caller's copy up to date with what was written."""
    for field in stored._meta.concrete_fields:
        setattr(copy, field.attname, getattr(stored, field.attname))
    return copy


def _transition(record: CodedRecord, *, user: AbstractBaseUser, to: Status, reason: str, **fields: object) -> None:
    record.status = to
    for name, value in fields.items():
        setattr(record, name, value)
    _write(record, user=user, reason=reason)


@transaction.atomic
def record_submit(*, record: CodedRecord, user: AbstractBaseUser) -> CodedRecord:
    """Draft (or returned) → submitted: hand the record in for review."""
    stored = _stored(record)
    if stored.status not in policy.CODER_EDITABLE:
        raise WorkflowError(f"{stored} is {stored.get_status_display().lower()}, not a draft")
    if not policy.can_change(user, stored):
        raise PermissionDenied(f"{stored} is not yours to submit")
    if stored.status == Status.RETURNED:
        # returned → draft → submitted, so the history shows both steps.
        _transition(stored, user=user, to=Status.DRAFT, reason="Reopened after return")
    _transition(stored, user=user, to=Status.SUBMITTED, reason="Submitted for review", submitted_at=timezone.now())
    return _sync(record, stored)


def _reviewable(record: CodedRecord, user: AbstractBaseUser) -> CodedRecord:
    if not policy.can_review(user, type(record)):
        raise PermissionDenied(f"You may not review {type(record)._meta.verbose_name_plural}")
    stored = _stored(record)
    if stored.status != Status.SUBMITTED:
        raise WorkflowError(f"{stored} is {stored.get_status_display().lower()}, not submitted")
    return stored


@transaction.atomic
def record_approve(*, record: CodedRecord, user: AbstractBaseUser) -> CodedRecord:
    """Submitted → approved: the record becomes public."""
    stored = _reviewable(record, user)
    _transition(
        stored,
        user=user,
        to=Status.APPROVED,
        reason="Approved",
        reviewed_by=user,
        reviewed_at=timezone.now(),
        review_comment="",
    )
    return _sync(record, stored)


@transaction.atomic
def record_return(*, record: CodedRecord, user: AbstractBaseUser, comment: str) -> CodedRecord:
    """Submitted → returned, with the comment the coder will see on the record."""
    comment = comment.strip()
    if not comment:
        raise WorkflowError("A record is returned with a comment that tells the coder what to change")
    stored = _reviewable(record, user)
    _transition(
        stored,
        user=user,
        to=Status.RETURNED,
        reason=f"Returned: {comment}",
        reviewed_by=user,
        reviewed_at=timezone.now(),
        review_comment=comment,
    )
    return _sync(record, stored)


@transaction.atomic
def record_delete(*, record: models.Model, user: AbstractBaseUser, reason: str) -> None:
    """Delete a record and what cascades from it, each with a history row that says why."""
    if not policy.can_delete(user, record):
        raise PermissionDenied(f"{record} is not yours to delete")
    # Django's collector hands these same instances to the post_delete signal that
    # writes the history, so the reason set here reaches every cascaded row too.
    collector = Collector(using=router.db_for_write(type(record)))
    collector.collect([record])
    for instances in collector.data.values():
        for instance in instances:
            # Outside a request there is no middleware to name the user: name them here.
            instance._history_user = user
            instance._change_reason = reason if instance is record else f"{reason} (with {record})"
    collector.delete()


def records_transition(
    records: models.QuerySet, *, user: AbstractBaseUser, service: object, **kwargs: object
) -> tuple[int, list[str]]:
    """Apply a transition service to each record; return how many moved and why the others did not.

    Each record is its own transaction: one refused record does not undo the others.
    """
    done, refused = 0, []
    for record in records:
        try:
            service(record=record, user=user, **kwargs)
        except (WorkflowError, PermissionDenied, RecordChangedError) as exc:
            refused.append(str(exc))
        else:
            done += 1
    return done, refused
