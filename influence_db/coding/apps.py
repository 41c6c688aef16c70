from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CodingConfig(AppConfig):
    default = True  # this module also holds the admin's config below
    name = "influence_db.coding"
    verbose_name = "Coding"
    default_auto_field = "django.db.models.BigAutoField"


class InfluenceAdminConfig(admin_apps.AdminConfig):
    # The admin site with the review queue on its index page.
    default = False
    default_site = "influence_db.coding.admin_site.InfluenceAdminSite"
