from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from influence_db.coding import policy
from influence_db.coding.models import CodedRecord


class InfluenceAdminSite(admin.AdminSite):
    site_header = "influence_db — coding"
    site_title = "influence_db"
    index_title = "Coding"

    def review_queue(self, request: HttpRequest) -> list[dict[str, object]]:
        """Per record type the reviewer may review: how many records await review."""
        queue = []
        for model in self._registry:
            if not issubclass(model, CodedRecord) or not policy.can_review(request.user, model):
                continue
            queue.append(
                {
                    "name": model._meta.verbose_name_plural,
                    "count": model._default_manager.awaiting_review().count(),
                    "url": self._registry[model].queue_url(),
                }
            )
        return sorted(queue, key=lambda row: row["name"])

    def get_urls(self) -> list[URLPattern]:
        from influence_db.exchange.views import import_view

        view = self.admin_view(lambda request: import_view(request, self))
        return [path("import/", view, name="exchange_import"), *super().get_urls()]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        extra_context = {
            **(extra_context or {}),
            "review_queue": self.review_queue(request),
            "can_import": request.user.has_perm("coding.import_records"),
        }
        return super().index(request, extra_context)
