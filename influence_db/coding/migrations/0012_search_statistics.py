"""Finer statistics for the searched expressions of claims and quotes, on PostgreSQL.

A search asks the planner how many statements and quotes hold the word, and chooses by that
number between collecting the matches and testing claims in turn (ClaimQuerySet.search and
capped_count). PostgreSQL estimates LIKE '%word%' from the sample ANALYZE keeps of each
indexed expression: at the default 100 values, a word in a tenth of a million quotes came
out anywhere from 45,000 to 138,000 from one ANALYZE to the next, and the choice, 250 ms or
600 ms, with it. At 1,000 values the estimate stays within about 15 %. ANALYZE takes longer
(about 2.5 s for 1.5 million citations).
"""

from django.db import migrations

TARGETS = [("coding_claim_statement_trgm", 1000), ("coding_citation_quote_trgm", 1000)]


def set_targets(apps, schema_editor, *, default: bool = False):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, target in TARGETS:
        schema_editor.execute(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS {-1 if default else target}")


def reset_targets(apps, schema_editor):
    set_targets(apps, schema_editor, default=True)


class Migration(migrations.Migration):
    dependencies = [("coding", "0011_fewer_index_writes")]

    operations = [migrations.RunPython(set_targets, reset_targets, elidable=False)]
