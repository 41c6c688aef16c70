"""The export datasets: one CSV file each, named records by key, computed in SQL.

Each dataset is a SELECT over one base table (alias `t`) whose columns are CSV-ready
text (see exchange.sql). The same SELECT feeds `COPY … TO STDOUT` on PostgreSQL and a
cursor on SQLite, so both databases give the same bytes for the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from influence_db.coding import models as coding
from influence_db.coding.choices import Status
from influence_db.exchange.sql import Dialect


def table(model: type[models.Model]) -> str:
    return model._meta.db_table


def user_name(column: str) -> str:
    return f"(SELECT u.username FROM auth_user u WHERE u.id = {column})"


def approved(column: str, model: type[models.Model]) -> str:
    """SQL: the record of `model` whose id is in `column` is approved."""
    return f"EXISTS (SELECT 1 FROM {table(model)} a WHERE a.id = {column} AND a.status = '{Status.APPROVED}')"


Columns = Callable[[Dialect], list[tuple[str, str]]]


@dataclass(frozen=True)
class Dataset:
    name: str
    model: type[models.Model]
    columns: Columns
    order: Callable[[Dialect], str]
    # The rows a default export holds: approved records, and links between approved records.
    public: str
    # The rows the dataset holds at all (the flat claims table: citations of claims).
    scope: str | None = None

    def shown_columns(self, dialect: Dialect, *, public: bool = False) -> list[tuple[str, str]]:
        columns = self.columns(dialect)
        return [column for column in columns if column[0] not in INTERNAL_COLUMNS] if public else columns

    def header(self, dialect: Dialect, *, public: bool = False) -> list[str]:
        return [name for name, _ in self.shown_columns(dialect, public=public)]

    def select(
        self,
        dialect: Dialect,
        *,
        all_statuses: bool,
        ids: tuple[str, list] | None = None,
        public: bool = False,
    ) -> tuple[str, list]:
        """The SELECT, optionally limited to the ids of a filtered queryset (sql, params).

        `public` is the read-only side's form: approved rows only, without internal notes
        and review columns.
        """
        all_statuses = all_statuses and not public
        where, params = [self.scope] if self.scope else [], []
        if not all_statuses:
            where.append(self.public)
        if ids is not None:
            where.append(f"t.id IN ({ids[0]})")
            params.extend(ids[1])
        where_sql = (" WHERE " + " AND ".join(f"({condition})" for condition in where)) if where else ""
        if dialect.is_postgres:
            # Each value once: the inner query computes the raw values (subqueries and all)
            # in order, the outer one only escapes them. OFFSET 0 keeps PostgreSQL from
            # merging the two levels, which would compute each value three times.
            raw = self.shown_columns(Dialect(dialect.vendor, raw_text=True), public=public)
            inner = ", ".join(f"{expr} AS c{i}" for i, (_, expr) in enumerate(raw))
            outer = ", ".join(Dialect.escaped(f"s.c{i}") for i in range(len(raw)))
            sql = (
                f"SELECT {outer} FROM (SELECT {inner} FROM {table(self.model)} t{where_sql} "
                f"ORDER BY {self.order(dialect)} OFFSET 0) s"
            )
        else:
            columns = ", ".join(expr for _, expr in self.shown_columns(dialect, public=public))
            sql = f"SELECT {columns} FROM {table(self.model)} t{where_sql} ORDER BY {self.order(dialect)}"
        statuses = [Status.APPROVED] if not all_statuses else Status.values
        return sql.replace(VISIBLE, ", ".join(f"'{status}'" for status in statuses)), params


# Columns for the team only: the public side never shows notes, review comments or who coded what.
INTERNAL_COLUMNS = frozenset(
    {
        "notes",
        "status",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    }
)


def review_columns(d: Dialect) -> list[tuple[str, str]]:
    """Authorship and review state of a main record: a restore puts them back."""
    return [
        ("status", d.text("t.status")),
        ("created_by", d.text(user_name("t.created_by_id"))),
        ("created_at", d.timestamp("t.created_at")),
        ("updated_by", d.text(user_name("t.updated_by_id"))),
        ("updated_at", d.timestamp("t.updated_at")),
        ("submitted_at", d.timestamp("t.submitted_at")),
        ("reviewed_by", d.text(user_name("t.reviewed_by_id"))),
        ("reviewed_at", d.timestamp("t.reviewed_at")),
        ("review_comment", d.text("t.review_comment")),
    ]


# Stands for the statuses an export shows: only "approved" in a default export, all four
# with --all-statuses (Dataset.select fills it in). Every reference to a main record goes
# through it, so a public file never names a record it leaves out.
VISIBLE = "VISIBLE_STATUSES"


def visible(alias: str) -> str:
    return f"{alias}.status IN ({VISIBLE})"


def key_of(model: type[models.Model], column: str, field: str = "key") -> str:
    shown = f" AND {visible('r')}" if issubclass(model, coding.CodedRecord) else ""
    return f"(SELECT r.{field} FROM {table(model)} r WHERE r.id = {column}{shown})"


def plain(d: Dialect, *names: str) -> list[tuple[str, str]]:
    return [(name, d.text(f"t.{name}")) for name in names]


def by_key(d: Dialect) -> str:
    return d.bytewise("t.key")


PUBLIC = f"t.status = '{Status.APPROVED}'"


def source_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        *plain(d, "key", "csl_type", "title"),
        ("creators", d.text(d.creators("t.creators"))),
        *plain(d, "issued", "issued_precision", "container_title", "publisher", "publisher_place"),
        *plain(d, "volume", "issue", "pages", "url", "doi", "accessed", "language", "outlet_affiliation"),
        ("is_coded_document", d.boolean("t.is_coded_document")),
        *plain(d, "notes"),
        *review_columns(d),
    ]


def actor_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        *plain(d, "key", "name", "kind", "sector", "country"),
        ("parent", d.text(key_of(coding.Actor, "t.parent_id"))),
        *plain(d, "description", "active_from", "active_to", "wikidata_qid", "notes"),
        *review_columns(d),
    ]


def alias_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        ("actor", d.text(key_of(coding.Actor, "t.actor_id"))),
        *plain(d, "name", "alias_type", "language", "script"),
    ]


def actor_relation_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        *plain(d, "key"),
        ("subject", d.text(key_of(coding.Actor, "t.subject_id"))),
        *plain(d, "relation_type"),
        ("object", d.text(key_of(coding.Actor, "t.object_id"))),
        *plain(d, "start", "start_precision", "end", "end_precision", "notes"),
    ]


def event_columns(d: Dialect) -> list[tuple[str, str]]:
    participants = d.joined(
        "a.key || ':' || p.role",
        f"FROM {table(coding.EventParticipant)} p JOIN {table(coding.Actor)} a ON a.id = p.actor_id "
        f"WHERE p.event_id = t.id AND {visible('a')}",
    )
    return [
        *plain(d, "key", "title", "event_type", "date_start", "date_end", "date_precision", "date_as_written"),
        *plain(d, "location", "country", "description"),
        ("participants", d.text(participants)),
        *plain(d, "notes"),
        *review_columns(d),
    ]


def theme_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        *plain(d, "key", "kind", "name", "description"),
        ("source", d.text(key_of(coding.Source, "t.source_id"))),
        *plain(d, "notes"),
        *review_columns(d),
    ]


def assumption_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        *plain(d, "code", "theory", "branch", "label", "statement", "proponents"),
        ("source", d.text(key_of(coding.Source, "t.source_id"))),
        *plain(d, "source_locator"),
        ("parent", d.text(key_of(coding.TheoryAssumption, "t.parent_id", "code"))),
        *plain(d, "notes"),
        *review_columns(d),
    ]


def source_link_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        ("citing", d.text(key_of(coding.Source, "t.citing_id"))),
        ("cited", d.text(key_of(coding.Source, "t.cited_id"))),
        *plain(d, "footnote", "locator", "relation"),
    ]


def citation_target(d: Dialect) -> tuple[str, str]:
    kind = (
        "CASE WHEN t.claim_id IS NOT NULL THEN 'claim' "
        "WHEN t.event_id IS NOT NULL THEN 'event' ELSE 'actor-relation' END"
    )
    key = (
        f"COALESCE({key_of(coding.Claim, 't.claim_id')}, {key_of(coding.Event, 't.event_id')}, "
        f"{key_of(coding.ActorRelation, 't.actor_relation_id')})"
    )
    return kind, key


def citation_columns(d: Dialect) -> list[tuple[str, str]]:
    kind, key = citation_target(d)
    return [
        ("target_type", d.text(kind)),
        ("target", d.text(key)),
        ("source", d.text(key_of(coding.Source, "t.source_id"))),
        *plain(d, "locator_type", "locator", "quote"),
        ("as_cited_in", d.text(key_of(coding.Source, "t.as_cited_in_id"))),
    ]


def citation_order(d: Dialect) -> str:
    kind, key = citation_target(d)
    source = key_of(coding.Source, "t.source_id")
    cited_in = f"COALESCE({key_of(coding.Source, 't.as_cited_in_id')}, '')"
    return ", ".join(
        d.bytewise(expr) for expr in (kind, key, source, "t.locator", "t.quote", "t.locator_type", cited_in)
    )


def claim_relation_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        ("claim", d.text(key_of(coding.Claim, "t.claim_id"))),
        *plain(d, "relation_type"),
        ("other", d.text(key_of(coding.Claim, "t.other_id"))),
        *plain(d, "note"),
    ]


def claim_assumption_columns(d: Dialect) -> list[tuple[str, str]]:
    return [
        ("claim", d.text(key_of(coding.Claim, "t.claim_id"))),
        ("assumption", d.text(key_of(coding.TheoryAssumption, "t.assumption_id", "code"))),
        *plain(d, "relation", "attribution", "rationale"),
    ]


def claim_list(d: Dialect, claim: str, relation: str, value: str) -> str:
    """`value` (over alias x) of the claim's shown actors, events or themes, joined."""
    field = coding.Claim._meta.get_field(relation)
    target = field.related_model
    through = field.remote_field.through._meta.db_table
    return d.joined(
        value,
        f"FROM {through} m JOIN {table(target)} x ON x.id = m.{target._meta.model_name}_id "
        f"WHERE m.claim_id = {claim} AND {visible('x')}",
    )


