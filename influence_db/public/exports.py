"""The CSV form of every public list: the same filters, formula-safe, streamed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from influence_db.coding import models as coding
from influence_db.exchange.datasets import DATASETS
from influence_db.exchange.export import csv_download, stream_csv

# The export dataset for each model the read-only side lists.
PUBLIC_DATASETS = {
    coding.Claim: "claims-full",
    coding.Actor: "actors",
    coding.ActorAlias: "aliases",
    coding.ActorRelation: "actor-relations",
    coding.Event: "events",
    coding.Source: "sources",
    coding.SourceLink: "source-links",
    coding.Theme: "themes",
    coding.TheoryAssumption: "assumptions",
    coding.Citation: "citations",
    coding.ClaimAssumption: "claim-assumptions",
    coding.ClaimRelation: "claim-relations",
}


def csv_response(queryset: QuerySet, *, filename: str, bom: bool = False) -> StreamingHttpResponse:
    """The rows of `queryset` (already filtered) in the public columns of its model's dataset."""
    dataset = DATASETS[PUBLIC_DATASETS[queryset.model]]
    return csv_download(stream_csv(dataset, queryset=queryset, public=True, bom=bom), filename=f"{filename}.csv")
