"""Claim search: the two ways to its rows (collected through the indexes, or claims tested in
list order) find the same claims, the capped count counts them exactly up to the cap, and on
PostgreSQL the planner's estimate picks the way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from influence_db.coding import querysets
from influence_db.coding.choices import ClaimKind, Status
from influence_db.coding.models import Claim
from tests import factories
from tests.helpers import analyze

pytestmark = pytest.mark.django_db


@pytest.fixture
def way(request, monkeypatch):
    """Force one way: a share of 0 walks every search, a share above 1 never does."""
    monkeypatch.setattr(querysets, "WALK_SHARE", 0.0 if request.param else 2.0)
    return request.param


@pytest.fixture
def corpus():
    """Claims that match "samarra" in each place a search looks, and some that don't."""
    in_statement = factories.ClaimFactory(key="c-statement", statement="Militias moved toward Samarra.")
    in_key = factories.ClaimFactory(key="samarra-shrine", statement="The shrine was guarded.")
    in_two_quotes = factories.ClaimFactory(key="c-two-quotes", statement="A column left the city.")
    factories.CitationFactory.create_batch(2, claim=in_two_quotes, quote="They reached SAMARRA at dawn.")
    unapproved_source = factories.SourceFactory(status=Status.DRAFT)
    quoted_from_draft = factories.ClaimFactory(key="c-draft-quote", statement="Convoys were seen.")
    factories.CitationFactory(claim=quoted_from_draft, source=unapproved_source, quote="near Samarra")
    factories.ClaimFactory(key="c-other", statement="Tehran and Baghdad signed an accord.")
    factories.CitationFactory(claim=factories.ClaimFactory(key="c-other-quote"), quote="in Najaf")
    factories.CitationFactory(claim=None, event=factories.EventFactory(), quote="Samarra, an event's quote")
    return {"statement": in_statement, "key": in_key, "quotes": in_two_quotes, "draft": quoted_from_draft}


def keys(queryset) -> list[str]:
    return list(queryset.values_list("key", flat=True))


@pytest.mark.parametrize("way", [True, False], ids=["tested-in-order", "collected"], indirect=True)
class TestBothWaysFindTheSameClaims:
    def test_statement_key_and_quotes_each_once(self, way, corpus):
        found = Claim.objects.search("samarra")
        assert keys(found) == ["c-draft-quote", "c-statement", "c-two-quotes", "samarra-shrine"]

    def test_quotes_of_unapproved_sources_can_be_left_out(self, way, corpus):
        assert "c-draft-quote" not in keys(Claim.objects.search("samarra", approved_sources_only=True))

    def test_every_word_must_match(self, way, corpus):
        assert keys(Claim.objects.search("samarra").search("militias")) == ["c-statement"]
        assert keys(Claim.objects.search("samarra").search("accord")) == []

    def test_other_filters_and_orderings_still_apply(self, way, corpus):
        found = Claim.objects.filter(statement__startswith="A ").search("samarra").order_by("-key")
        assert keys(found) == ["c-two-quotes"]
        assert keys(Claim.objects.search("samarra").order_by("-key")[:2]) == ["samarra-shrine", "c-two-quotes"]

    @pytest.mark.parametrize("cap, expected", [(10, 4), (4, 4), (3, 3), (1, 1)])
    def test_the_capped_count_is_exact_up_to_the_cap(self, way, corpus, cap, expected):
        assert Claim.objects.search("samarra").capped_count(cap) == expected

    def test_the_capped_count_keeps_filters_and_counts_a_claim_once(self, way, corpus):
        assert Claim.objects.filter(key__startswith="c-").search("samarra").capped_count(10) == 3
        assert Claim.objects.search("samarra").search("column").capped_count(10) == 1

    @pytest.mark.parametrize("by_walk", [True, False], ids=["quotes-tested", "quotes-collected"])
    def test_both_ways_of_counting_the_quoted_claims(self, way, corpus, monkeypatch, by_walk):
        monkeypatch.setattr(querysets._SearchTerm, "quotes_by_walk", lambda term, cap: by_walk)
        assert Claim.objects.search("samarra").capped_count(10) == 4
        assert Claim.objects.search("samarra").capped_count(2) == 2


