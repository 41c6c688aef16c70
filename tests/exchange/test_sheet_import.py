"""The coding sheet's bulk import (influence_db.exchange.sheet_import): the same rules and
messages as every other import, written in bulk with the history a row-by-row import
leaves, in a number of queries that does not grow with the file."""

from __future__ import annotations

import gc
import weakref

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from influence_db.coding import models
from influence_db.coding.choices import Status
from influence_db.exchange import sheet_import
from influence_db.exchange.importing import run_import
from tests import factories
from tests.exchange import test_import
from tests.exchange.test_import import SHEET_COLUMNS, history_of, imported, refused, sheet_row, snapshot, table
from tests.helpers import make_coder

pytestmark = pytest.mark.django_db

world = test_import.world  # the records the other import tests refer to
gc_enable = gc.enable


def many_rows(n: int, prefix: str = "claim", **cells: str) -> list[list[str]]:
    """`n` rows, each a new claim with one citation, actors by name and alias, a theme and a link."""
    return [
        sheet_row(
            claim=f"{prefix}-{i}",
            locator=str(i),
            quote=f"Passage {i}.",
            statement=f"Claim {i} about the Quds Force.",
            actors="Quds Force; islamic revolutionary guard corps" if i % 2 else "kataib-hizballah",
            assumptions="SR-SELF-HELP:illustrates",
            rationale="Arming allies is self-help.",
            **cells,
        )
        for i in range(n)
    ]


def fresh(user):
    """The user as a new request would have it: no permissions cached."""
    return type(user).objects.get(pk=user.pk)


def test_history_names_the_user_and_the_file(supervisor, world):
    data = table(SHEET_COLUMNS, *many_rows(2))
    imported("coding-sheet", data, supervisor, file_name="batch 7.csv")
    for claim in models.Claim.objects.filter(key__in=["claim-0", "claim-1"]):
        records = [claim, *claim.citations.all(), *claim.assumption_links.all()]
        assert len(records) == 3
        for record in records:
            (row,) = history_of(record)
            assert (row.history_type, row.history_user, row.history_change_reason) == (
                "+",
                supervisor,
                "Imported from batch 7.csv",
            )
        (row,) = history_of(claim)
        # The claim's history row holds its actors, events and themes as the file gave them.
        assert {m2m.actor_id for m2m in row.actors.all()} == set(claim.actors.values_list("pk", flat=True))
        assert [m2m.theme_id for m2m in row.themes.all()] == [world.protest.pk]
        assert [m2m.event_id for m2m in row.events.all()] == [world.strike.pk]
        assert (row.version, row.created_by, row.status) == (1, supervisor, Status.DRAFT)


def test_new_claims_are_written_whole(supervisor, world):
    data = table(SHEET_COLUMNS, *many_rows(3))
    assert str(imported("coding-sheet", data, supervisor)) == "Imported coding-sheet: 3 new, 0 updated."
    one, two = models.Claim.objects.get(key="claim-1"), models.Claim.objects.get(key="claim-2")
    assert set(one.actors.all()) == {world.quds, world.irgc}  # an alias and a name in other case
    assert list(two.actors.all()) == [world.kh]
    assert list(one.themes.all()) == [world.protest]
    assert list(one.events.all()) == [world.strike]
    assert list(one.citations.values_list("source__key", "locator_type", "locator", "quote")) == [
        ("zimmt-2020", "page", "1", "Passage 1.")
    ]
    assert list(one.assumption_links.values_list("assumption__code", "relation", "attribution")) == [
        ("SR-SELF-HELP", "illustrates", "source")
    ]
    assert (one.status, one.created_by, one.updated_by, one.version) == (Status.DRAFT, supervisor, supervisor, 1)
    assert one.created_at is not None and one.updated_at is not None


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_one_bad_row_in_a_big_file_writes_nothing(supervisor, world, dry_run):
    rows = many_rows(2000)
    rows[1499] = sheet_row(claim="claim-1499", themes="anti-iranian-protests")
    data = table(SHEET_COLUMNS, *rows)
    assert refused("coding-sheet", data, supervisor, dry_run=dry_run) == [
        # The 1500th row is spreadsheet row 1501: the header is row 1.
        "row 1501, column themes, value “anti-iranian-protests”: No theme has the key “anti-iranian-protests”. "
        "Did you mean anti-iranian-protest?"
    ]


