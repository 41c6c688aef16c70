"""The three roles, as Django groups, and the model permissions each one holds.

The groups are created by a data migration; `sync_roles` re-applies this table after
later migrations add models or permissions, so the groups never drift from it.
"""

from __future__ import annotations

from django.apps.registry import Apps

CODER = "Coder"
SUPERVISOR = "Supervisor"
VIEWER = "Viewer"

# Every model of the coding app, historical tables excluded (their rows are
# written by the app, never by hand).
CODING_MODELS = (
    "source",
    "sourcelink",
    "actor",
    "actoralias",
    "actorrelation",
    "event",
    "eventparticipant",
    "theme",
    "theoryassumption",
    "claim",
    "citation",
    "claimrelation",
    "claimassumption",
)


def _codenames(*actions: str) -> set[str]:
    return {f"{action}_{model}" for action in actions for model in CODING_MODELS}


ROLE_PERMISSIONS: dict[str, set[str]] = {
    CODER: _codenames("view", "add", "change", "delete"),
    SUPERVISOR: _codenames("view", "add", "change", "delete"),
    VIEWER: _codenames("view"),
}


def sync_roles(apps: Apps) -> set[str]:
    """Create the groups if missing and set each one's permissions to the table above.

    Returns the codenames the database does not have yet: inside a migration, those
    of models that later migrations add (their own migrations sync again).
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    missing: set[str] = set()
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="coding", codename__in=codenames)
        missing |= codenames - set(permissions.values_list("codename", flat=True))
        group.permissions.set(permissions)
    return missing
