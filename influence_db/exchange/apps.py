from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "influence_db.exchange"
    verbose_name = "Import and export"
