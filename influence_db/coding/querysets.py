"""Named reads. Views, the admin and exports ask for records by what they need."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from influence_db.coding.choices import Status

# A search term that PostgreSQL expects in at least this share of all claims is looked for by
# walking the claims in list order (see ClaimQuerySet.search).
WALK_SHARE = 0.01


def estimated_rows(queryset: models.QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows `queryset` returns (EXPLAIN, nothing run); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    return json.loads(queryset.order_by().values("pk").explain(format="json"))[0]["Plan"]["Plan Rows"]


def count_up_to(queryset: models.QuerySet, cap: int) -> int:
    """How many rows `queryset` has, counting no further than `cap` (a COUNT over a LIMITed subquery)."""
    return queryset.order_by()[:cap].count()


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


@dataclass(frozen=True)
class _SearchTerm:
    """One word of a search: its two conditions and PostgreSQL's estimates of their rows (0 elsewhere)."""

    own: Q  # the claim's statement or key has the word
    quotes: models.QuerySet  # citations whose quote has it
    own_rows: int = 0
    quote_rows: int = 0
    claims: int = 0

    @classmethod
    def estimate(cls, own: Q, quotes: models.QuerySet) -> _SearchTerm:
        from influence_db.coding.models import Claim

        claims = estimated_rows(Claim.objects.all())
        if not claims:
            return cls(own, quotes)
        return cls(own, quotes, estimated_rows(Claim.objects.filter(own)), estimated_rows(quotes), claims)

    @property
    def share(self) -> float:
        """The share of all claims expected to match."""
        return (self.own_rows + self.quote_rows) / self.claims if self.claims else 0.0

    def quotes_by_walk(self, cap: int) -> bool:
        """Whether testing claims in turn until `cap` cite the word touches fewer rows than collecting its quotes."""
        return bool(self.quote_rows) and cap * self.claims / self.quote_rows < self.quote_rows


def _first_quote(quotes: models.QuerySet) -> Subquery:
    """The claim's first citation among `quotes`, as a probe of its own citations. A scalar subquery
    (LIMIT 1), because PostgreSQL would turn EXISTS or IN into collecting every matching quote first."""
    return Subquery(quotes.filter(claim=OuterRef("pk")).order_by().values("pk")[:1])


class ClaimQuerySet(CodedRecordQuerySet):
    _search_terms: tuple[_SearchTerm, ...] = ()
    # After one word searched among all claims: how many conditions the query had then. The same number
    # later means no filter came after, and its quoted claims can be counted from the quotes alone.
    _searched_alone: int | None = None

    def naming(self, actor) -> ClaimQuerySet:
        """Claims about `actor` or attributed to it (once each, however many links)."""
        from influence_db.coding.models import Claim

        about = Claim.actors.through.objects.filter(claim=OuterRef("pk"), actor=actor)
        return self.filter(Q(attributed_to=actor) | Exists(about))

    def citing(self, source) -> ClaimQuerySet:
        """Claims with a citation of `source`: the claims coded from it."""
        from influence_db.coding.models import Citation

        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"), source=source)))

    def search(self, text: str, *, approved_sources_only: bool = False, indexed_order: bool = True) -> ClaimQuerySet:
        """Claims whose key or statement, or a quote of whose citations, contains `text` (any case).

        Two ways to the same rows; PostgreSQL's estimate of how many claims match picks one.
        A rare term: a UNION of two id lists, each read from its trigram index (migration 0008),
        so the cost grows with the matches, not the table. A common one: the claims are tested in
        list order until a page is full, which takes a few thousand rows where collecting tens of
        thousands of matches first would take seconds. That walk needs an index in the list's order
        (the key, or the review queue's, migration 0013), so a caller that will sort the results
        otherwise says `indexed_order=False`.
        """
        from influence_db.coding.models import Citation, Claim

        own = Q(statement__icontains=text) | Q(key__icontains=text)
        quotes = Citation.objects.filter(quote__icontains=text, claim__isnull=False)
        if approved_sources_only:
            quotes = quotes.filter(source__status=Status.APPROVED)
        term = _SearchTerm.estimate(own, quotes)
        if indexed_order and term.share >= WALK_SHARE:
            alias = f"search_quote_{len(self._search_terms)}"
            found = self.alias(**{alias: _first_quote(quotes)}).filter(own | Q(**{f"{alias}__isnull": False}))
        else:
            # Unordered parts: SQLite refuses an ORDER BY inside a UNION, and Django 5.2 keeps the models' own.
            ids = Claim.objects.filter(own).order_by().values("pk").union(quotes.order_by().values("claim_id"))
            found = self.filter(pk__in=ids)
        found._search_terms = (*self._search_terms, term)
        alone = not self._search_terms and not self.query.where
        found._searched_alone = len(found.query.where.children) if alone else None
        return found

    def capped_count(self, cap: int) -> int:
        """count_up_to(self, cap); after a search, counted as two sets through the indexes of its rarest term.

        Every match of the search has that term in its statement or key, or in a quote: the two
        sets, each cut at `cap`, count the matches up to `cap` exactly, where counting the search
        as one would test claim after claim. Either set reaching `cap` alone settles it: a word
        PostgreSQL expects in `cap` statements or keys is counted there first, and no quote is read
        if they reach it ("Iran" in the review queue: 0.1 s, not 0.5). The quoted set is collected
        from the quote index, or, when testing claims in turn until `cap` are found would touch
        fewer rows, by that test. A word searched among all claims with no other filter counts the
        distinct claims of its first `cap` quotes instead: no claim need be tested (a word in a
        fifth of all quotes: 150 ms, not 400).
        """
        if not self._search_terms or not connection.features.supports_slicing_ordering_in_compound:
            return count_up_to(self, cap)
        term = min(self._search_terms, key=lambda term: term.share)
        own = self.filter(term.own).order_by().values("pk")[:cap]
        if term.own_rows >= cap and own.count() == cap:
            return cap
        if self._searched_alone == len(self.query.where.children):
            quoted = term.quotes.order_by().values("claim_id").distinct()
        elif term.quotes_by_walk(cap):
            quoted = self.alias(search_quote_count=_first_quote(term.quotes)).filter(search_quote_count__isnull=False)
            quoted = quoted.order_by().values("pk")
        else:
            quoted = self.filter(pk__in=term.quotes.values("claim_id")).order_by().values("pk")
        return min(cap, own.union(quoted[:cap]).count())

    def _clone(self) -> ClaimQuerySet:
        # The search terms go along with every filter, slice and ordering that follows the search.
        clone = super()._clone()
        clone._search_terms, clone._searched_alone = self._search_terms, self._searched_alone
        return clone

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
