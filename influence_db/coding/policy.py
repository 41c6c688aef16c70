"""Who may change what. One place, used by the admin and by the services alike.

Model permissions say what a role may do to a kind of record; these rules add the
record itself: a coder works on their own drafts and returned records, a reviewer
(a role holding `review_<model>`) on any record.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from influence_db.coding.choices import Status
from influence_db.coding.models import CodedRecord

# A coder may change their own record only while it is theirs to work on.
CODER_EDITABLE = (Status.DRAFT, Status.RETURNED)

User = AbstractBaseUser | AnonymousUser


def perm(action: str, model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def can_review(user: User, model: type[CodedRecord]) -> bool:
    return user.has_perm(perm("review", model))


def owner_of(record: models.Model) -> CodedRecord | None:
    """The main record a link belongs to (a citation's claim, an alias's actor)."""
    if isinstance(record, CodedRecord):
        return record
    return record.owner


def _may_work_on(user: User, record: models.Model, action: str) -> bool:
    if not user.has_perm(perm(action, type(record))):
        return False
    main = owner_of(record)
    if main is None or main._state.adding:
        return True  # a new record, or a link not yet attached: nobody else's work
    if can_review(user, type(main)):
        return True
    return main.created_by_id == user.pk and main.status in CODER_EDITABLE


def can_change(user: User, record: models.Model) -> bool:
    return _may_work_on(user, record, "change")


def can_delete(user: User, record: models.Model) -> bool:
    return _may_work_on(user, record, "delete")
