"""Each lookup that needs an index finds one, in PostgreSQL's own plans: the indexes an import
no longer writes (a second index on keys, the unset citation targets) took nothing away."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from influence_db.coding.choices import ClaimKind, Modality, Status
from influence_db.coding.models import Citation, Claim
from tests import factories
from tests.helpers import analyze

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="plans are PostgreSQL's"),
]


@pytest.fixture
def claims() -> list[Claim]:
    """3,000 claims, each with a history row and a citation: enough rows for the planner to prefer an index."""
    source = factories.SourceFactory()
    claims = Claim.objects.bulk_create(
        Claim(key=f"bulk-{n:04d}", kind=ClaimKind.FACTUAL, statement=f"Statement {n}.") for n in range(3000)
    )
    history = Claim.history.model
    tracked = [field.attname for field in Claim._meta.concrete_fields if field.attname != "key"]
    now = timezone.now()
    history.objects.bulk_create(
        history(key=claim.key, **{name: getattr(claim, name) for name in tracked}, history_date=now, history_type="+")
        for claim in claims
    )
    Citation.objects.bulk_create(Citation(source=source, claim=claim, locator="1", quote="Q.") for claim in claims)
    analyze("coding_claim", "coding_historicalclaim", "coding_citation")
    return claims


def uses_an_index(plan: str) -> bool:
    return "Index" in plan and "Seq Scan" not in plan


def test_a_key_is_found_through_an_index(claims):
    assert uses_an_index(Claim.objects.filter(key="bulk-1234").explain())
    assert uses_an_index(Claim.history.filter(key="bulk-1234").explain())


def test_keys_by_prefix_use_the_pattern_index(claims):
    # New keys steer clear of every key issued, found by prefix in the records and their history.
    assert "claim_key_like" in Claim.objects.filter(key__startswith="bulk-12").explain()
    assert uses_an_index(Claim.history.filter(key__startswith="bulk-12").explain())


def test_the_rarer_citation_targets_are_found_through_their_partial_indexes(claims):
    event, cited_in = factories.EventFactory(), factories.SourceFactory()
    source = claims[0].citations.get().source
    Citation.objects.create(source=source, event=event, as_cited_in=cited_in, locator="2", quote="E.")
    analyze("coding_citation")
    assert "citation_event_set" in Citation.objects.filter(event=event).explain()
    assert "citation_as_cited_in_set" in Citation.objects.filter(as_cited_in=cited_in).explain()


def test_reviewers_and_attributions_are_found_through_their_partial_indexes(claims, supervisor):
    # Unset on new and imported claims, so indexed where set: the lookups that deleting a user or an
    # actor runs (PROTECT), and an actor's reported claims, still find them through an index.
    reviewer, actor = supervisor, factories.ActorFactory()
    Claim.objects.filter(pk__in=[claim.pk for claim in claims[::100]]).update(
        reviewed_by=reviewer, attributed_to=actor, modality=Modality.REPORTS
    )
    analyze("coding_claim")
    assert "claim_reviewer_set" in Claim.objects.filter(reviewed_by=reviewer).explain()
    assert "claim_reviewer_set" in Claim.objects.filter(reviewed_by__in=[reviewer.pk]).explain()
    assert "claim_attributed_to_set" in Claim.objects.filter(attributed_to=actor).explain()
    assert Claim.objects.filter(reviewed_by=reviewer).count() == 30


def test_the_review_queue_is_read_in_order_from_its_partial_index(claims):
    # A few claims awaiting review among thousands: the queue's page comes off the index, no sort, no scan.
    Claim.objects.filter(pk__in=[claim.pk for claim in claims[::100]]).update(
        status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    analyze("coding_claim")
    plan = Claim.objects.awaiting_review()[:50].explain()
    assert "claim_review_queue" in plan and "Sort" not in plan and "Seq Scan" not in plan
    # The queue searched for a common word is tested claim by claim in that order, as the admin asks.
    plan = Claim.objects.awaiting_review().search("Statement")[:50].explain()
    assert "claim_review_queue" in plan and "Sort" not in plan
