"""The coding sheet, imported in bulk.

Coders fill the sheet in by the thousand rows, so it does not go row by row through
django-import-export and the services (some ninety queries a row). Instead every record
the sheet names is looked up with one query per table; every row is checked in Python
against the same rules (the model's fields and constraints, the services' status and
authorship rules, the policy's permissions) and reported in the same words, with row,
column and value; then claims, citations, assumption links, many-to-many rows and the
history of each are inserted in bulk, in one transaction.

Each row is still one save of its claim, as before: a claim's first row creates it ("+"
in its history, "new" in the report), every further row saves it again ("~", "updated",
one more version). History rows name the importing user and the file, and a claim's
history rows hold its actors, events and themes, as simple_history's own would.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import reduce
from itertools import chain
from operator import itemgetter, or_

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from simple_history.models import HistoricalRecords

from influence_db.coding import choices, policy
from influence_db.coding.bulk import can_copy, copy_rows
from influence_db.coding.choices import Status
from influence_db.coding.keys import slug_base
from influence_db.coding.models import (
    CONSTRAINT_FIELDS,
    Actor,
    ActorAlias,
    Citation,
    Claim,
    ClaimAssumption,
    Event,
    Source,
    Theme,
    TheoryAssumption,
)
from influence_db.exchange.reading import ImportRefused, Problem, Sheet
from influence_db.exchange.resources import CodingSheetResource, reason
from influence_db.exchange.widgets import ActorWidget, KeyWidget, split_list

# Cells that are the claim's own fields, checked by the model field itself.
TEXT_COLUMNS = {"claim": "key", "statement": "statement", "kind": "kind", "modality": "modality"}
TEXT_COLUMNS |= {"confidence": "confidence", "notes": "notes"}
DATE_COLUMNS = ("period_start", "period_end")
# The claim's many-to-many columns and what they name (actors also by name or alias).
LIST_COLUMNS: dict[str, type[models.Model]] = {"actors": Actor, "events": Event, "themes": Theme}
# What a save of a stored claim may change: its content, the version, who saved it when,
# and a returned claim going back to draft (services.record_save).
CLAIM_UPDATE_FIELDS = [
    *(name for name in TEXT_COLUMNS.values() if name != "key"),
    *DATE_COLUMNS,
    "attributed_to",
    "status",
    "version",
]
CLAIM_UPDATE_FIELDS += ["updated_by", "updated_at"]
LINK_BY = choices.LinkAttribution.values
CITATION_FIELDS = ("quote", "locator_type", "as_cited_in_id")
LINK_FIELDS = ("relation", "rationale", "attribution")
# Lookups and inserts in a few large statements; bulk_update (re-imports, not on PostgreSQL)
# in short ones, because its CASE expressions grow with the batch.
LOOKUP_CHUNK = 10_000
INSERT_BATCH = 5_000
UPDATE_BATCH = 500


@contextmanager
def _collector_paused() -> Iterator[None]:
    """An import holds some hundred thousand small dicts until it ends, and the cyclic garbage collector
    would walk them over and over (a tenth of the import's time). It makes no cycles worth collecting early.
    As a decorator, the function's rows are freed when it returns, before the collector resumes: otherwise
    its first pass would walk them all once (some 0.1 s for 20,000 rows) just before they go."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def import_sheet(
    resource: CodingSheetResource,
    sheet: Sheet,
    problems: list[Problem],
    *,
    user: AbstractBaseUser,
    file_name: str,
    dry_run: bool,
) -> tuple[int, int]:
    """Check every row, then write all of it or nothing; return how many rows created a claim and how many
    saved one again. `problems` were found in the whole file already: they refuse it too."""
    with transaction.atomic():
        rows = [dict(zip(sheet.headers, cells, strict=True)) for cells in sheet.rows]
        plan = _Plan(resource, user, _References(rows, lock=not dry_run))
        checked = plan.check(sheet.numbers, rows, stream=not problems)
        writer = None if dry_run else _Writer(plan, rows, user=user, reason=reason({"file_name": file_name}))
        if writer is not None and can_copy():
            writer.stream(checked)  # the database stores new claims while later rows are checked
        else:
            deque(checked, maxlen=0)
        problems = sorted([*problems, *plan.problems], key=lambda p: (p.row or 0, p.column or ""))
        if problems:
            raise ImportRefused(problems)  # what was streamed is rolled back with the rest
        if writer is not None:
            writer.write()
    return plan.new, plan.updated


