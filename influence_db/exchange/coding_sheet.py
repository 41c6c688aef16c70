"""The coding sheet as an export: the same columns a coder fills in, so it imports back.

One row per citation of a claim, the claim's own fields repeated on each of its rows.
Assumption links travel in groups that share a rationale: the first group on the
claim's first row, the second on its second, and so on; a claim with more groups than
citations repeats its last citation for them (the import merges repeated citations).
Built in Python on every database, chunk by chunk, so the bytes do not depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from django.db import connection
from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Collate

from influence_db.coding.choices import Status
from influence_db.coding.models import Citation, Claim, ClaimAssumption
from influence_db.exchange.csvsafe import escape
from influence_db.exchange.export import BOM, csv_line
from influence_db.exchange.sql import LIST_SEPARATOR

COLUMNS = [
    "claim",
    "source",
    "locator_type",
    "locator",
    "quote",
    "as_cited_in",
    "statement",
    "kind",
    "modality",
    "attributed_to",
    "confidence",
    "actors",
    "events",
    "themes",
    "period_start",
    "period_end",
    "assumptions",
    "rationale",
    "link_by",
    "notes",
]
CHUNK_CLAIMS = 500


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    return escape(str(value))


def claim_rows(claim: Claim, *, public: bool = False) -> Iterator[list[str | None]]:
    """The claim's rows. A public sheet names only approved records, like every default export."""

    def shown(record: object) -> bool:
        return record is not None and (not public or record.status == Status.APPROVED)

    def keys(records: object) -> str:
        return LIST_SEPARATOR.join(sorted(record.key for record in records if shown(record)))

    shared = [
        claim.statement,
        claim.kind,
        claim.modality,
        claim.attributed_to.key if shown(claim.attributed_to) else None,
        claim.confidence,
        keys(claim.actors.all()),
        keys(claim.events.all()),
        keys(claim.themes.all()),
        claim.period_start.isoformat() if claim.period_start else None,
        claim.period_end.isoformat() if claim.period_end else None,
    ]
    citations = sorted(
        (citation for citation in claim.citations.all() if shown(citation.source)),
        # Every exported column in the key, so equal-looking rows never fall back to storage order.
        key=lambda c: (
            c.source.key.encode(),
            c.locator.encode(),
            c.quote.encode(),
            c.locator_type.encode(),
            (c.as_cited_in.key if c.as_cited_in else "").encode(),
        ),
    )
    links = [link for link in claim.assumption_links.all() if shown(link.assumption)]
    groups = [
        (rationale, attribution, LIST_SEPARATOR.join(f"{link.assumption.code}:{link.relation}" for link in links))
        for (rationale, attribution), links in groupby(
            sorted(links, key=lambda a: (a.rationale, a.attribution, a.assumption.code)),
            key=lambda a: (a.rationale, a.attribution),
        )
    ]
    # At least one row, so that a claim with neither citations nor links is not lost.
    for index in range(max(len(citations), len(groups), 1)):
        citation = citations[min(index, len(citations) - 1)] if citations else None
        rationale, attribution, links = groups[index] if index < len(groups) else (None, None, None)
        where = (
            [
                citation.source.key,
                citation.locator_type,
                citation.locator,
                citation.quote,
                citation.as_cited_in.key if shown(citation.as_cited_in) else None,
            ]
            if citation
            else [None] * 5
        )
        yield [_cell(v) for v in [claim.key, *where, *shared, links, rationale, attribution, claim.notes]]


def stream_coding_sheet(claims: QuerySet, *, public: bool, bom: bool = False) -> Iterator[bytes]:
    yield (BOM if bom else b"") + csv_line(COLUMNS).encode()
    citations = Citation.objects.select_related("source", "as_cited_in")
    links = ClaimAssumption.objects.select_related("assumption")
    # Keyset pages in byte order of the key (PostgreSQL's own collation would ignore hyphens).
    ordered = (
        claims.alias(byte_key=Collate("key", "C"))
        if connection.vendor == "postgresql"
        else claims.alias(byte_key=F("key"))
    )
    last = None
    while True:
        page = ordered.filter(byte_key__gt=last) if last is not None else ordered
        chunk = list(page.order_by("byte_key").values_list("key", flat=True)[:CHUNK_CLAIMS])
        if not chunk:
            return
        last = chunk[-1]
        batch = (
            Claim.objects.filter(key__in=chunk)
            .select_related("attributed_to")
            .prefetch_related(
                "actors",
                "events",
                "themes",
                Prefetch("citations", queryset=citations),
                Prefetch("assumption_links", queryset=links),
            )
        )
        by_key = {claim.key: claim for claim in batch}
        rows = (row for key in chunk for row in claim_rows(by_key[key], public=public))
        yield "".join(csv_line(row) for row in rows).encode()