def test_every_problem_of_a_row_at_once(supervisor, world):
    row = sheet_row(
        claim="Not a key!",
        kind="opinion",
        period_start="2020-13-01",
        actors="Badr",
        quote="",
        assumptions="SR-ANARCHY:supports",
        link_by="me",
    )
    problems = refused("coding-sheet", table(SHEET_COLUMNS, row), supervisor)
    assert [problem.split(":")[0] for problem in problems] == [
        "row 2",
        "row 2",
        "row 2, column actors, value “Badr”",
        "row 2, column claim, value “Not a key!”",
        "row 2, column kind, value “opinion”",
        "row 2, column period_start, value “2020-13-01”",
        "row 2, column quote",
    ]
    assert "Assumption links need a rationale (column rationale)." in problems[0] + problems[1]
    assert "“Badr” names more than one actor (" in problems[2]
    assert problems[5].endswith("Value could not be parsed using defined formats.")
    assert problems[6] == "row 2, column quote: This field cannot be blank."


def test_a_citation_of_itself_names_the_column(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(as_cited_in="zimmt-2020"))
    assert refused("coding-sheet", data, supervisor) == [
        "row 2, column as_cited_in, value “zimmt-2020”: A record cannot be related to itself."
    ]


def test_reimport_saves_the_same_records_again(supervisor, world):
    data = table(SHEET_COLUMNS, *many_rows(3))
    imported("coding-sheet", data, supervisor)
    before = snapshot()
    assert str(imported("coding-sheet", data, supervisor)) == "Imported coding-sheet: 0 new, 3 updated."
    after = snapshot()
    history = {"coding.HistoricalClaim", "coding.HistoricalCitation", "coding.HistoricalClaimAssumption"}
    history |= {f"coding.HistoricalClaim_{name}" for name in ("actors", "events", "themes")}
    # No record, link or many-to-many row more: only history, a "~" row for each save.
    assert {label: count for label, count in after.items() if label not in history} == {
        label: count for label, count in before.items() if label not in history
    }
    imported("coding-sheet", data, supervisor)  # once more: a second update goes the same way
    claim = models.Claim.objects.get(key="claim-1")
    assert claim.version == 3
    assert [row.history_type for row in history_of(claim)] == ["+", "~", "~"]
    assert [row.history_type for row in history_of(claim.citations.get())] == ["+", "~", "~"]
    assert [row.history_type for row in history_of(claim.assumption_links.get())] == ["+", "~", "~"]
    assert {row.actor_id for row in history_of(claim)[-1].actors.all()} == {world.quds.pk, world.irgc.pk}


def test_reimport_replaces_the_lists_and_keeps_what_the_file_leaves_out(supervisor, world):
    imported("coding-sheet", table(SHEET_COLUMNS, sheet_row()), supervisor)
    claim = models.Claim.objects.get(key="quds-force-keeps-militias-armed")
    header = [name for name in SHEET_COLUMNS if name != "themes"]
    row = dict(zip(SHEET_COLUMNS, sheet_row(actors="Qasem Soleimani; Quds Force", events=""), strict=True))
    imported("coding-sheet", table(header, [row[name] for name in header]), supervisor)
    assert set(claim.actors.all()) == {world.soleimani, world.quds}
    assert list(claim.events.all()) == []
    assert list(claim.themes.all()) == [world.protest]  # no themes column: the themes stay
    latest = history_of(claim)[-1]
    assert {row.actor_id for row in latest.actors.all()} == {world.soleimani.pk, world.quds.pk}
    # Each names the row it copies, a kept one or a new one, as simple_history's own would.
    through = models.Claim.actors.through.objects.filter(claim=claim)
    assert {(row.id, row.actor_id) for row in latest.actors.all()} == set(through.values_list("pk", "actor"))
    assert [row.theme_id for row in latest.themes.all()] == [world.protest.pk]
    assert list(latest.events.all()) == []