def claim_links(d: Dialect, claim: str, value: str) -> str:
    """`value` (over link l and assumption x) of the claim's links to shown assumptions, joined."""
    return d.joined(
        value,
        f"FROM {table(coding.ClaimAssumption)} l JOIN {table(coding.TheoryAssumption)} x ON x.id = l.assumption_id "
        f"WHERE l.claim_id = {claim} AND {visible('x')}",
    )


def claim_lists(d: Dialect, claim: str) -> dict[str, str]:
    """The claim's actors, events, themes and assumption links, by key, each in one cell."""
    return {
        **{relation: claim_list(d, claim, relation, "x.key") for relation in ("actors", "events", "themes")},
        "assumptions": claim_links(d, claim, "x.code || ':' || l.relation"),
    }


def claim_columns(d: Dialect) -> list[tuple[str, str]]:
    lists = claim_lists(d, "t.id")
    return [
        *plain(d, "key", "statement", "kind", "modality"),
        ("attributed_to", d.text(key_of(coding.Actor, "t.attributed_to_id"))),
        *plain(d, "confidence"),
        *((name, d.text(lists[name])) for name in ("actors", "events", "themes", "assumptions")),
        *plain(d, "period_start", "period_end", "notes"),
        *review_columns(d),
    ]


def flat_claim_columns(d: Dialect) -> list[tuple[str, str]]:
    """The analyst's table: one row per citation of a claim, names instead of keys where people read them."""
    claim = "t.claim_id"
    c = f"(SELECT {{}} FROM {table(coding.Claim)} c WHERE c.id = {claim})"
    names = {
        "actors": claim_list(d, claim, "actors", "x.name"),
        "themes": claim_list(d, claim, "themes", "x.name"),
        "assumptions": claim_links(d, claim, "x.label || ' (' || l.relation || ')'"),
    }
    return [
        ("claim", d.text(c.format("c.key"))),
        ("statement", d.text(c.format("c.statement"))),
        ("kind", d.text(c.format("c.kind"))),
        ("modality", d.text(c.format("c.modality"))),
        (
            "attributed_to",
            d.text(c.format(key_of(coding.Actor, "c.attributed_to_id", "name"))),
        ),
        ("confidence", d.text(c.format("c.confidence"))),
        ("period_start", d.text(c.format("c.period_start"))),
        ("period_end", d.text(c.format("c.period_end"))),
        ("actors", d.text(names["actors"])),
        ("themes", d.text(names["themes"])),
        ("assumptions", d.text(names["assumptions"])),
        ("source", d.text(key_of(coding.Source, "t.source_id"))),
        ("source_title", d.text(key_of(coding.Source, "t.source_id", "title"))),
        ("locator_type", d.text("t.locator_type")),
        ("locator", d.text("t.locator")),
        ("quote", d.text("t.quote")),
        ("status", d.text(c.format("c.status"))),
    ]


