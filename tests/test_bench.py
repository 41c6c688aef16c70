"""Smoke test of the benchmark script: every metric is measured and sane on a tiny corpus.
No timing thresholds: the numbers belong to the machine, not to the suite."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.db import connection

from bench import run
from influence_db.coding.models import Claim

pytestmark = pytest.mark.django_db

POSITIVE = (
    "export_rows_per_s",
    "import_rows_per_s",
    "import_history_rows",
    "import_export_rows_per_s",
    "import_vs_import_export",
    "changelist_ms",
    "changelist_queries",
    "search_ms",
    "queue_ms",
    "queue_search_ms",
    "public_list_ms",
    "api_list_ms",
    "deep_page_ms",
    "deep_page_position",
    "deep_vs_first",
)


def test_bench_measures_every_metric_and_leaves_the_corpus_as_it_was():
    assert run.ensure_claims(300) > 0
    assert run.ensure_claims(300) is None  # already there: nothing generated
    # In-process: a child interpreter would not see this test's uncommitted data.
    result = run.measure(import_rows=50, export_child=False)
    for name in POSITIVE:
        assert result[name] > 0, name
    assert result["claims"] == 300 == Claim.objects.count()  # the import was rolled back
    assert result["import_rows"] == 50 and result["import_history_rows"] >= 50
    # Per sheet row at least: the claim, its citation, its link, an actor and a theme, and a history row of each.
    assert result["import_rows_written"] >= 10 * 50
    assert result["export_rss_growth_mb"] >= 0
    assert isinstance(result["changelist_full_count"], bool)
    assert result["database"].startswith(connection.vendor)
    assert result["search_term"] == run.SEARCH_TERM
    spread = result["search_spread"]
    assert [entry["term"] for entry in spread[:-1]] == list(run.SEARCH_SPREAD)
    assert spread[-1]["matches"] >= 1  # the claim key from the middle finds its claim
    assert all(entry["ms"] > 0 for entry in spread) and result["search_worst_ms"] == max(e["ms"] for e in spread)
    if connection.vendor == "postgresql":
        assert result["copy_rows_per_s"] > 0 and result["export_vs_copy"] > 0
        assert result["table_copy_rows_per_s"] > 0 and result["export_vs_table_copy"] > 0
        assert result["import_copy_rows_per_s"] > 0 and result["import_vs_copy"] > 0
    else:
        assert result["copy_rows_per_s"] is None and result["export_vs_copy"] is None
        assert result["table_copy_rows_per_s"] is None
        assert result["import_copy_rows_per_s"] is None and result["import_vs_copy"] is None


def test_full_count_detection():
    assert run.is_full_count('SELECT COUNT(*) AS "__count" FROM "coding_claim"')
    assert not run.is_full_count('SELECT COUNT(*) AS "__count" FROM "coding_claim" WHERE "coding_claim"."status" = %s')
    assert not run.is_full_count('SELECT "coding_claim"."id" FROM "coding_claim" LIMIT 101')
    assert not run.is_full_count('SELECT COUNT(*) FROM (SELECT "coding_claim"."id" FROM "coding_claim" LIMIT 10000) s')


def test_requests_take_turns_and_ratios_are_taken_turn_by_turn():
    calls = []
    durations = run.in_turn_ms([lambda: calls.append("first"), lambda: calls.append("deep")], 3, warm_up=1)
    assert calls == ["first", "deep"] * 4  # one untimed round, then three timed
    assert [len(taken) for taken in durations] == [3, 3]
    # Round by round 2, 1 and 3: the median is 2, where the ratio of the medians would be 3 ÷ 1.
    assert run.median_ratio([2, 10, 3], [1, 10, 1]) == 2


def test_each_write_follows_each_of_the_others_and_the_import_comes_first():
    sequence = [name for order in run.WRITE_ORDERS for name in order]
    assert sequence[0] == "ours"  # the floor sends what the import's first run wrote
    followed = {name: {before for before, after in pairwise(sequence) if after == name} for name in sequence}
    assert followed == {"ours": {"floor", "theirs"}, "floor": {"ours", "theirs"}, "theirs": {"ours", "floor"}}