def test_rows_of_one_claim_are_saves_of_it(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(),
        sheet_row(locator="4", quote="Another passage.", locator_type="paragraph"),
        # The same passage again, as the export writes it for a second group of links.
        sheet_row(locator="4", quote="Another passage.", assumptions="SR-ANARCHY:supports", rationale="Anarchy."),
    )
    assert str(imported("coding-sheet", data, supervisor)) == "Imported coding-sheet: 1 new, 2 updated."
    claim = models.Claim.objects.get(key="quds-force-keeps-militias-armed")
    assert claim.version == 3
    assert [(row.history_type, row.version) for row in history_of(claim)] == [("+", 1), ("~", 2), ("~", 3)]
    again = claim.citations.get(locator="4")
    assert again.locator_type == "page"  # the last row's cell
    assert [(row.history_type, row.locator_type) for row in history_of(again)] == [("+", "paragraph"), ("~", "page")]


def test_empty_claim_cells_get_keys_never_issued(supervisor, world):
    factories.ClaimFactory(key="iran-arms-kh", statement="Iran arms KH.").delete()
    row = sheet_row(claim="", statement="Iran arms KH.")
    assert str(imported("coding-sheet", table(SHEET_COLUMNS, row, row), supervisor)) == (
        "Imported coding-sheet: 2 new, 0 updated."
    )
    assert set(models.Claim.objects.filter(statement="Iran arms KH.").values_list("key", flat=True)) == {
        "iran-arms-kh-2",
        "iran-arms-kh-3",
    }


def test_key_of_a_deleted_claim_is_not_reused(supervisor, world):
    factories.ClaimFactory(key="gone").delete()
    assert refused("coding-sheet", table(SHEET_COLUMNS, sheet_row(claim="gone")), supervisor) == [
        "row 2, column claim, value “gone”: This key is, or was, used by another record; keys are never reused."
    ]


@pytest.fixture
def coder_who_imports(coder):
    coder.user_permissions.add(Permission.objects.get(codename="import_records"))
    return fresh(coder)


def test_coder_takes_a_returned_claim_back_to_draft(coder_who_imports, world):
    claim = factories.ClaimFactory(key="mine", created_by=coder_who_imports, status=Status.RETURNED)
    imported("coding-sheet", table(SHEET_COLUMNS, sheet_row(claim="mine")), coder_who_imports)
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.created_by) == (Status.DRAFT, 2, coder_who_imports)


def test_coder_cannot_change_another_coders_claim(coder_who_imports, world):
    factories.ClaimFactory(key="theirs", created_by=make_coder("other-coder"), status=Status.APPROVED)
    data = table(SHEET_COLUMNS, sheet_row(claim="new-claim"), sheet_row(claim="theirs"))
    assert refused("coding-sheet", data, coder_who_imports) == ["row 3: You may not change this record."]


def test_queries_do_not_grow_with_the_rows(supervisor, world):
    # Django 5.2 caps SQLite at 999 parameters a statement, and bulk_create splits a table's rows
    # into statements that fit: there, with rows that fit one, a growing count means a query per row.
    big = 200 if (connection.features.max_query_params or 10**6) >= 200 * 40 else 30
    imported("coding-sheet", table(SHEET_COLUMNS, *many_rows(3, "warm-up")), supervisor)
    counts = []
    for n in (10, big):
        data = table(SHEET_COLUMNS, *many_rows(n, f"batch-{n}"))
        with CaptureQueriesContext(connection) as queries:
            run_import("coding-sheet", data, user=fresh(supervisor), file_name="x.csv")
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 40
    with CaptureQueriesContext(connection) as queries:
        run_import("coding-sheet", data, user=fresh(supervisor), file_name="x.csv")  # as many updates
    assert len(queries) <= 60


def test_the_collector_resumes_after_the_import_has_let_go_of_its_rows(supervisor, world, monkeypatch):
    """The import pauses the cyclic garbage collector; were its rows still held when it resumed, the
    collector's first pass would walk every one of them just before they are freed."""
    plans, alive_at_resume = [], []
    start = sheet_import._Plan.__init__

    def tracked(self, *args, **kwargs):
        start(self, *args, **kwargs)
        plans.append(weakref.ref(self))

    def resume():
        alive_at_resume.append([ref() for ref in plans])
        gc_enable()

    monkeypatch.setattr(sheet_import._Plan, "__init__", tracked)
    monkeypatch.setattr(gc, "enable", resume)
    imported("coding-sheet", table(SHEET_COLUMNS, *many_rows(50)), supervisor)
    assert alive_at_resume == [[None]]
    assert gc.isenabled()

    refused("coding-sheet", table(SHEET_COLUMNS, sheet_row(claim="new", themes="no-such-theme")), supervisor)
    assert gc.isenabled()