def flat_claim_order(d: Dialect) -> str:
    claim = key_of(coding.Claim, "t.claim_id")
    source = key_of(coding.Source, "t.source_id")
    return ", ".join(d.bytewise(expr) for expr in (claim, source, "t.locator", "t.quote", "t.locator_type"))


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset("sources", coding.Source, source_columns, by_key, PUBLIC),
        Dataset(
            "source-links",
            coding.SourceLink,
            source_link_columns,
            lambda d: (
                ", ".join(d.bytewise(key_of(coding.Source, c)) for c in ("t.citing_id", "t.cited_id"))
                + ", COALESCE(t.footnote, -1), "  # NULL sorts first on SQLite, last on PostgreSQL
                + ", ".join(d.bytewise(column) for column in ("t.locator", "t.relation"))
            ),
            f"{approved('t.citing_id', coding.Source)} AND {approved('t.cited_id', coding.Source)}",
        ),
        Dataset("actors", coding.Actor, actor_columns, by_key, PUBLIC),
        Dataset(
            "aliases",
            coding.ActorAlias,
            alias_columns,
            lambda d: f"{d.bytewise(key_of(coding.Actor, 't.actor_id'))}, {d.bytewise('t.name')}",
            approved("t.actor_id", coding.Actor),
        ),
        Dataset(
            "actor-relations",
            coding.ActorRelation,
            actor_relation_columns,
            by_key,
            f"{approved('t.subject_id', coding.Actor)} AND {approved('t.object_id', coding.Actor)}",
        ),
        Dataset("events", coding.Event, event_columns, by_key, PUBLIC),
        Dataset("themes", coding.Theme, theme_columns, by_key, PUBLIC),
        Dataset("assumptions", coding.TheoryAssumption, assumption_columns, lambda d: d.bytewise("t.code"), PUBLIC),
        Dataset("claims-full", coding.Claim, claim_columns, by_key, PUBLIC),
        Dataset(
            "citations",
            coding.Citation,
            citation_columns,
            citation_order,
            f"({approved('t.claim_id', coding.Claim)} OR {approved('t.event_id', coding.Event)} "
            f"OR EXISTS (SELECT 1 FROM {table(coding.ActorRelation)} r WHERE r.id = t.actor_relation_id "
            f"AND {approved('r.subject_id', coding.Actor)} AND {approved('r.object_id', coding.Actor)})) "
            f"AND {approved('t.source_id', coding.Source)}",
        ),
        Dataset(
            "claim-assumptions",
            coding.ClaimAssumption,
            claim_assumption_columns,
            lambda d: ", ".join(
                d.bytewise(expr)
                for expr in (
                    key_of(coding.Claim, "t.claim_id"),
                    key_of(coding.TheoryAssumption, "t.assumption_id", "code"),
                )
            ),
            f"{approved('t.claim_id', coding.Claim)} AND {approved('t.assumption_id', coding.TheoryAssumption)}",
        ),
        Dataset(
            "claim-relations",
            coding.ClaimRelation,
            claim_relation_columns,
            lambda d: ", ".join(
                d.bytewise(expr)
                for expr in (key_of(coding.Claim, "t.claim_id"), "t.relation_type", key_of(coding.Claim, "t.other_id"))
            ),
            f"{approved('t.claim_id', coding.Claim)} AND {approved('t.other_id', coding.Claim)}",
        ),
        Dataset(
            "claims",
            coding.Citation,
            flat_claim_columns,
            flat_claim_order,
            f"{approved('t.claim_id', coding.Claim)} AND {approved('t.source_id', coding.Source)}",
            scope="t.claim_id IS NOT NULL",
        ),
    )
}

# What an admin changelist's "Download CSV" exports, by the model it lists.
MODEL_DATASETS: dict[type[models.Model], Dataset] = {
    coding.Source: DATASETS["sources"],
    coding.SourceLink: DATASETS["source-links"],
    coding.Actor: DATASETS["actors"],
    coding.ActorAlias: DATASETS["aliases"],
    coding.ActorRelation: DATASETS["actor-relations"],
    coding.Event: DATASETS["events"],
    coding.Theme: DATASETS["themes"],
    coding.TheoryAssumption: DATASETS["assumptions"],
    coding.Claim: DATASETS["claims-full"],
    coding.Citation: DATASETS["citations"],
    coding.ClaimAssumption: DATASETS["claim-assumptions"],
    coding.ClaimRelation: DATASETS["claim-relations"],
}
