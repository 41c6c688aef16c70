"""URLs of the JSON API (included at /api/): one router, and the OpenAPI schema.

Route names start with "api-" (api-claim-list, api-claim-detail, …) so that they never
clash with the names of the HTML pages.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from influence_db.public import api
from influence_db.public.access import PublicReadOnly

router = DefaultRouter()
router.register("claims", api.ClaimViewSet, basename="api-claim")
router.register("actors", api.ActorViewSet, basename="api-actor")
router.register("events", api.EventViewSet, basename="api-event")
router.register("sources", api.SourceViewSet, basename="api-source")
router.register("themes", api.ThemeViewSet, basename="api-theme")
router.register("assumptions", api.AssumptionViewSet, basename="api-assumption")
router.register("citations", api.CitationViewSet, basename="api-citation")
router.register("claim-assumptions", api.ClaimAssumptionViewSet, basename="api-claim-assumption")
router.register("claim-relations", api.ClaimRelationViewSet, basename="api-claim-relation")
router.register("actor-relations", api.ActorRelationViewSet, basename="api-actor-relation")
router.register("aliases", api.AliasViewSet, basename="api-alias")
router.register("source-links", api.SourceLinkViewSet, basename="api-source-link")

urlpatterns = [
    # The schema follows the same login setting as the data it describes.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[PublicReadOnly]), name="api-schema"),
    *router.urls,
]
