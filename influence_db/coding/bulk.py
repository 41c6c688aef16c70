"""Rows straight into a table, for the paths that write thousands at once (the coding-sheet
import, the synthetic corpus): no model instances, no save()."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def can_copy() -> bool:
    """Whether the database takes rows with COPY: PostgreSQL through psycopg 3."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def copy_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """PostgreSQL: stream `rows` (values in the order of `attnames`) into `model`'s table with COPY."""
    column = {field.attname: field.column for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(column[name]) for name in attnames)})"
    with connection.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
