"""Filters for the read-only side: one definition serves a page, its CSV and the API.

Records are named by key (assumptions by code), as in CSV files. A filter that names
no approved record is an error the visitor sees (400), never an empty page that
hides a typo.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from influence_db.coding import choices
from influence_db.coding.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    ClaimAssumption,
    ClaimRelation,
    Event,
    EventParticipant,
    Source,
    SourceLink,
    Theme,
    TheoryAssumption,
)

SEARCH_MAX_LENGTH = 200


def by_key(model, label: str, field: str = "key", **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=model.objects.approved(),
        to_field_name=field,
        label=label,
        error_messages={"invalid_choice": f"No approved {label.lower()} has the {field} “%(value)s”."},
        **kwargs,
    )


def year(label: str) -> filters.NumberFilter:
    return filters.NumberFilter(
        label=label,
        method="filter_period",
        min_value=1,
        max_value=9999,
        decimal_places=0,
        error_messages={"invalid": "Enter a year, such as 2014.", "max_decimal_places": "Enter a year, such as 2014."},
    )


def search(label: str = "Search") -> filters.CharFilter:
    return filters.CharFilter(label=label, method="filter_search", max_length=SEARCH_MAX_LENGTH, strip=True)


class PeriodFilterSet(filters.FilterSet):
    """Records whose period overlaps the years `from` to `to` (either end may be left open)."""

    period_fields: tuple[str, str]

    def filter_period(self, queryset: QuerySet, name: str, value) -> QuerySet:
        start, end = self.period_fields
        first_day = f"{int(value):04d}-01-01"
        last_day = f"{int(value):04d}-12-31"
        if name.endswith("from"):
            # Ends on or after 1 January of the first year (an open end runs to its start).
            return queryset.filter(
                Q(**{f"{end}__gte": first_day}) | Q(**{f"{end}__isnull": True, f"{start}__gte": first_day})
            )
        return queryset.filter(**{f"{start}__lte": last_day})


class ClaimFilter(PeriodFilterSet):
    q = search("Search statements and quotes")
    theme = by_key(Theme, "Theme", field_name="themes")
    assumption = by_key(TheoryAssumption, "Assumption", field="code", method="filter_assumption")
    relation = filters.ChoiceFilter(
        choices=choices.AssumptionRelation.choices,
        label="Relation to the assumption",
        method="filter_relation",
    )
    actor = by_key(Actor, "Actor", method="filter_actor")
    event = by_key(Event, "Event", field_name="events")
    source = by_key(Source, "Source", method="filter_source")
    kind = filters.ChoiceFilter(choices=choices.ClaimKind.choices)
    modality = filters.ChoiceFilter(choices=choices.Modality.choices)
    period_from = year("Period from (year)")
    period_to = year("Period to (year)")

    period_fields = ("period_start", "period_end")

    class Meta:
        model = Claim
        fields = ["q", "theme", "assumption", "relation", "actor", "event", "source", "kind", "modality"]

    # The assumption and its relation are one condition on the same link, not two.
    def filter_assumption(self, queryset: QuerySet, name: str, value: TheoryAssumption) -> QuerySet:
        return self._linked(queryset, assumption=value, relation=self.form.cleaned_data.get("relation"))

    def filter_relation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.form.cleaned_data.get("assumption"):
            return queryset  # applied with the assumption
        return self._linked(queryset, assumption=None, relation=value)

    def _linked(self, queryset: QuerySet, *, assumption: TheoryAssumption | None, relation: str | None) -> QuerySet:
        links = ClaimAssumption.objects.filter(claim=OuterRef("pk"), assumption__status=choices.Status.APPROVED)
        if assumption:
            links = links.filter(assumption=assumption)
        if relation:
            links = links.filter(relation=relation)
        return queryset.filter(Exists(links))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value, approved_sources_only=True)

    def filter_actor(self, queryset: QuerySet, name: str, value: Actor) -> QuerySet:
        return queryset.naming(value)

    def filter_source(self, queryset: QuerySet, name: str, value: Source) -> QuerySet:
        return queryset.citing(value)


class ActorFilter(filters.FilterSet):
    q = search("Search names and aliases")
    kind = filters.ChoiceFilter(choices=choices.ActorKind.choices)
    sector = filters.ChoiceFilter(choices=choices.Sector.choices)
    country = filters.CharFilter(max_length=3, label="Country (ISO 3166 alpha-3)", method="filter_country")

    class Meta:
        model = Actor
        fields = ["q", "kind", "sector", "country"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(name__icontains=value) | Exists(alias))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country=value.upper())


class EventFilter(PeriodFilterSet):
    q = search("Search titles and descriptions")
    event_type = filters.ChoiceFilter(choices=choices.EventType.choices, label="Type")
    actor = by_key(Actor, "Actor", method="filter_actor")
    year_from = year("From (year)")
    year_to = year("To (year)")

    period_fields = ("date_start", "date_end")

    class Meta:
        model = Event
        fields = ["q", "event_type", "actor"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_actor(self, queryset: QuerySet, name: str, value: Actor) -> QuerySet:
        return queryset.filter(Exists(EventParticipant.objects.filter(event=OuterRef("pk"), actor=value)))


class SourceFilter(filters.FilterSet):
    q = search("Search titles and outlets")
    csl_type = filters.ChoiceFilter(choices=choices.CslType.choices, label="Type")
    coded = filters.BooleanFilter(field_name="is_coded_document", label="Coded in full")

    class Meta:
        model = Source
        fields = ["q", "csl_type", "coded"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value) | Q(container_title__icontains=value) | Q(publisher__icontains=value)
        )


class ThemeFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=choices.ThemeKind.choices)

    class Meta:
        model = Theme
        fields = ["kind"]


class AssumptionFilter(filters.FilterSet):
    branch = filters.ChoiceFilter(choices=choices.Branch.choices)

    class Meta:
        model = TheoryAssumption
        fields = ["branch"]


# --- Links (the API lists them) -----------------------------------------------------------


class CitationFilter(filters.FilterSet):
    claim = by_key(Claim, "Claim")
    event = by_key(Event, "Event")
    source = by_key(Source, "Source")

    class Meta:
        model = Citation
        fields = ["claim", "event", "source"]


class ClaimAssumptionFilter(filters.FilterSet):
    claim = by_key(Claim, "Claim")
    assumption = by_key(TheoryAssumption, "Assumption", field="code")
    relation = filters.ChoiceFilter(choices=choices.AssumptionRelation.choices)
    attribution = filters.ChoiceFilter(choices=choices.LinkAttribution.choices)

    class Meta:
        model = ClaimAssumption
        fields = ["claim", "assumption", "relation", "attribution"]


class ClaimRelationFilter(filters.FilterSet):
    claim = by_key(Claim, "Claim", method="filter_either")
    relation_type = filters.ChoiceFilter(choices=choices.ClaimRelationType.choices, label="Type")

    class Meta:
        model = ClaimRelation
        fields = ["claim", "relation_type"]

    def filter_either(self, queryset: QuerySet, name: str, value: Claim) -> QuerySet:
        return queryset.filter(Q(claim=value) | Q(other=value))


class ActorRelationFilter(filters.FilterSet):
    actor = by_key(Actor, "Actor", method="filter_either")
    relation_type = filters.ChoiceFilter(choices=choices.ActorRelationType.choices, label="Type")

    class Meta:
        model = ActorRelation
        fields = ["actor", "relation_type"]

    def filter_either(self, queryset: QuerySet, name: str, value: Actor) -> QuerySet:
        return queryset.filter(Q(subject=value) | Q(object=value))


class AliasFilter(filters.FilterSet):
    actor = by_key(Actor, "Actor")
    script = filters.CharFilter(max_length=4, label="Script (ISO 15924)")

    class Meta:
        model = ActorAlias
        fields = ["actor", "script"]


class ParticipantFilter(filters.FilterSet):
    event = by_key(Event, "Event")
    actor = by_key(Actor, "Actor")
    role = filters.ChoiceFilter(choices=choices.ParticipantRole.choices)

    class Meta:
        model = EventParticipant
        fields = ["event", "actor", "role"]


class SourceLinkFilter(filters.FilterSet):
    citing = by_key(Source, "Citing source")
    cited = by_key(Source, "Cited source")
    relation = filters.ChoiceFilter(choices=choices.SourceLinkRelation.choices)

    class Meta:
        model = SourceLink
        fields = ["citing", "cited", "relation"]
