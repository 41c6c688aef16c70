"""What the read-only side reads: approved records, and links whose ends are all approved.

Pages and the API both read through here, so a rule about what the public may see is
written once. Prefetches land in `shown_*` attributes so that a template can never
reach an unapproved related record through a plain manager by mistake.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from influence_db.coding.choices import AssumptionRelation, Status
from influence_db.coding.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    ClaimAssumption,
    ClaimRelation,
    CodedRecord,
    Event,
    EventParticipant,
    Source,
    SourceLink,
    Theme,
    TheoryAssumption,
)

APPROVED = Status.APPROVED
# Undated events sort after every dated one on the timeline and in keyset pages.
UNDATED = date(9999, 12, 31)


def shown(record: CodedRecord | None) -> CodedRecord | None:
    """The record if the public may see it (for a foreign key followed with select_related)."""
    return record if record is not None and record.status == APPROVED else None


# --- Links: shown only when every record they name is approved ---------------------------


def _linked(model: type, *ends: str, order: tuple[object, ...]) -> QuerySet:
    """Rows of the link `model` whose `ends` (the records it names) are all approved, joined to them."""
    return model.objects.filter(**{f"{end}__status": APPROVED for end in ends}).select_related(*ends).order_by(*order)


def _shown(relation: str, model: type, end: str, *order: object) -> Prefetch:
    """A record's links through `relation` whose other `end` is approved, in `shown_<relation>`."""
    return Prefetch(relation, queryset=_linked(model, end, order=order), to_attr=f"shown_{relation}")


def citations() -> QuerySet[Citation]:
    return (
        Citation.objects.filter(source__status=APPROVED)
        .filter(
            Q(claim__status=APPROVED)
            | Q(event__status=APPROVED)
            | Q(actor_relation__subject__status=APPROVED, actor_relation__object__status=APPROVED)
        )
        .select_related("source", "as_cited_in", "claim", "event", "actor_relation")
        .order_by("source__key", "locator", "pk")
    )


def record_citations() -> QuerySet[Citation]:
    """The citations of one (approved) claim or event: those of approved sources."""
    return _linked(Citation, "source", order=("source__key", "locator", "pk")).select_related("as_cited_in")


def assumption_links() -> QuerySet[ClaimAssumption]:
    return _linked(ClaimAssumption, "claim", "assumption", order=("claim__key", "assumption__code"))


def claim_relations() -> QuerySet[ClaimRelation]:
    return _linked(ClaimRelation, "claim", "other", order=("claim__key", "relation_type", "other__key"))


def actor_relations() -> QuerySet[ActorRelation]:
    return _linked(ActorRelation, "subject", "object", order=("key",))


def aliases() -> QuerySet[ActorAlias]:
    return _linked(ActorAlias, "actor", order=("actor__key", "name"))


def participants() -> QuerySet[EventParticipant]:
    return _linked(EventParticipant, "event", "actor", order=("event__key", "role", "actor__name"))


def source_links() -> QuerySet[SourceLink]:
    return _linked(SourceLink, "citing", "cited", order=("citing__key", "cited__key", "pk"))


# --- Main records ---------------------------------------------------------------------------


def _approved(model: type[CodedRecord]) -> QuerySet:
    return model.objects.approved()


def claims() -> QuerySet[Claim]:
    """Claims for a list: each row shows its themes, its citations' sources and its assumption links."""
    # attributed_to is joined: the API names it on every row (shown() hides it unless approved).
    return (
        _approved(Claim)
        .select_related("attributed_to")
        .prefetch_related(
            Prefetch("themes", queryset=_approved(Theme).order_by("name"), to_attr="shown_themes"),
            Prefetch("citations", queryset=record_citations(), to_attr="shown_citations"),
            _shown("assumption_links", ClaimAssumption, "assumption", "assumption__code"),
        )
    )


def claim_detail() -> QuerySet[Claim]:
    return claims().prefetch_related(
        Prefetch("actors", queryset=_approved(Actor).order_by("name"), to_attr="shown_actors"),
        Prefetch("events", queryset=events_in_order(), to_attr="shown_events"),
        _shown("relations_out", ClaimRelation, "other", "pk"),
        _shown("relations_in", ClaimRelation, "claim", "pk"),
    )