def test_the_admin_search_counts_and_lists_the_matches(supervisor_client, corpus):
    response = supervisor_client.get("/admin/coding/claim/", {"q": "samarra"})
    cl = response.context["cl"]
    assert cl.result_count == 4
    assert sorted(claim.key for claim in cl.result_list) == [
        "c-draft-quote",
        "c-statement",
        "c-two-quotes",
        "samarra-shrine",
    ]


def half_near_samarra(claims: int = 2000) -> None:
    """`claims` claims, every other one with "Samarra" in its statement."""
    Claim.objects.bulk_create(
        Claim(key=f"bulk-{n:04d}", kind=ClaimKind.FACTUAL, statement=f"Forces {'near Samarra' if n % 2 else ''} ({n}).")
        for n in range(claims)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate exists on PostgreSQL only")
def test_postgresql_walks_for_a_common_word_and_collects_a_rare_one():
    half_near_samarra()
    factories.ClaimFactory(key="the-rare-one", statement="A visit to Tal Afar.")
    analyze("coding_claim", "coding_citation")

    common, rare = Claim.objects.search("Samarra"), Claim.objects.search("Tal Afar")
    assert common._search_terms[0].share > querysets.WALK_SHARE > rare._search_terms[0].share
    assert "UNION" not in str(common.query) and "LIMIT 1" in str(common.query)
    assert "UNION" in str(rare.query)
    assert common.count() == 1000 and keys(rare) == ["the-rare-one"]
    assert common.capped_count(300) == 300 and common.capped_count(5000) == 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate exists on PostgreSQL only")
class TestCountingACommonWord:
    """Where PostgreSQL expects the word in at least `cap` statements or keys, those are counted first;
    if they reach the cap, that settles the count and no quote is read."""

    @pytest.fixture(autouse=True)
    def claims(self):
        half_near_samarra()
        quoted = factories.ClaimFactory(key="quoted-only", statement="A column left the city.")
        factories.CitationFactory(claim=quoted, quote="They reached Samarra.")
        analyze("coding_claim", "coding_citation")

    def counted(self, queryset, cap):
        """The count, and the COUNT queries it took."""
        with CaptureQueriesContext(connection) as queries:
            count = queryset.capped_count(cap)
        return count, [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]

    @pytest.mark.parametrize(
        "make",
        [
            lambda: Claim.objects.search("Samarra"),
            lambda: Claim.objects.filter(key__startswith="bulk-").search("Samarra"),
            lambda: Claim.objects.search("Samarra").search("forces"),
        ],
        ids=["alone", "filtered", "two-words"],
    )
    def test_statements_reaching_the_cap_settle_it_without_the_quotes(self, make):
        count, queries = self.counted(make(), 300)
        assert count == 300 and len(queries) == 1 and "UNION" not in queries[0]

    @pytest.mark.parametrize(
        "make, expected",
        [
            (lambda: Claim.objects.search("Samarra"), 1001),
            (lambda: Claim.objects.filter(key__startswith="bulk-").search("Samarra"), 1000),
        ],
        ids=["alone", "filtered"],
    )
    def test_below_the_cap_the_quotes_are_counted_too(self, make, expected):
        count, queries = self.counted(make(), 5000)
        assert count == expected and "UNION" in queries[-1]

    def test_a_word_expected_in_few_statements_goes_straight_to_both_sets(self):
        count, queries = self.counted(Claim.objects.search("reached"), 300)
        assert count == 1 and len(queries) == 1 and "UNION" in queries[0]


class TestTheAdminWalksOnlyInIndexedOrder:
    """Testing claims in turn follows an index in the list's order (the key's, or the review queue's):
    a list sorted otherwise collects its matches."""

    @pytest.fixture(autouse=True)
    def always_walk(self, monkeypatch):
        monkeypatch.setattr(querysets, "WALK_SHARE", 0.0)

    @pytest.mark.parametrize(
        "params",
        [{}, {"o": "1"}, {"o": "-1.2"}, {"queue": "awaiting"}],
        ids=["default", "key", "key-descending", "review-queue"],
    )
    def test_in_indexed_order_it_walks(self, supervisor_client, corpus, params):
        Claim.objects.filter(key__in=["c-statement", "c-two-quotes"]).update(
            status=Status.SUBMITTED, submitted_at=timezone.now()
        )
        cl = supervisor_client.get("/admin/coding/claim/", {"q": "samarra", **params}).context["cl"]
        assert "UNION" not in str(cl.queryset.query)
        expected = ["c-statement", "c-two-quotes"] if params.get("queue") else [c.key for c in corpus.values()]
        assert sorted(claim.key for claim in cl.result_list) == sorted(expected)
        assert cl.result_count == len(expected)

    @pytest.mark.parametrize(
        "params", [{"o": "2"}, {"o": "-3.1"}, {"o": "x"}, {"o": "99"}, {"queue": "awaiting", "o": "2"}], ids=str
    )
    def test_sorted_otherwise_it_collects(self, supervisor_client, corpus, params):
        response = supervisor_client.get("/admin/coding/claim/", {"q": "samarra", **params})
        assert "UNION" in str(response.context["cl"].queryset.query)

    @pytest.mark.parametrize("client", ["supervisor_client", "viewer_client"])
    def test_columns_are_numbered_as_the_changelist_numbers_them(self, request, corpus, client):
        client = request.getfixturevalue(client)  # the viewer has no actions, so no checkbox column
        columns = client.get("/admin/coding/claim/").context["cl"].list_display
        for column, walks in (("key", True), ("short_statement", False)):
            params = {"q": "samarra", "o": str(columns.index(column))}
            cl = client.get("/admin/coding/claim/", params).context["cl"]
            assert ("UNION" not in str(cl.queryset.query)) is walks, column

    def test_sorted_by_statement_the_matches_come_in_that_order(self, supervisor_client, corpus):
        cl = supervisor_client.get("/admin/coding/claim/", {"q": "samarra", "o": "2"}).context["cl"]
        statements = [claim.statement for claim in cl.result_list]
        assert len(statements) == 4 and statements == sorted(statements)


class TestCountingAWordSearchedAlone:
    """A single word searched among all claims counts its quoted claims from the quotes alone;
    any filter, before or after the search, or a second word, goes back to testing claims.
    (Counting in two sets needs LIMIT inside UNION, which SQLite lacks: there it counts as one.)"""

    from_quotes = connection.features.supports_slicing_ordering_in_compound

    def counted(self, queryset, cap):
        with CaptureQueriesContext(connection) as queries:
            count = queryset.capped_count(cap)
        return count, any("DISTINCT" in query["sql"] for query in queries.captured_queries)

    # Caps above the two claims with the word in their own text: those alone do not settle the count.
    @pytest.mark.parametrize("cap, expected", [(10, 4), (4, 4), (3, 3)])
    def test_alone_it_counts_each_quoted_claim_once_from_the_quotes(self, corpus, cap, expected):
        assert self.counted(Claim.objects.search("samarra"), cap) == (expected, self.from_quotes)
        assert self.counted(Claim.objects.search("samarra").order_by("-key"), cap) == (expected, self.from_quotes)

    def test_a_claim_with_only_a_quote_of_an_event_is_not_counted(self, corpus):
        factories.CitationFactory(claim=None, event=factories.EventFactory(), quote="Samarra again")
        assert self.counted(Claim.objects.search("samarra"), 10) == (4, self.from_quotes)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: Claim.objects.search("samarra").filter(key__startswith="c-"),
            lambda: Claim.objects.filter(key__startswith="c-").search("samarra"),
            lambda: Claim.objects.search("samarra").exclude(key="samarra-shrine"),
        ],
        ids=["filter-after", "filter-before", "exclude-after"],
    )
    def test_any_filter_is_kept(self, corpus, make):
        assert self.counted(make(), 10) == (3, False)

    def test_a_second_word_is_kept(self, corpus):
        assert self.counted(Claim.objects.search("samarra").search("column"), 10) == (1, False)

    def test_quotes_of_unapproved_sources_stay_left_out(self, corpus):
        approved_only = Claim.objects.search("samarra", approved_sources_only=True)
        assert "c-draft-quote" not in keys(approved_only)
        assert self.counted(approved_only, 10) == (len(keys(approved_only)), self.from_quotes)
