"""What the read-only side reads: approved records, and links whose ends are all approved.

Pages and the API both read through here, so a rule about what the public may see is
written once. Prefetches land in `shown_*` attributes so that a template can never
reach an unapproved related record through a plain manager by mistake.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from influence_db.coding.choices import Status
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


def citations_of_claims() -> QuerySet[Citation]:
    return (
        Citation.objects.filter(source__status=APPROVED)
        .select_related("source", "as_cited_in")
        .order_by("source__key", "locator", "pk")
    )


def assumption_links() -> QuerySet[ClaimAssumption]:
    return (
        ClaimAssumption.objects.filter(claim__status=APPROVED, assumption__status=APPROVED)
        .select_related("claim", "assumption")
        .order_by("claim__key", "assumption__code")
    )


def claim_relations() -> QuerySet[ClaimRelation]:
    return (
        ClaimRelation.objects.filter(claim__status=APPROVED, other__status=APPROVED)
        .select_related("claim", "other")
        .order_by("claim__key", "relation_type", "other__key")
    )


def actor_relations() -> QuerySet[ActorRelation]:
    return (
        ActorRelation.objects.filter(subject__status=APPROVED, object__status=APPROVED)
        .select_related("subject", "object")
        .order_by("key")
    )


def aliases() -> QuerySet[ActorAlias]:
    return ActorAlias.objects.filter(actor__status=APPROVED).select_related("actor").order_by("actor__key", "name")


def participants() -> QuerySet[EventParticipant]:
    return (
        EventParticipant.objects.filter(event__status=APPROVED, actor__status=APPROVED)
        .select_related("event", "actor")
        .order_by("event__key", "role", "actor__name")
    )


def source_links() -> QuerySet[SourceLink]:
    return (
        SourceLink.objects.filter(citing__status=APPROVED, cited__status=APPROVED)
        .select_related("citing", "cited")
        .order_by("citing__key", "cited__key", "pk")
    )


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
            Prefetch("citations", queryset=citations_of_claims(), to_attr="shown_citations"),
            Prefetch(
                "assumption_links",
                queryset=ClaimAssumption.objects.filter(assumption__status=APPROVED)
                .select_related("assumption")
                .order_by("assumption__code"),
                to_attr="shown_assumption_links",
            ),
        )
    )


def claim_detail() -> QuerySet[Claim]:
    return (
        claims()
        .select_related("attributed_to")
        .prefetch_related(
            Prefetch("actors", queryset=_approved(Actor).order_by("name"), to_attr="shown_actors"),
            Prefetch("events", queryset=events_in_order(), to_attr="shown_events"),
            Prefetch(
                "relations_out",
                queryset=ClaimRelation.objects.filter(other__status=APPROVED).select_related("other").order_by("pk"),
                to_attr="shown_relations_out",
            ),
            Prefetch(
                "relations_in",
                queryset=ClaimRelation.objects.filter(claim__status=APPROVED).select_related("claim").order_by("pk"),
                to_attr="shown_relations_in",
            ),
        )
    )


def actors() -> QuerySet[Actor]:
    return (
        _approved(Actor)
        .select_related("parent")
        .prefetch_related(Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"), to_attr="shown_aliases"))
    )


def actor_detail() -> QuerySet[Actor]:
    return actors().prefetch_related(
        Prefetch(
            "relations_out",
            queryset=ActorRelation.objects.filter(object__status=APPROVED)
            .select_related("object")
            .order_by(Coalesce("start", Value(UNDATED)), "key"),
            to_attr="shown_relations_out",
        ),
        Prefetch(
            "relations_in",
            queryset=ActorRelation.objects.filter(subject__status=APPROVED)
            .select_related("subject")
            .order_by(Coalesce("start", Value(UNDATED)), "key"),
            to_attr="shown_relations_in",
        ),
        Prefetch(
            "event_roles",
            queryset=EventParticipant.objects.filter(event__status=APPROVED)
            .select_related("event")
            .order_by(Coalesce("event__date_start", Value(UNDATED)), "event__key"),
            to_attr="shown_event_roles",
        ),
        Prefetch("children", queryset=_approved(Actor).order_by("name"), to_attr="shown_children"),
    )


def events_in_order() -> QuerySet[Event]:
    return _approved(Event).annotate(when=Coalesce("date_start", Value(UNDATED))).order_by("when", "key")


def events() -> QuerySet[Event]:
    return events_in_order().prefetch_related(
        Prefetch(
            "event_participants",
            queryset=EventParticipant.objects.filter(actor__status=APPROVED)
            .select_related("actor")
            .order_by("role", "actor__name"),
            to_attr="shown_participants",
        )
    )


def event_detail() -> QuerySet[Event]:
    return events().prefetch_related(
        Prefetch(
            "citations",
            queryset=citations_of_claims(),
            to_attr="shown_citations",
        ),
    )


def sources() -> QuerySet[Source]:
    return _approved(Source)


def source_detail() -> QuerySet[Source]:
    return sources().prefetch_related(
        Prefetch(
            "links_out",
            queryset=SourceLink.objects.filter(cited__status=APPROVED)
            .select_related("cited")
            .order_by("footnote", "cited__key"),
            to_attr="shown_links_out",
        ),
        Prefetch(
            "links_in",
            queryset=SourceLink.objects.filter(citing__status=APPROVED)
            .select_related("citing")
            .order_by("citing__key", "pk"),
            to_attr="shown_links_in",
        ),
    )


def themes() -> QuerySet[Theme]:
    return _approved(Theme).select_related("source").order_by("kind", "name")


def assumptions() -> QuerySet[TheoryAssumption]:
    return _approved(TheoryAssumption).select_related("parent", "source").order_by("code")


def claims_citing(source: Source) -> QuerySet[Claim]:
    """Approved claims with a citation of `source` (the claims coded from it)."""
    return claims().filter(Exists(Citation.objects.filter(claim=OuterRef("pk"), source=source)))


# --- Aggregates ------------------------------------------------------------------------------


def overview() -> dict[str, int]:
    """How many approved records of each kind the database holds (the home page)."""
    return {
        "claims": _approved(Claim).count(),
        "citations": citations_of_claims().filter(claim__status=APPROVED).count(),
        "actors": _approved(Actor).count(),
        "events": _approved(Event).count(),
        "sources": _approved(Source).count(),
        "assumptions": _approved(TheoryAssumption).count(),
    }


def recently_approved(limit: int = 8) -> QuerySet[Claim]:
    return claims().filter(reviewed_at__isnull=False).order_by("-reviewed_at", "-pk")[:limit]


def evidence_counts() -> QuerySet:
    """Approved claim-assumption links counted by theme, assumption and relation."""
    return (
        ClaimAssumption.objects.filter(
            claim__status=APPROVED, assumption__status=APPROVED, claim__themes__status=APPROVED
        )
        .values("claim__themes__key", "assumption__code", "relation")
        .annotate(n=Count("claim", distinct=True))
        .order_by()
    )