def _among(queryset: models.QuerySet, name: str, values: Iterable) -> Iterator[models.QuerySet]:
    """`queryset` narrowed to the rows whose `name` is one of `values`, as one query or a few. PostgreSQL
    gets the values as one array: thousands of placeholders cost the driver and the planner more."""
    values = list(values)
    if not values:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(queryset.model._meta.db_table)}.{quote(queryset.model._meta.get_field(name).column)}"
        yield queryset.filter(RawSQL(f"{column} = ANY(%s)", [values], output_field=models.BooleanField()))
        return
    for chunk in _chunks(values):
        yield queryset.filter(**{f"{name}__in": chunk})


def _chunks(values: Iterable) -> Iterator[list]:
    values = list(values)
    size = min(connection.features.max_query_params or LOOKUP_CHUNK, LOOKUP_CHUNK)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _through(name: str) -> tuple[type[models.Model], str, str]:
    """The table behind a claim's list column, and its claim and target columns."""
    m2m = Claim._meta.get_field(name)
    return m2m.remote_field.through, f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"


class _References:
    """Everything the sheet names, looked up at once; afterwards each cell is a dictionary lookup."""

    def __init__(self, rows: list[dict[str, str]], *, lock: bool) -> None:
        def cells(column: str) -> set[str]:
            return {row[column] for row in rows if row.get(column)}

        def items(column: str) -> set[str]:
            return {item for value in cells(column) for item in split_list(value)}

        codes = {item.rpartition(":")[0].strip() for item in items("assumptions")} - {""}
        named: dict[type[models.Model], set[str]] = {
            Source: cells("source") | cells("as_cited_in"),
            Event: items("events"),
            Theme: items("themes"),
            TheoryAssumption: codes,
            Actor: items("actors") | cells("attributed_to"),
        }
        self.keys = {
            model: self._by(model, "code" if model is TheoryAssumption else "key", values)
            for model, values in named.items()
        }
        self.errors: dict[tuple[type[models.Model], str], str] = {}
        actors = named[Actor]
        # Names and aliases, ignoring case as the database's UPPER() does. The two tables
        # in two queries cost less than a query per spelling.
        self.actor_names: dict[str, set[int]] = {}
        if actors - set(self.keys[Actor]):
            names = [
                *Actor.objects.order_by().values_list("name", "pk"),
                *ActorAlias.objects.order_by().values_list("name", "actor"),
            ]
            for name, pk in names:
                self.actor_names.setdefault(name.upper(), set()).add(pk)

        # Whatever the lookups missed is looked into now (the widgets' queries and suggestions), not while
        # the checked rows stream into the database.
        for model, values in named.items():
            for value in values:
                with suppress(ValueError):
                    self.record(model, value)

        keys = cells("claim")
        # Locked until the import commits: nobody's save can come between the check and the write.
        claims = Claim.objects.select_for_update() if lock else Claim.objects.all()
        self.claims = {claim.key: claim for found in _among(claims, "key", keys) for claim in found}
        # Keys are never reused: every id a key has named, now or before.
        self.issued: dict[str, set[int]] = {}
        for found in _among(Claim.history.order_by(), "key", keys):
            for key, pk in found.values_list("key", "id").distinct():
                self.issued.setdefault(key, set()).add(pk)
        self._stored_links([claim.pk for claim in self.claims.values()])

    @staticmethod
    def _by(model: type[models.Model], name: str, values: set[str]) -> dict[str, int]:
        found = {}
        for among in _among(model._default_manager.order_by(), name, values):
            found.update(among.values_list(name, "pk"))
        return found

    def _stored_links(self, ids: list[int]) -> None:
        """What the stored claims hold already: a re-import saves these again rather than adding twins."""
        self.citations: dict[int, list[dict]] = {}
        self.links: dict[int, list[dict]] = {}
        self.through: dict[str, dict[int, list[tuple[int, int]]]] = {name: {} for name in LIST_COLUMNS}
        for chunk in _chunks(ids):
            for model, found in ((Citation, self.citations), (ClaimAssumption, self.links)):
                for values in model.objects.filter(claim__in=chunk).order_by("id").values(*_attnames(model)):
                    found.setdefault(values["claim_id"], []).append(values)
            for name in LIST_COLUMNS:
                through, source, target = _through(name)
                stored = through.objects.filter(**{f"{source}__in": chunk}).order_by("id")
                for pk, claim_id, target_id in stored.values_list("id", source, target):
                    self.through[name].setdefault(claim_id, []).append((pk, target_id))

    def record(self, model: type[models.Model], value: str) -> int:
        """The id of the record `value` names; ValueError in the widgets' words if none, or several, do."""
        pk = self.keys[model].get(value)
        if pk is None and model is Actor:
            matches = self.actor_names.get(value.upper(), ())
            pk = next(iter(matches)) if len(matches) == 1 else None
        if pk is not None:
            return pk
        if (model, value) in self.errors:
            raise ValueError(self.errors[model, value])
        # Rare: the widget says what is wrong, with its suggestions.
        widget = ActorWidget() if model is Actor else KeyWidget(model, "code" if model is TheoryAssumption else "key")
        try:
            found = widget.clean(value)
        except ValueError as exc:
            self.errors[model, value] = str(exc)
            raise
        self.keys[model][value] = found.pk
        return found.pk


