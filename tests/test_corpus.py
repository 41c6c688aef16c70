"""The coded corpus shipped in sources/ and fixtures/: it loads, it is complete, it round-trips.

Loading it takes a while, so it is loaded once for the module, in a transaction that
is rolled back at the end; each test runs inside it and is rolled back on its own.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q

from influence_db.coding import models
from influence_db.coding.choices import Status
from influence_db.exchange.csl import export_csl

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCES = Path(settings.BASE_DIR) / "sources"


def load() -> None:
    call_command("load_corpus", stdout=io.StringIO())


@pytest.fixture(scope="module", autouse=True)
def corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def test_the_corpus_is_complete_and_cited():
    # The floor the corpus issue set, not a target.
    assert models.Actor.objects.count() >= 45
    assert models.ActorAlias.objects.count() >= 90
    assert models.Event.objects.count() >= 35
    assert models.Source.objects.count() >= 60
    assert models.Claim.objects.count() >= 130
    assert models.ClaimAssumption.objects.count() >= 50

    uncited = models.Claim.objects.annotate(
        cited=Count("citations", filter=~Q(citations__locator="") & ~Q(citations__quote=""))
    ).filter(cited=0)
    assert list(uncited.values_list("key", flat=True)) == []
    assert not models.Event.objects.filter(Q(date_start=None) | Q(date_precision="")).exists()
    assert not models.ClaimAssumption.objects.filter(rationale="").exists()
    assert models.ClaimAssumption.objects.filter(attribution="source").exists()
    assert models.ClaimAssumption.objects.filter(attribution="coder").exists()

    # Both documents are coded in full, and where they meet is recorded.
    coded = set(models.Source.objects.filter(is_coded_document=True).values_list("key", flat=True))
    assert coded == {"rouhani-era-iran-iraq-2025", "zimmt-2020-iran-iraq"}
    across = models.ClaimRelation.objects.filter(claim__key__startswith="paper-", other__key__startswith="report-")
    assert across.filter(relation_type="contradicts").exists()
    assert across.filter(relation_type="corroborates").exists()

    # Left as a supervisor would leave it: nearly all approved, some waiting, some returned.
    claims = models.Claim.objects
    assert claims.filter(status=Status.APPROVED).count() > 0.9 * claims.count()
    assert claims.filter(status=Status.SUBMITTED).exists()
    assert not claims.filter(status=Status.RETURNED, review_comment="").exists()
    assert claims.filter(status=Status.RETURNED).exists()


def test_aliases_find_the_actors_the_documents_name():
    for name, key in [
        ("Qassem Soleimani", "qasem-soleimani"),
        ("Quds Force", "qods-force"),
        ("Kataib Hezbollah", "kataib-hezbollah"),
        ("Hashd al-Shaabi", "popular-mobilization-forces"),
    ]:
        assert list(models.Actor.objects.named(name).values_list("key", flat=True)) == [key], name


def test_the_corpus_round_trips_and_loads_idempotently(tmp_path):
    history = {model: model.history.count() for model in (models.Claim, models.Actor, models.Citation)}
    load()
    assert {model: model.history.count() for model in history} == history

    call_command("export_csv", "--all", "--all-statuses", "-o", str(tmp_path), stderr=io.StringIO())
    # sources/ holds the bibliography as CSL-JSON; fixtures/ everything else.
    for shipped in sorted(FIXTURES.glob("*.csv")):
        assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name
    assert export_csl(models.Source.objects.all(), with_review=True) == (SOURCES / "corpus.json").read_text()
