from __future__ import annotations

from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "influence_db.coding"
    verbose_name = "Coding"
    default_auto_field = "django.db.models.BigAutoField"
