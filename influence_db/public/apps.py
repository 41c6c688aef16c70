from __future__ import annotations

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "influence_db.public"
    verbose_name = "Read-only side"
