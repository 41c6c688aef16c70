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


def copy_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[object]], *, binary: bool = False
) -> None:
    """PostgreSQL: stream `rows` (values in the order of `attnames`) into `model`'s table with COPY.

    `binary` sends each value in its column's binary form: neither side writes or parses text (claim
    rows into a table without indexes: a third of the time). The values must then be of the column's
    Python type: a date, not "2020-01-01"; JSON as the object, not as a string of JSON."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[name].column) for name in attnames)
    target = f"{quote(model._meta.db_table)} ({columns})"
    options = " (FORMAT BINARY)" if binary else ""
    with connection.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN{options}") as copy:
        if binary:
            # The column types by the names psycopg knows them by: "varchar(80)" is a varchar.
            copy.set_types([fields[name].db_type(connection).partition("(")[0] for name in attnames])
        for row in rows:
            copy.write_row(row)
