"""Named reads. Views, the admin and exports ask for records by what they need."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from influence_db.coding.choices import Status


class CodedRecordQuerySet(models.QuerySet):
    def approved(self) -> CodedRecordQuerySet:
        return self.filter(status=Status.APPROVED)

    def awaiting_review(self) -> CodedRecordQuerySet:
        # Oldest first: the queue is cleared in the order work was handed in.
        return self.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")

    def for_changelist(self) -> CodedRecordQuerySet:
        """What the admin changelist needs to show a page without a query per row."""
        return self


class ActorQuerySet(CodedRecordQuerySet):
    def named(self, name: str) -> ActorQuerySet:
        """Actors whose canonical name or any alias is `name`, ignoring case."""
        from influence_db.coding.models import ActorAlias

        name = name.strip()
        alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__iexact=name)
        return self.filter(Q(name__iexact=name) | Exists(alias))

    def for_changelist(self) -> ActorQuerySet:
        # An aggregate drops Meta.ordering (GROUP BY), so the order is restated for autocomplete.
        return (
            super()
            .for_changelist()
            .select_related("parent")
            .annotate(alias_count=Count("aliases", distinct=True))
            .order_by("name", "pk")
        )


class EventQuerySet(CodedRecordQuerySet):
    def for_changelist(self) -> EventQuerySet:
        from influence_db.coding.models import EventParticipant

        participants = EventParticipant.objects.select_related("actor").order_by("role", "actor__name")
        return super().for_changelist().prefetch_related(Prefetch("event_participants", queryset=participants))


class ClaimQuerySet(CodedRecordQuerySet):
    def naming(self, actor) -> ClaimQuerySet:
        """Claims about `actor` or attributed to it (once each, however many links)."""
        from influence_db.coding.models import Claim

        about = Claim.actors.through.objects.filter(claim=OuterRef("pk"), actor=actor)
        return self.filter(Q(attributed_to=actor) | Exists(about))

    def citing(self, source) -> ClaimQuerySet:
        """Claims with a citation of `source`: the claims coded from it."""
        from influence_db.coding.models import Citation

        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"), source=source)))

    def search(self, text: str, *, approved_sources_only: bool = False) -> ClaimQuerySet:
        """Claims whose key or statement, or a quote of whose citations, contains `text` (any case).

        Written as a UNION of two id lists rather than an OR across a join, so that
        PostgreSQL answers each half from its trigram index (migration 0008) instead of
        scanning every claim.
        """
        from influence_db.coding.models import Citation, Claim

        own = Claim.objects.filter(Q(statement__icontains=text) | Q(key__icontains=text)).values("pk")
        quotes = Citation.objects.filter(quote__icontains=text, claim__isnull=False)
        if approved_sources_only:
            quotes = quotes.filter(source__status=Status.APPROVED)
        return self.filter(pk__in=own.union(quotes.values("claim_id")))

    def for_changelist(self) -> ClaimQuerySet:
        from influence_db.coding.models import Citation

        citations = Citation.objects.select_related("source").only(
            "id", "claim_id", "locator_type", "locator", "source__key"
        )
        return (
            super()
            .for_changelist()
            .select_related("created_by")
            .prefetch_related(Prefetch("citations", queryset=citations), "themes")
        )
