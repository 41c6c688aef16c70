"""Trigram indexes for substring search on PostgreSQL.

Admin and public search use icontains, which Django writes as
UPPER(col::text) LIKE UPPER('%…%'): a b-tree cannot answer it, a pg_trgm GIN index on
that same expression can, so a search over a million claims reads the matching rows only.
SQLite has no such index and needs none at its scale: there this migration does nothing.
The indexes are not in the models' state (Django's GinIndex would be created on SQLite
too), so makemigrations never proposes to drop them.
"""

from django.db import migrations

INDEXES = [
    ("coding_claim_statement_trgm", "coding_claim", "statement"),
    ("coding_claim_key_trgm", "coding_claim", "key"),
    ("coding_citation_quote_trgm", "coding_citation", "quote"),
    ("coding_actor_name_trgm", "coding_actor", "name"),
    ("coding_actoralias_name_trgm", "coding_actoralias", "name"),
    ("coding_source_title_trgm", "coding_source", "title"),
    ("coding_event_title_trgm", "coding_event", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        # The expression must be the one Django's icontains compiles to, or the index is unused.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("coding", "0007_longer_change_reasons")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
