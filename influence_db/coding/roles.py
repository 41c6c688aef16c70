"""The three roles, as Django groups, and the model permissions each one holds.

The groups are created by a data migration; `sync_roles` re-applies this table after
later migrations add models or permissions, so the groups never drift from it.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

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


# The records that go through review (the others are reviewed with their owner).
REVIEWED_MODELS = ("source", "actor", "event", "theme", "theoryassumption", "claim")

# Change and delete are further limited per record by coding.policy: a coder only
# touches their own drafts and returned records.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CODER: _codenames("view", "add", "change", "delete"),
    SUPERVISOR: _codenames("view", "add", "change", "delete")
    | {f"review_{model}" for model in REVIEWED_MODELS}
    | {"import_records"},
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


def migrate_roles(apps: Apps, schema_editor: object) -> None:
    """Data-migration step: bring the groups up to date with the models as of that migration."""
    # Permissions are normally created after all migrations have run; the groups need them now.
    app_config = apps.get_app_config("coding")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    sync_roles(apps)
