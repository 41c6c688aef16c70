"""The read-only JSON API: approved records, the pages' filters, keyset pages, and CSV.

Views stay thin: what the public may see comes from `selectors`, filters from
`filters`, the CSV form from `exports`. Records with a key (claims, actors, events,
sources, themes, actor relations; assumptions by code) have a detail view at their key.
Links without a key (citations, claim-assumption links, claim relations, aliases,
source links) are lists only: a detail URL would have to publish database ids.

Every list and detail has a CSV form, `?format=csv` (with `&bom=1` for Excel): the same
filters, every matching row, streamed by `exports.csv_response`, never paginated.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

from influence_db.public import filters, selectors, serializers
from influence_db.public.exports import csv_response

# Keys are slugs; assumption codes are capitals, digits and hyphens. Both fit.
KEY_PATTERN = r"[-\w]+"


class CsvRenderer(BaseRenderer):
    """Makes `?format=csv` (or `Accept: text/csv`) a format the views accept.

    The views answer such a request with the streamed export themselves, so this renderer
    is never asked to render data: errors are answered in JSON (see `finalize_response`).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        raise AssertionError("CSV is streamed by the view, not rendered from serializer data.")


CSV_PARAMETERS = [
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv"],
        description="`csv` gives every row that matches the filters as one CSV file, not a page of JSON.",
    ),
    OpenApiParameter(
        "bom",
        OpenApiTypes.BOOL,
        description="With `format=csv`: start the file with a UTF-8 byte order mark, for Excel.",
    ),
]
CSV_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="UTF-8 CSV, formula-safe, as an attachment.")


def documented(list_serializer: type[BaseSerializer], detail_serializer: type[BaseSerializer] | None = None):
    """The schema of a viewset: JSON or CSV for each action (drf-spectacular cannot see the CSV)."""

    def responses(serializer: type[BaseSerializer]) -> dict:
        return {(200, "application/json"): serializer, (200, "text/csv"): CSV_RESPONSE}

    actions = {"list": extend_schema(parameters=CSV_PARAMETERS, responses=responses(list_serializer))}
    if detail_serializer is not None:
        actions["retrieve"] = extend_schema(parameters=CSV_PARAMETERS, responses=responses(detail_serializer))
    return extend_schema_view(**actions)


class PublicListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A list of approved records (or links between them), in JSON pages or as one CSV file."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CsvRenderer]
    # The selector for lists, and the name of the CSV file (the URL prefix).
    list_selector: Callable[[], QuerySet]
    csv_name: str
    # A link's only stable unique order is its row id: it appears in the opaque cursor,
    # never in a record. Records with a key order by it (or by a date) instead.
    ordering: tuple[str, ...] = ("pk",)

    def get_queryset(self) -> QuerySet:
        return self.list_selector()

    def wants_csv(self) -> bool:
        return self.request.accepted_renderer.format == CsvRenderer.format

    def csv(self, queryset: QuerySet, filename: str) -> StreamingHttpResponse:
        bom = self.request.query_params.get("bom", "").lower() in {"1", "true"}
        return csv_response(queryset, filename=filename, bom=bom)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response | StreamingHttpResponse:
        if self.wants_csv():
            # Every row that matches the filters: a CSV file is not paginated.
            return self.csv(self.filter_queryset(self.get_queryset()), self.csv_name)
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request: Request, response, *args: object, **kwargs: object):
        # An error (400, 403, 404) asked for as CSV has no CSV form: say what went wrong in JSON.
        if isinstance(response, Response) and getattr(request, "accepted_renderer", None) is not None:
            if request.accepted_renderer.format == CsvRenderer.format:
                request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class PublicRecordViewSet(mixins.RetrieveModelMixin, PublicListViewSet):
    """A list plus a detail view at the record's key."""

    lookup_field = "key"
    lookup_value_regex = KEY_PATTERN
    detail_selector: Callable[[], QuerySet]
    detail_serializer_class: type[BaseSerializer]

    def get_queryset(self) -> QuerySet:
        return self.detail_selector() if self.action == "retrieve" else super().get_queryset()

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.detail_serializer_class if self.action == "retrieve" else self.serializer_class

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response | StreamingHttpResponse:
        if self.wants_csv():
            record = self.get_object()  # a 404 for a key the public may not see
            return self.csv(self.get_queryset().filter(pk=record.pk), f"{self.csv_name}-{kwargs[self.lookup_field]}")
        return super().retrieve(request, *args, **kwargs)


# --- Main records ---------------------------------------------------------------------------


@documented(serializers.ClaimSerializer, serializers.ClaimDetailSerializer)
class ClaimViewSet(PublicRecordViewSet):
    """Claims: what a source asserts, with its themes, citations and links to theory assumptions."""

    list_selector = staticmethod(selectors.claims)
    detail_selector = staticmethod(selectors.claim_detail)
    serializer_class = serializers.ClaimSerializer
    detail_serializer_class = serializers.ClaimDetailSerializer
    filterset_class = filters.ClaimFilter
    ordering = ("key",)
    csv_name = "claims"


