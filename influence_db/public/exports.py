"""The CSV form of every public list: the same filters, formula-safe, streamed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from influence_db.exchange.datasets import MODEL_DATASETS
from influence_db.exchange.export import csv_download, stream_csv


def csv_response(queryset: QuerySet, *, filename: str, bom: bool = False) -> StreamingHttpResponse:
    """The rows of `queryset` (already filtered) in the public columns of its model's export dataset:
    the same file the admin's Download CSV gives, without the internal columns and unapproved rows."""
    dataset = MODEL_DATASETS[queryset.model]
    return csv_download(stream_csv(dataset, queryset=queryset, public=True, bom=bom), filename=f"{filename}.csv")
