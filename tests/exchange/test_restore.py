"""Backup and restore: export everything, load it into an empty database, export again.

The suite runs on SQLite and on PostgreSQL (CI runs it twice), so the byte-for-byte
round trip below holds on both.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from influence_db.coding import choices, models, services
from influence_db.exchange.export import dataset_names
from tests import factories

pytestmark = pytest.mark.django_db

STAMP = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def corpus(coder, supervisor):
    """A small corpus touching every dataset, part approved, part not."""
    report = factories.SourceFactory(key="zimmt-2020-iran-iraq", is_coded_document=True, created_by=coder)
    irna = factories.SourceFactory(
        key="irna-2020-06-03", csl_type="article-newspaper", creators=[{"literal": "IRNA"}], created_by=coder
    )
    factories.SourceLinkFactory(citing=report, cited=irna, footnote=None, locator="§2 ¶3")
    irgc = factories.ActorFactory(key="irgc", name="Islamic Revolutionary Guard Corps", created_by=coder)
    qods = factories.ActorFactory(key="qods-force", name="Qods Force", parent=irgc, created_by=coder)
    factories.ActorAliasFactory(actor=qods, name="Quds Force")
    factories.ActorAliasFactory(actor=qods, name="فيلق القدس", language="ar", script="Arab")
    relation = factories.ActorRelationFactory(subject=qods, relation_type="subunit_of", object=irgc)
    factories.CitationFactory(
        claim=None, actor_relation=relation, source=report, locator="§1 ¶2", quote="the Qods Force"
    )
    event = factories.EventFactory(key="2020-01-03-strike", title="US strike at Baghdad airport", created_by=coder)
    factories.EventParticipantFactory(event=event, actor=qods, role="target")
    theme = factories.ThemeFactory(key="us-pressure", source=report, created_by=coder)
    assumption = factories.TheoryAssumptionFactory(code="SR-SELF-HELP", key="sr-self-help", created_by=coder)
    claim = factories.ClaimFactory(key="report-trade", statement='Trade, "quoted"\nand more', created_by=coder)
    claim.actors.set([qods, irgc])
    claim.themes.set([theme])
    claim.events.set([event])
    factories.CitationFactory(claim=claim, source=report, locator="Main Argument ¶3", quote="=trade exceeded")
    factories.ClaimAssumptionFactory(claim=claim, assumption=assumption, relation="illustrates", rationale="Why.")
    other = factories.ClaimFactory(key="report-other", created_by=coder)
    factories.CitationFactory(claim=other, source=irna, locator="1", quote="'Asa'ib said")
    factories.ClaimRelationFactory(claim=claim, relation_type="corroborates", other=other)
    services.record_submit(record=claim, user=coder)
    services.record_approve(record=claim, user=supervisor)
    services.record_submit(record=other, user=coder)
    services.record_return(record=other, user=supervisor, comment="Check the date.")
    # Fixed times, so that the files can be compared across runs and databases.
    for model in (models.Source, models.Actor, models.Event, models.Theme, models.TheoryAssumption, models.Claim):
        model.objects.update(created_at=STAMP, updated_at=STAMP)
    models.Claim.objects.exclude(reviewed_at=None).update(reviewed_at=STAMP, submitted_at=STAMP)


def export_all(directory: Path) -> dict[str, bytes]:
    call_command("export_csv", "--all", "--all-statuses", "-o", str(directory), stderr=io.StringIO())
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def wipe() -> None:
    for model in (
        models.Citation,
        models.ClaimAssumption,
        models.ClaimRelation,
        models.Claim,
        models.EventParticipant,
        models.Event,
        models.ActorRelation,
        models.ActorAlias,
        models.Theme,
        models.TheoryAssumption,
        models.SourceLink,
    ):
        model.objects.all().delete()
    models.Actor.objects.filter(parent__isnull=False).delete()
    models.Actor.objects.all().delete()
    models.Source.objects.all().delete()


def test_load_then_export_gives_back_the_same_bytes(corpus, tmp_path):
    before = export_all(tmp_path / "before")
    assert set(before) == {f"{name}.csv" for name in dataset_names()}
    wipe()
    assert not models.Claim.objects.exists()

    call_command("load_corpus", str(tmp_path / "before"), stdout=io.StringIO())

    assert export_all(tmp_path / "after") == before


def test_restore_keeps_status_authorship_and_review(corpus, tmp_path):
    export_all(tmp_path / "backup")
    wipe()
    call_command("load_corpus", str(tmp_path / "backup"), stdout=io.StringIO())

    approved = models.Claim.objects.get(key="report-trade")
    returned = models.Claim.objects.get(key="report-other")
    assert approved.status == choices.Status.APPROVED
    assert approved.created_by.username == "coder"
    assert approved.reviewed_by.username == "supervisor"
    assert returned.status == choices.Status.RETURNED
    assert returned.review_comment == "Check the date."
    assert approved.history.first().history_user.username == "supervisor"


def test_loading_twice_changes_nothing(corpus, tmp_path):
    export_all(tmp_path / "backup")
    wipe()
    call_command("load_corpus", str(tmp_path / "backup"), stdout=io.StringIO())
    history = {model: model.history.count() for model in (models.Claim, models.Actor, models.Citation)}

    call_command("load_corpus", str(tmp_path / "backup"), stdout=io.StringIO())

    assert {model: model.history.count() for model in history} == history


def test_unknown_users_are_created_inactive(corpus, tmp_path, django_user_model):
    export_all(tmp_path / "backup")
    wipe()
    django_user_model.objects.filter(username="coder").delete()

    call_command("load_corpus", str(tmp_path / "backup"), stdout=io.StringIO())

    coder = django_user_model.objects.get(username="coder")
    assert not coder.is_active
    assert models.Claim.objects.get(key="report-trade").created_by == coder


def test_a_bad_file_loads_nothing(corpus, tmp_path):
    export_all(tmp_path / "backup")
    wipe()
    aliases = tmp_path / "backup" / "aliases.csv"
    aliases.write_bytes(aliases.read_bytes() + b"no-such-actor,Someone,transliteration,,\n")

    with pytest.raises(CommandError, match=r"aliases.csv, row \d+, column actor, value “no-such-actor”"):
        call_command("load_corpus", str(tmp_path / "backup"), stdout=io.StringIO())

    assert not models.Source.objects.exists()
    assert not models.Actor.objects.exists()