@documented(serializers.ActorSerializer, serializers.ActorDetailSerializer)
class ActorViewSet(PublicRecordViewSet):
    """Actors (people, states, organisations) with their aliases; a detail adds relations and events."""

    list_selector = staticmethod(selectors.actors)
    detail_selector = staticmethod(selectors.actor_detail)
    serializer_class = serializers.ActorSerializer
    detail_serializer_class = serializers.ActorDetailSerializer
    filterset_class = filters.ActorFilter
    ordering = ("name", "key")
    csv_name = "actors"


@documented(serializers.EventSerializer, serializers.EventDetailSerializer)
class EventViewSet(PublicRecordViewSet):
    """Events in date order (undated last) with their participants; a detail adds citations."""

    list_selector = staticmethod(selectors.events)
    detail_selector = staticmethod(selectors.event_detail)
    serializer_class = serializers.EventSerializer
    detail_serializer_class = serializers.EventDetailSerializer
    filterset_class = filters.EventFilter
    ordering = ("when", "key")  # `when`: the start date, undated events last (see selectors.events)
    csv_name = "events"


@documented(serializers.SourceSerializer, serializers.SourceDetailSerializer)
class SourceViewSet(PublicRecordViewSet):
    """Sources (CSL fields); a detail adds what the source cites and what cites it."""

    list_selector = staticmethod(selectors.sources)
    detail_selector = staticmethod(selectors.source_detail)
    serializer_class = serializers.SourceSerializer
    detail_serializer_class = serializers.SourceDetailSerializer
    filterset_class = filters.SourceFilter
    ordering = ("key",)
    csv_name = "sources"


@documented(serializers.ThemeSerializer, serializers.ThemeSerializer)
class ThemeViewSet(PublicRecordViewSet):
    """Themes: the headings the coded documents organise their claims under."""

    list_selector = detail_selector = staticmethod(selectors.themes)
    serializer_class = detail_serializer_class = serializers.ThemeSerializer
    filterset_class = filters.ThemeFilter
    ordering = ("key",)
    csv_name = "themes"


@documented(serializers.AssumptionSerializer, serializers.AssumptionSerializer)
class AssumptionViewSet(PublicRecordViewSet):
    """Theory assumptions (structural realism), by code."""

    list_selector = detail_selector = staticmethod(selectors.assumptions)
    serializer_class = detail_serializer_class = serializers.AssumptionSerializer
    filterset_class = filters.AssumptionFilter
    lookup_field = "code"
    ordering = ("code",)
    csv_name = "assumptions"


@documented(serializers.ActorRelationSerializer, serializers.ActorRelationSerializer)
class ActorRelationViewSet(PublicRecordViewSet):
    """Relations between actors (subject, type, object, dates), by key."""

    list_selector = detail_selector = staticmethod(selectors.actor_relations)
    serializer_class = detail_serializer_class = serializers.ActorRelationSerializer
    filterset_class = filters.ActorRelationFilter
    ordering = ("key",)
    csv_name = "actor-relations"


# --- Links without a key: lists only -------------------------------------------------------------
# Their pages are ordered by the row id (PublicListViewSet.ordering).


@documented(serializers.CitationLinkSerializer)
class CitationViewSet(PublicListViewSet):
    """Citations: a quote from a source, for a claim, an event or an actor relation."""

    list_selector = staticmethod(selectors.citations)
    serializer_class = serializers.CitationLinkSerializer
    filterset_class = filters.CitationFilter
    csv_name = "citations"


@documented(serializers.ClaimAssumptionLinkSerializer)
class ClaimAssumptionViewSet(PublicListViewSet):
    """How claims bear on theory assumptions: supports, illustrates, challenges or qualifies."""

    list_selector = staticmethod(selectors.assumption_links)
    serializer_class = serializers.ClaimAssumptionLinkSerializer
    filterset_class = filters.ClaimAssumptionFilter
    csv_name = "claim-assumptions"


@documented(serializers.ClaimRelationSerializer)
class ClaimRelationViewSet(PublicListViewSet):
    """Claims that corroborate, contradict or elaborate other claims."""

    list_selector = staticmethod(selectors.claim_relations)
    serializer_class = serializers.ClaimRelationSerializer
    filterset_class = filters.ClaimRelationFilter
    csv_name = "claim-relations"


@documented(serializers.AliasLinkSerializer)
class AliasViewSet(PublicListViewSet):
    """Other names of actors: transliterations, translations, acronyms, former names."""

    list_selector = staticmethod(selectors.aliases)
    serializer_class = serializers.AliasLinkSerializer
    filterset_class = filters.AliasFilter
    csv_name = "aliases"


@documented(serializers.SourceLinkSerializer)
class SourceLinkViewSet(PublicListViewSet):
    """Sources citing other sources."""

    list_selector = staticmethod(selectors.source_links)
    serializer_class = serializers.SourceLinkSerializer
    filterset_class = filters.SourceLinkFilter
    csv_name = "source-links"