@dataclass(eq=False)
class _Claim:
    """One claim of the sheet, as its rows leave it: the fields by attname, the lists, citations and links."""

    fields: dict[str, object]
    stored: Claim | None  # the claim in the database, if it is there
    rows: int = 0
    lists: dict[str, list[int]] = field(default_factory=dict)  # for the list columns the file has
    citations: dict[tuple[int, str, str], dict] = field(default_factory=dict)
    links: dict[int, dict] = field(default_factory=dict)


@dataclass(eq=False)
class _Save:
    """One save of a citation or link: its record (values by attname), "+" or "~", and the values it had then."""

    claim: _Claim
    record: dict
    history_type: str
    values: dict


class _Plan:
    """The rows, checked one by one against what `_References` found: what to write, or what is wrong."""

    def __init__(self, resource: CodingSheetResource, user: AbstractBaseUser, refs: _References) -> None:
        self.resource, self.user, self.refs = resource, user, refs
        self.claims: dict[str, _Claim] = {}
        self.unnamed: list[_Claim] = []  # rows with an empty claim cell: a new claim each, with a generated key
        self.citation_saves: list[_Save] = []
        self.link_saves: list[_Save] = []
        self.problems: list[Problem] = []
        self.new = self.updated = 0
        self.defaults = {name: value for name, value in vars(Claim()).items() if name in set(_attnames(Claim))}
        self.date_widget = resource.fields["period_start"].widget
        self.pairs_widget = resource.fields["assumptions"].widget
        self._cleaned: dict[tuple, tuple[object, list[str]]] = {}
        self._perms: dict[tuple[str, type[models.Model]], bool] = {}

    def check(self, numbers: list[int], rows: list[dict[str, str]], *, stream: bool) -> Iterator[_Claim]:
        """Check every row; with `stream`, yield each new claim as soon as its last row is checked, while
        nothing is wrong yet, so that it can be written while later rows are checked. After a problem
        nothing more is yielded: the import will be refused."""
        last = {row["claim"]: index for index, row in enumerate(rows) if row["claim"]}
        self.user.get_all_permissions()  # cached now: no check may query while rows stream in
        for index, (number, row) in enumerate(zip(numbers, rows, strict=True)):
            claim = self.add(number, row)
            if stream and not self.problems and claim.stored is None and last.get(row["claim"], index) == index:
                yield claim

    # --- one row ---------------------------------------------------------------------------------

    def add(self, number: int, row: dict[str, str]) -> _Claim:
        errors: dict[str, list[str]] = {}  # by attribute, as full_clean and the widgets give them
        unplaced: list[str] = []  # messages about the row as a whole
        claim = self._claim(row["claim"])
        values = self._claim_values(row, errors)
        lists = {
            name: self._list(row[name], model, name, errors) for name, model in LIST_COLUMNS.items() if name in row
        }
        source = self._reference(Source, row["source"], "source", errors)
        as_cited_in = self._reference(Source, row.get("as_cited_in", ""), "as_cited_in", errors)
        pairs = self._pairs(row.get("assumptions", ""), errors)
        self._check_claim(claim, values, errors)
        has_citation = bool(row["source"] or row["locator"] or row["quote"])
        if has_citation:
            self._check_citation(row, source, as_cited_in, errors)
        rationale = row.get("rationale", "")
        if split_list(row.get("assumptions", "")) and not rationale:
            unplaced.append("Assumption links need a rationale (column rationale).")
        link_by = row.get("link_by") or choices.LinkAttribution.SOURCE
        if link_by not in LINK_BY:
            unplaced.append(f"link_by “{link_by}” is not one of {', '.join(LINK_BY)}.")
        denied = self._denied(claim, has_citation, bool(pairs))
        if denied:
            unplaced.append(denied)

        if claim.stored is None and claim.rows == 0:
            self.new += 1
        else:
            self.updated += 1
        claim.rows += 1
        if errors or unplaced:
            self._report(number, row, errors, unplaced)
            return claim
        self._save_claim(claim, values, lists)
        if has_citation:
            self._save_citation(claim, (source, row["locator"], row["quote"]), row, as_cited_in)
        for assumption, relation in pairs:
            self._save_link(claim, assumption, {"relation": relation, "rationale": rationale, "attribution": link_by})
        return claim

    def _claim(self, key: str) -> _Claim:
        if not key:
            claim = _Claim(dict(self.defaults), None)
            self.unnamed.append(claim)
            return claim
        claim = self.claims.get(key)
        if claim is None:
            stored = self.refs.claims.get(key)
            if stored is None:
                claim = _Claim({**self.defaults, "key": key}, None)
            else:
                claim = _Claim({name: getattr(stored, name) for name in self.defaults}, stored)
                # The first stored citation of a passage is the one saved again, as .first() found it.
                cited = reversed(self.refs.citations.get(stored.pk, []))
                claim.citations = {(c["source_id"], c["locator"], c["quote"]): c for c in cited}
                claim.links = {link["assumption_id"]: link for link in self.refs.links.get(stored.pk, [])}
            self.claims[key] = claim
        return claim

    def _claim_values(self, row: dict[str, str], errors: dict[str, list[str]]) -> dict[str, object]:
        """The claim's fields from the row's cells, for the columns the file has."""
        values: dict[str, object] = {}
        for column, name in TEXT_COLUMNS.items():
            if column in row and (row[column] or name != "key"):  # an empty claim cell: the key is generated
                self._take(values, errors, name, *self._clean(Claim, name, row[column], defaults=True))
        for name in DATE_COLUMNS:
            if name in row:
                self._take(values, errors, name, *self._date(row[name]))
        if "attributed_to" in row:
            values["attributed_to_id"] = self._reference(Actor, row["attributed_to"], "attributed_to", errors)
        return values

    @staticmethod
    def _take(values: dict, errors: dict, name: str, value: object, messages: list[str]) -> None:
        if messages:
            errors[name] = messages
        else:
            values[name] = value

    def _check_claim(self, claim: _Claim, values: dict[str, object], errors: dict[str, list[str]]) -> None:
        """What Claim.full_clean adds to the cells' own checks: keys never reused, the table's check constraints.
        As in full_clean, a rule is checked only when none of its fields failed already."""
        key = values.get("key")
        if key and self.refs.issued.get(key, set()) - {claim.fields["id"]}:
            errors.setdefault("key", []).append("This key is, or was, used by another record; keys are never reused.")

        def merged(name: str) -> object:
            return values[name] if name in values else claim.fields[name]

        start, end = merged("period_start"), merged("period_end")
        if start and end and end < start and not {"period_start", "period_end"} & errors.keys():
            self._violated("claim_period_end_not_before_period_start", errors)
        reports = merged("modality") == choices.Modality.REPORTS
        if reports and merged("attributed_to_id") is None and not {"modality", "attributed_to"} & errors.keys():
            self._violated("claim_reported_claim_is_attributed", errors)

    @staticmethod
    def _violated(name: str, errors: dict[str, list[str]]) -> None:
        constraint = next(c for c in Claim._meta.constraints if c.name == name)
        errors.setdefault(f"rule:{CONSTRAINT_FIELDS[name]}", []).append(constraint.get_violation_error_message())

    def _check_citation(
        self, row: dict[str, str], source: int | None, as_cited_in: int | None, errors: dict[str, list[str]]
    ) -> None:
        """Citation.full_clean on the row's citation; a cell that failed already is not reported twice."""
        if source is None and "source" not in errors:
            errors["source"] = ["This field cannot be null."]
        locator_type = row.get("locator_type") or choices.LocatorType.PAGE
        for name, raw in (("locator_type", locator_type), ("locator", row["locator"]), ("quote", row["quote"])):
            _, messages = self._clean(Citation, name, raw)
            if messages:
                errors.setdefault(name, messages)
        if source is not None and source == as_cited_in:
            errors.setdefault("rule:as_cited_in", []).append("A record cannot be related to itself.")

    def _denied(self, claim: _Claim, has_citation: bool, has_links: bool) -> str:
        """The services' and the policy's rule for this row's saves, in their words; "" when allowed."""
        if claim.stored is None:
            # The importer's own new claim: the model permissions decide.
            if claim.rows == 0 and not self._may("add", Claim):
                return f"You may not add {Claim._meta.verbose_name_plural}."
            if claim.rows > 0 and not self._may("change", Claim):
                return "You may not change this record."
            if (has_citation and not self._may("change", Citation)) or (
                has_links and not self._may("change", ClaimAssumption)
            ):
                return f"{claim.fields['key'] or claim.fields['statement'][:60]} is not yours to change."
            return ""
        stored = claim.stored
        stored.status = claim.fields["status"]  # as the previous row left it
        if not policy.can_change(self.user, stored):
            return "You may not change this record."
        for model, needed in ((Citation, has_citation), (ClaimAssumption, has_links)):
            if needed and not policy.can_change(self.user, model(claim=stored)):
                return f"{stored} is not yours to change."
        return ""

    def _may(self, action: str, model: type[models.Model]) -> bool:
        if (action, model) not in self._perms:
            self._perms[action, model] = self.user.has_perm(policy.perm(action, model))
        return self._perms[action, model]

    def _report(self, number: int, row: dict[str, str], errors: dict[str, list[str]], unplaced: list[str]) -> None:
        for message in unplaced:
            self.problems.append(Problem(message, row=number))
        for name, messages in errors.items():
            column = self.resource.column_of(name.removeprefix("rule:"))
            for message in messages:
                self.problems.append(
                    Problem(message, row=number, column=column if column in row else None, value=row.get(column))
                )

    # --- cells -----------------------------------------------------------------------------------

    def _clean(self, model: type[models.Model], name: str, raw: str, *, defaults: bool = False) -> tuple[object, list]:
        """A model field's own check of a cell, remembered: most cells repeat ("factual", "high")."""
        cache_key = (model, name, raw, defaults)
        if cache_key not in self._cleaned:
            model_field = model._meta.get_field(name)
            value: object = raw
            if defaults and raw == "" and not model_field.blank and model_field.has_default():
                value = model_field.get_default()  # an empty cell means the default (modality: asserts)
            try:
                self._cleaned[cache_key] = (model_field.clean(value, None), [])
            except ValidationError as exc:
                allowed = ", ".join(str(choice) for choice, _ in model_field.choices or [])
                messages = [
                    f"{message} Allowed: {allowed}." if allowed and "not a valid choice" in message else message
                    for message in exc.messages
                ]
                self._cleaned[cache_key] = (None, messages)
        return self._cleaned[cache_key]

    def _date(self, raw: str) -> tuple[object, list[str]]:
        cache_key = ("date", raw)
        if cache_key not in self._cleaned:
            try:
                self._cleaned[cache_key] = (self.date_widget.clean(raw), [])
            except ValueError as exc:
                self._cleaned[cache_key] = (None, [str(exc)])
        return self._cleaned[cache_key]

    def _reference(self, model: type[models.Model], value: str, name: str, errors: dict[str, list[str]]) -> int | None:
        if not value:
            return None
        try:
            return self.refs.record(model, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
            return None

    def _list(self, value: str, model: type[models.Model], name: str, errors: dict[str, list[str]]) -> list[int]:
        found, messages = [], []
        for item in split_list(value):
            try:
                found.append(self.refs.record(model, item))
            except ValueError as exc:
                messages.append(str(exc))
        if messages:
            errors[name] = [" ".join(messages)]
        return list(dict.fromkeys(found))

    def _pairs(self, value: str, errors: dict[str, list[str]]) -> list[tuple[int, str]]:
        widget = self.pairs_widget
        pairs, messages = [], []
        for item in split_list(value):
            code, _, relation = item.rpartition(":")
            if not code or relation not in widget.choices:
                messages.append(f"“{item}” is not {widget.what} ({', '.join(widget.choices)} after the colon).")
                continue
            try:
                pairs.append((self.refs.record(TheoryAssumption, code.strip()), relation))
            except ValueError as exc:
                messages.append(str(exc))
        if messages:
            errors["_assumptions"] = [" ".join(messages)]
        return pairs

    # --- what a good row changes -----------------------------------------------------------------

    def _save_claim(self, claim: _Claim, values: dict[str, object], lists: dict[str, list[int]]) -> None:
        """services.record_save: the content from the file; never the status or authorship, except that a
        coder's save takes a returned claim back to draft."""
        claim.fields.update(values)
        claim.lists.update(lists)
        if claim.rows > 1 or claim.stored is not None:
            claim.fields["version"] += 1
        if claim.fields["status"] == Status.RETURNED and not self._may("review", Claim):
            claim.fields["status"] = Status.DRAFT

    def _save_citation(self, claim: _Claim, where: tuple[int, str, str], row: dict[str, str], as_cited_in: int | None):
        citation = claim.citations.get(where)
        history_type = "~"  # stored, or made by an earlier row: the same passage, saved again
        if citation is None:
            source, locator, quote = where
            citation = {"id": None, "source_id": source, "locator": locator, "quote": quote, "claim_id": None}
            citation |= {"event_id": None, "actor_relation_id": None}
            claim.citations[where] = citation
            history_type = "+"
        values = {"quote": row["quote"], "locator_type": row.get("locator_type") or choices.LocatorType.PAGE}
        values["as_cited_in_id"] = as_cited_in
        citation.update(values)
        self.citation_saves.append(_Save(claim, citation, history_type, values))

    def _save_link(self, claim: _Claim, assumption: int, values: dict[str, str]) -> None:
        link = claim.links.get(assumption)
        history_type = "~"
        if link is None:
            link = claim.links[assumption] = {"id": None, "claim_id": None, "assumption_id": assumption}
            history_type = "+"
        link.update(values)
        self.link_saves.append(_Save(claim, link, history_type, values))


def _insert(model: type[models.Model], rows: Iterable[dict], *, ids: bool = True) -> None:
    """Insert `rows` (values by attname, the same names in each) into `model`'s table; with `ids`, each row
    (then a list) gets its new primary key. Without, rows that come with their key keep it.

    On PostgreSQL the keys come from the table's sequence and the rows stream in with binary COPY while
    they are made, no model instance on the way: the bulk of the import's time otherwise.
    Elsewhere bulk_create."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = chain([first], rows)
    pk = model._meta.pk.attname
    if not can_copy():
        rows = list(rows)
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=INSERT_BATCH)
        for row, obj in zip(rows, objs, strict=True):
            row.update({name: getattr(obj, name) for name in row})  # what the insert set (the times, the key)
            row[pk] = obj.pk
        return
    if ids:
        rows = list(rows)
        for row, value in zip(rows, _next_ids(model, len(rows)), strict=True):
            row[pk] = value
    names = [name for name in first if name != pk or first[pk] is not None]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    copy_rows(model, names, (values(row) for row in rows), binary=True)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """PostgreSQL: `count` new primary keys of `model`, in order, from its table's sequence."""
    with connection.cursor() as cursor:
        # The sequence looked up once: as nextval()'s argument, pg_get_serial_sequence() would run
        # again for every row, ten times what nextval itself costs.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return sorted(value for (value,) in cursor.fetchall())


def _update(model: type[models.Model], rows: list[dict], fields: Iterable[str]) -> None:
    """Write `fields` of stored rows (values by attname). On PostgreSQL the values go with COPY into a
    scratch table and one UPDATE takes them from there; elsewhere bulk_update, slower but the same."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in fields]
    if not can_copy():
        records = [model(**row) for row in rows]
        model._default_manager.bulk_update(records, [f.name for f in fields], batch_size=UPDATE_BATCH)
        return
    pk = model._meta.pk
    quote = connection.ops.quote_name
    table, scratch = quote(model._meta.db_table), quote(f"import_{model._meta.db_table}")
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    values = itemgetter(pk.attname, *(f.attname for f in fields))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {columns} FROM {table} WITH NO DATA")
        with cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {scratch} s WHERE {table}.{quote(pk.column)} = s.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {scratch}")


class _Writer:
    """The checked plan into the database, and a history row for every save the rows made."""

    def __init__(self, plan: _Plan, rows: list[dict[str, str]], *, user: AbstractBaseUser, reason: str) -> None:
        self.plan, self.user = plan, user
        self.claims: list[_Claim] = []  # every claim of the file, once all rows are checked
        self.history = {
            "history_date": timezone.now(),
            "history_user_id": user.pk,
            "history_change_reason": reason,
        }
        # Per list column, what each claim of the file holds once written: (row id, target id).
        self.held: dict[str, dict[int, list[tuple[int, int]]]] = {}
        # Known from the cells, before any row is checked: how many claims the file can add, and keys for
        # those with an empty claim cell, in row order (the order the plan meets them in).
        named = {row["claim"] for row in rows if row["claim"]}
        statements = [row.get("statement", "") for row in rows if not row["claim"]]
        self.most_new = len(named - plan.refs.claims.keys()) + len(statements)
        self.generated_keys = iter(self._generated_keys(statements, taken=named))

    def stream(self, checked: Iterator[_Claim]) -> None:
        """PostgreSQL: insert the new claims `checked` yields while it checks the rows, with ids taken
        beforehand for as many new claims as the file can hold."""
        ids = iter(_next_ids(Claim, self.most_new))

        def fields() -> Iterator[dict]:
            for claim in checked:
                claim.fields["id"] = next(ids)
                self._created(claim)
                yield claim.fields

        _insert(Claim, fields(), ids=False)

    def write(self) -> None:
        """Everything the checked rows save; on PostgreSQL, what `stream` did not insert already."""
        self.claims = [*self.plan.claims.values(), *self.plan.unnamed]
        self._claims()
        for name in LIST_COLUMNS:
            self._list(name)
        for model, saves, fields in (
            (Citation, self.plan.citation_saves, CITATION_FIELDS),
            (ClaimAssumption, self.plan.link_saves, LINK_FIELDS),
        ):
            records = {id(save.record): save for save in saves}.values()
            for save in records:
                save.record["claim_id"] = save.claim.fields["id"]  # a claim new in this file has its id only now
            _update(model, [save.record for save in records if save.record["id"] is not None], fields)
            _insert(model, [save.record for save in records if save.record["id"] is None])
            self._history(model, saves)
        self._claim_history()

    def _claims(self) -> None:
        new = [claim for claim in self.claims if claim.stored is None and claim.fields["id"] is None]  # not streamed
        stored = [claim for claim in self.claims if claim.stored is not None]
        for claim in new:
            self._created(claim)
        for claim in stored:
            self._saved(claim)
        _insert(Claim, [claim.fields for claim in new])
        _update(Claim, [claim.fields for claim in stored], CLAIM_UPDATE_FIELDS)

    def _created(self, claim: _Claim) -> None:
        """A new claim: its generated key if its cell was empty, who created it and when."""
        if not claim.fields["key"]:
            claim.fields["key"] = next(self.generated_keys)
        claim.fields.update(created_by_id=self.user.pk, created_at=self.history["history_date"])
        self._saved(claim)

    def _saved(self, claim: _Claim) -> None:
        claim.fields.update(updated_by_id=self.user.pk, updated_at=self.history["history_date"])

    def _generated_keys(self, statements: list[str], *, taken: set[str]) -> list[str]:
        """Keys for claims whose cell was empty, as generate_key makes them from their statements: never
        issued, not `taken` by the file."""
        bases = [slug_base(statement) for statement in statements]
        taken = set(taken)
        for chunk in _chunks(sorted(set(bases))):
            starts = reduce(or_, (Q(key__startswith=base) for base in chunk))
            taken |= set(Claim.objects.filter(starts).values_list("key", flat=True))
            taken |= set(Claim.history.filter(starts).values_list("key", flat=True))
        keys = []
        for base in bases:
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}-{n}"
            taken.add(candidate)
            keys.append(candidate)
        return keys

    def _list(self, name: str) -> None:
        """Give the claims the actors (events, themes) the file names; without the column, they keep theirs.
        What each claim holds afterwards, as (row id, target id), is kept for its history rows."""
        through, source, target = _through(name)
        stored = self.plan.refs.through[name]
        held = self.held[name] = {}
        gone, added = [], []
        for claim in self.claims:
            pk = claim.fields["id"]
            had = stored.get(pk, [])
            wanted = claim.lists.get(name)
            if wanted is None:
                held[pk] = had
                continue
            gone += [row_id for row_id, target_id in had if target_id not in wanted]
            have = {target_id for _, target_id in had}
            held[pk] = [(row_id, target_id) for row_id, target_id in had if target_id in wanted]
            added += [{"id": None, source: pk, target: target_id} for target_id in wanted if target_id not in have]
        for chunk in _chunks(gone):
            through.objects.filter(pk__in=chunk).delete()
        _insert(through, added)
        for row in added:
            held[row[source]].append((row["id"], row[target]))

    def _claim_history(self) -> None:
        history_model = Claim.history.model
        tracked = [name for name in _attnames(Claim) if name in _attnames(history_model)]
        rows = []
        for claim in self.claims:
            fields = {name: claim.fields[name] for name in tracked}
            first = claim.fields["version"] - claim.rows + 1
            for n in range(claim.rows):
                history_type = "+" if claim.stored is None and n == 0 else "~"
                rows.append({**fields, "version": first + n, "history_type": history_type, **self.history})
        _insert(history_model, rows)
        self._m2m_history(history_model, rows)

    def _m2m_history(self, history_model: type[models.Model], history_rows: list[dict]) -> None:
        """Each claim history row this import wrote holds the claim's actors (events, themes) as the import
        left them, as simple_history keeps them."""
        pk = history_model._meta.pk.attname
        for m2m in history_model._history_m2m_fields:
            _, source, target = _through(m2m.name)
            held = self.held[m2m.name]
            rows = (
                {"id": row_id, source: row["id"], target: target_id, "history_id": row[pk]}
                for row in history_rows
                for row_id, target_id in held.get(row["id"], ())
            )
            _insert(HistoricalRecords.m2m_models[m2m], rows, ids=False)

    def _history(self, model: type[models.Model], saves: list[_Save]) -> None:
        history_model = model.history.model
        tracked = [name for name in _attnames(model) if name in _attnames(history_model)]
        rows = (
            {**{name: save.record[name] for name in tracked}, **save.values, "history_type": save.history_type}
            | self.history
            for save in saves
        )
        _insert(history_model, rows, ids=False)