def actors() -> QuerySet[Actor]:
    return (
        _approved(Actor)
        .select_related("parent")
        .prefetch_related(Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"), to_attr="shown_aliases"))
    )


def actor_detail() -> QuerySet[Actor]:
    by_start = (Coalesce("start", Value(UNDATED)), "key")
    return actors().prefetch_related(
        _shown("relations_out", ActorRelation, "object", *by_start),
        _shown("relations_in", ActorRelation, "subject", *by_start),
        _shown("event_roles", EventParticipant, "event", Coalesce("event__date_start", Value(UNDATED)), "event__key"),
        Prefetch("children", queryset=_approved(Actor).order_by("name"), to_attr="shown_children"),
    )


def events_in_order() -> QuerySet[Event]:
    return _approved(Event).annotate(when=Coalesce("date_start", Value(UNDATED))).order_by("when", "key")


def events() -> QuerySet[Event]:
    # The attribute the templates and serializers read is shown_participants.
    participants = _linked(EventParticipant, "actor", order=("role", "actor__name"))
    return events_in_order().prefetch_related(
        Prefetch("event_participants", queryset=participants, to_attr="shown_participants")
    )


def event_detail() -> QuerySet[Event]:
    return events().prefetch_related(Prefetch("citations", queryset=record_citations(), to_attr="shown_citations"))


def sources() -> QuerySet[Source]:
    return _approved(Source)


def source_detail() -> QuerySet[Source]:
    return sources().prefetch_related(
        _shown("links_out", SourceLink, "cited", "footnote", "cited__key"),
        _shown("links_in", SourceLink, "citing", "citing__key", "pk"),
    )


def themes() -> QuerySet[Theme]:
    return _approved(Theme).select_related("source").order_by("kind", "name")


def assumptions() -> QuerySet[TheoryAssumption]:
    return _approved(TheoryAssumption).select_related("parent", "source").order_by("code")


# --- Aggregates ------------------------------------------------------------------------------


def overview() -> dict[str, int]:
    """How many approved records of each kind the database holds (the home page)."""
    return {
        "claims": _approved(Claim).count(),
        "citations": record_citations().filter(claim__status=APPROVED).count(),
        "actors": _approved(Actor).count(),
        "events": _approved(Event).count(),
        "sources": _approved(Source).count(),
        "assumptions": _approved(TheoryAssumption).count(),
    }


def recently_approved(limit: int = 8) -> QuerySet[Claim]:
    return claims().filter(reviewed_at__isnull=False).order_by("-reviewed_at", "-pk")[:limit]


def evidence(*by: str, **where: object) -> dict[tuple, dict[str, int]]:
    """How many approved claims bear on approved assumptions, by relation, grouped by the
    ClaimAssumption lookups `by` (e.g. "claim__themes__key"): {(values of by): {relation: n}}.

    A record that a lookup passes through (a theme, a source) counts only when approved.
    """
    links = ClaimAssumption.objects.filter(claim__status=APPROVED, assumption__status=APPROVED, **where)
    for record in {lookup.rsplit("__", 1)[0] for lookup in by} - {"assumption"}:
        links = links.filter(**{f"{record}__status": APPROVED})
    table: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AssumptionRelation.values, 0))
    rows = links.values(*by, "relation").annotate(n=Count("claim", distinct=True)).order_by()
    for row in rows:
        table[tuple(row[lookup] for lookup in by)][row["relation"]] = row["n"]
    return table


def assumptions_with_counts() -> QuerySet[TheoryAssumption]:
    """Approved assumptions, each annotated with its number of approved claims per relation."""
    approved_claims = Q(claim_links__claim__status=APPROVED)
    return assumptions().annotate(
        **{
            relation: Count("claim_links", filter=approved_claims & Q(claim_links__relation=relation))
            for relation in AssumptionRelation.values
        }
    )
