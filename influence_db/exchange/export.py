"""Streaming CSV export: constant memory whatever the size of the table."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from influence_db.exchange.datasets import DATASETS, Dataset
from influence_db.exchange.sql import Dialect

BOM = "\ufeff".encode()
CHUNK_ROWS = 2000
_NEEDS_QUOTES = frozenset(',"\r\n')


def csv_cell(value: str | None) -> str:
    """One cell, quoted exactly when PostgreSQL's COPY … CSV quotes it."""
    if value is None:
        return ""
    if _NEEDS_QUOTES.intersection(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(values: list[str | None] | tuple[str | None, ...]) -> str:
    return ",".join(csv_cell(value) for value in values) + "\n"


def stream_csv(
    dataset: Dataset,
    *,
    all_statuses: bool = False,
    queryset: QuerySet | None = None,
    bom: bool = False,
    public: bool = False,
) -> Iterator[bytes]:
    """The dataset as CSV bytes, in blocks. `queryset` limits it to those records (a filtered list);
    `public` gives the read-only side's columns (see Dataset.select)."""
    dialect = Dialect(connection.vendor)
    ids = None
    if queryset is not None:
        ids = queryset.order_by().values("pk").query.sql_with_params()
        ids = (ids[0], list(ids[1]))
    sql, params = dataset.select(dialect, all_statuses=all_statuses, ids=ids, public=public)
    yield (BOM if bom else b"") + csv_line(dataset.header(dialect, public=public)).encode()
    if dialect.is_postgres:
        yield from _copy(sql, params)
    else:
        yield from _fetch(sql, params)


def csv_download(chunks: Iterator[bytes], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV file download (the admin's, the public pages' and the API's)."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _copy(sql: str, params: list) -> Iterator[bytes]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        # Always a parameter list, even empty, so that "%%" in the SQL means "%" on both paths.
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for block in copy:
                yield bytes(block)


def _fetch(sql: str, params: list) -> Iterator[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield "".join(csv_line(row) for row in rows).encode()


CODING_SHEET = "coding-sheet"


def dataset_names() -> list[str]:
    return sorted([*DATASETS, CODING_SHEET])


def stream_dataset(name: str, *, all_statuses: bool = False, bom: bool = False) -> Iterator[bytes]:
    """Any dataset by name: the SQL ones, and the coding sheet, which is built in Python."""
    if name != CODING_SHEET:
        return stream_csv(DATASETS[name], all_statuses=all_statuses, bom=bom)
    from influence_db.coding.models import Claim
    from influence_db.exchange.coding_sheet import stream_coding_sheet

    claims = Claim.objects.all() if all_statuses else Claim.objects.approved()
    return stream_coding_sheet(claims, public=not all_statuses, bom=bom)
