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

INDEXES = ["coding_claim_statement_trgm", "coding_citation_quote_trgm"]


def set_statistics(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS {target}")

    return run


class Migration(migrations.Migration):
    dependencies = [("coding", "0011_fewer_index_writes")]

    # Back to -1: PostgreSQL's default target.
    operations = [migrations.RunPython(set_statistics(1000), set_statistics(-1), elidable=False)]
