"""CSV import (influence_db.exchange.importing.run_import): every dataset imports a good
file; a file with anything wrong is refused whole, nothing written, with every problem
named by row (the header is row 1), column and value; records arrive as drafts of the
importing user, through the coding services, with history that names the file."""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import TextChoices

from influence_db.coding import choices, models
from influence_db.coding.choices import Status
from influence_db.exchange.importing import run_import
from influence_db.exchange.reading import ImportRefused
from influence_db.exchange.resources import RESOURCES
from tests import factories
from tests.helpers import make_coder

pytestmark = pytest.mark.django_db


# --- building files and looking at the database -------------------------------------------------


def table(header: list[str], *rows: list[str], newline: str = "\n", bom: bool = False) -> bytes:
    """A CSV file as a spreadsheet saves it: UTF-8, quoted where needed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def snapshot() -> dict[str, int]:
    """The number of rows of every coding table: records, links, m2m tables and history."""
    coding = apps.get_app_config("coding")
    return {model._meta.label: model._default_manager.count() for model in coding.get_models(include_auto_created=True)}


def refused(dataset: str, data: bytes, user, *, dry_run: bool = False) -> list[str]:
    """Import `data`, expect it refused with nothing written; the problems as shown to the coder."""
    before = snapshot()
    with pytest.raises(ImportRefused) as info:
        run_import(dataset, data, user=user, file_name=f"{dataset}.csv", dry_run=dry_run)
    assert snapshot() == before, "a refused import wrote something"
    assert str(info.value) == "\n".join(str(problem) for problem in info.value.problems)
    return [str(problem) for problem in info.value.problems]


def imported(dataset: str, data: bytes, user, *, file_name: str | None = None, dry_run: bool = False):
    return run_import(dataset, data, user=user, file_name=file_name or f"{dataset}.csv", dry_run=dry_run)


def history_of(record) -> list:
    return list(type(record).history.filter(id=record.pk).order_by("history_id").select_related("history_user"))


def assert_imported_history(record, user, file_name: str, *, types: str = "+") -> None:
    """Every history row of `record` was written by the import of `file_name` as `user`."""
    rows = history_of(record)
    assert rows, f"{record!r} has no history"
    assert {row.history_type for row in rows} == set(types)
    for row in rows:
        assert row.history_user == user
        assert row.history_change_reason == f"Imported from {file_name}"


def not_a_choice(row: int, column: str, value: str, allowed: type[TextChoices]) -> str:
    """The problem shown for a cell that is not one of the field's choices: it lists the ones that are."""
    return (
        f"row {row}, column {column}, value “{value}”: Value '{value}' is not a valid choice. "
        f"Allowed: {', '.join(allowed.values)}."
    )


ACTOR_COLUMNS = ["key", "name", "kind", "sector", "country", "parent"]


# --- the records a coder's files refer to -------------------------------------------------------


@pytest.fixture
def world(db):
    """Existing records, as a database mid-project holds them (made by the factories, no owner)."""
    F = factories
    zimmt = F.SourceFactory(key="zimmt-2020", title="Iran faces growing challenges in Iraq")
    waltz = F.SourceFactory(
        key="waltz-1979",
        csl_type=choices.CslType.BOOK,
        title="Theory of International Politics",
        creators=[{"family": "Waltz", "given": "Kenneth N."}],
        issued=datetime.date(1979, 1, 1),
        issued_precision=choices.DatePrecision.YEAR,
    )
    irna = F.SourceFactory(
        key="irna-2020-qaani-baghdad",
        csl_type=choices.CslType.ARTICLE_NEWSPAPER,
        title="Qaani meets Iraqi officials in Baghdad",
        creators=[{"literal": "IRNA"}],
    )
    irgc = F.ActorFactory(
        key="irgc", name="Islamic Revolutionary Guard Corps", country="IRN", sector=choices.Sector.MILITARY
    )
    quds = F.ActorFactory(
        key="quds-force", name="IRGC Quds Force", country="IRN", sector=choices.Sector.MILITARY, parent=irgc
    )
    F.ActorAliasFactory(actor=quds, name="Quds Force", alias_type=choices.AliasType.TRANSLATION)
    F.ActorAliasFactory(actor=quds, name="Qods Force", alias_type=choices.AliasType.SPELLING_VARIANT)
    kh = F.ActorFactory(key="kataib-hizballah", name="Kataib Hezbollah")
    F.ActorAliasFactory(actor=kh, name="Kata'ib Hizballah", alias_type=choices.AliasType.TRANSLITERATION)
    F.ActorAliasFactory(
        actor=kh, name="كتائب حزب الله", alias_type=choices.AliasType.TRANSLITERATION, language="ar", script="Arab"
    )
    soleimani = F.ActorFactory(
        key="qasem-soleimani",
        name="Qasem Soleimani",
        kind=choices.ActorKind.PERSON,
        sector=choices.Sector.MILITARY,
        country="IRN",
    )
    muhandis = F.ActorFactory(
        key="abu-mahdi-al-muhandis", name="Abu Mahdi al-Muhandis", kind=choices.ActorKind.PERSON, country="IRQ"
    )
    # Two actors share the alias "Badr": a name alone cannot say which.
    badr = F.ActorFactory(key="badr-organization", name="Badr Organization", sector=choices.Sector.PARTY)
    F.ActorAliasFactory(actor=badr, name="Badr", alias_type=choices.AliasType.ACRONYM)
    badr_corps = F.ActorFactory(key="badr-corps", name="Badr Corps")
    F.ActorAliasFactory(actor=badr_corps, name="Badr", alias_type=choices.AliasType.FORMER_NAME)
    strike = F.EventFactory(
        key="2020-01-03-baghdad-airport-strike",
        title="US strike kills Soleimani and al-Muhandis at Baghdad airport",
        date_start=datetime.date(2020, 1, 3),
    )
    relation = F.ActorRelationFactory(
        key="quds-force-subunit-of-irgc", subject=quds, object=irgc, relation_type=choices.ActorRelationType.SUBUNIT_OF
    )
    protest = F.ThemeFactory(key="anti-iranian-protest", name="Growing anti-Iranian protest in Iraq")
    anarchy = F.TheoryAssumptionFactory(
        code="SR-ANARCHY", key="sr-anarchy", label="Anarchy", statement="The international system is anarchic."
    )
    self_help = F.TheoryAssumptionFactory(code="SR-SELF-HELP", key="sr-self-help", label="Self-help", parent=anarchy)
    lever = F.ClaimFactory(key="iran-keeps-pmf-as-lever", statement="Iran keeps the PMF as a lever in Iraq.")
    pressure = F.ClaimFactory(key="iran-pressures-kadhimi", statement="Iran pressures al-Kadhimi's government.")
    return SimpleNamespace(
        zimmt=zimmt,
        waltz=waltz,
        irna=irna,
        irgc=irgc,
        quds=quds,
        kh=kh,
        soleimani=soleimani,
        muhandis=muhandis,
        badr=badr,
        badr_corps=badr_corps,
        strike=strike,
        relation=relation,
        protest=protest,
        anarchy=anarchy,
        self_help=self_help,
        lever=lever,
        pressure=pressure,
    )


# --- every dataset imports a good file ----------------------------------------------------------


def test_sources(supervisor):
    data = table(
        [
            *["key", "csl_type", "title", "creators", "issued", "issued_precision", "container_title", "publisher"],
            *["url", "language", "outlet_affiliation", "is_coded_document"],
        ],
        [
            "zimmt-2020-iran-challenges",
            "report",
            "Iran faces growing challenges in Iraq",
            "Zimmt, Raz; Meir Amit Intelligence and Terrorism Information Center",
            "2020-07-14",
            "day",
            "",
            "Meir Amit Intelligence and Terrorism Information Center",
            "https://www.terrorism-info.org.il/en/iran-faces-growing-challenges-in-iraq/",
            "en",
            "",
            "true",
        ],
        [
            "tasnim-2020-muhandis",
            "article-newspaper",
            "Martyr al-Muhandis remembered",
            "Tasnim News Agency",
            "2020-01-01",
            "month",
            "Tasnim News Agency",
            "",
            "",
            "fa",
            "IRGC-affiliated news agency",
            "false",
        ],
    )
    report = imported("sources", data, supervisor)
    assert str(report) == "Imported sources: 2 new, 0 updated."
    zimmt = models.Source.objects.get(key="zimmt-2020-iran-challenges")
    assert zimmt.creators == [
        {"family": "Zimmt", "given": "Raz"},
        {"literal": "Meir Amit Intelligence and Terrorism Information Center"},
    ]
    assert zimmt.issued == datetime.date(2020, 7, 14)
    assert zimmt.is_coded_document is True
    assert zimmt.url == "https://www.terrorism-info.org.il/en/iran-faces-growing-challenges-in-iraq/"
    assert (zimmt.status, zimmt.created_by, zimmt.updated_by) == (Status.DRAFT, supervisor, supervisor)
    tasnim = models.Source.objects.get(key="tasnim-2020-muhandis")
    assert tasnim.creators == [{"literal": "Tasnim News Agency"}]
    assert (tasnim.csl_type, tasnim.is_coded_document) == ("article-newspaper", False)
    assert tasnim.outlet_affiliation == "IRGC-affiliated news agency"


def test_sources_bad_date_names_the_cell(supervisor):
    data = table(
        ["key", "csl_type", "title", "issued"], ["zimmt-2020", "report", "Iran faces challenges", "14/07/2020"]
    )
    (problem,) = refused("sources", data, supervisor)
    assert problem.startswith("row 2, column issued, value “14/07/2020”: ")


def test_actors_with_parent_in_the_same_file_and_by_alias(supervisor, world):
    data = table(
        [*ACTOR_COLUMNS, "description", "active_from", "active_to", "wikidata_qid", "notes"],
        [
            "pmf",
            "Popular Mobilization Forces",
            "coalition",
            "militia",
            "IRQ",
            "",
            "Umbrella.",
            "2014-06-13",
            "",
            "",
            "",
        ],
        ["kata-ib-sayyid", "Kata'ib Sayyid al-Shuhada", "organization", "militia", "IRQ", "pmf", "", "", "", "", ""],
        # The parent by an alias of an existing actor; an empty sector means the default, "other".
        ["quds-force-ramazan", "Ramazan Corps", "organization", "", "IRN", "Qods Force", "", "", "", "Q123", "x"],
    )
    report = imported("actors", data, supervisor)
    assert str(report) == "Imported actors: 3 new, 0 updated."
    pmf = models.Actor.objects.get(key="pmf")
    assert (pmf.name, pmf.kind, pmf.sector, pmf.country) == (
        "Popular Mobilization Forces",
        "coalition",
        "militia",
        "IRQ",
    )
    assert pmf.active_from == datetime.date(2014, 6, 13)
    assert pmf.active_to is None
    assert models.Actor.objects.get(key="kata-ib-sayyid").parent == pmf
    ramazan = models.Actor.objects.get(key="quds-force-ramazan")
    assert (ramazan.parent, ramazan.sector, ramazan.wikidata_qid, ramazan.notes) == (world.quds, "other", "Q123", "x")
    for actor in (pmf, ramazan):
        assert (actor.status, actor.created_by, actor.updated_by, actor.version) == (
            Status.DRAFT,
            supervisor,
            supervisor,
            1,
        )


def test_aliases(supervisor, world):
    data = table(
        ["actor", "name", "alias_type", "language", "script"],
        ["kataib-hizballah", "KH", "acronym", "en", "Latn"],
        ["kataib-hizballah", "Hezbollah Brigades", "translation", "en", "Latn"],
        ["quds-force", "سپاه قدس", "translation", "fa", "Arab"],
        ["qasem-soleimani", "Haj Qasem", "nom_de_guerre", "", ""],
    )
    report = imported("aliases", data, supervisor)
    assert str(report) == "Imported aliases: 4 new, 0 updated."
    assert set(world.kh.aliases.values_list("name", "alias_type", "language", "script")) == {
        ("Kata'ib Hizballah", "transliteration", "en", "Latn"),
        ("كتائب حزب الله", "transliteration", "ar", "Arab"),
        ("KH", "acronym", "en", "Latn"),
        ("Hezbollah Brigades", "translation", "en", "Latn"),
    }
    assert list(models.Actor.objects.named("سپاه قدس")) == [world.quds]
    assert list(models.Actor.objects.named("haj qasem")) == [world.soleimani]


def test_actor_relations(supervisor, world):
    data = table(
        ["key", "subject", "relation_type", "object", "start", "start_precision", "end", "end_precision", "notes"],
        [
            "soleimani-leads-quds",
            "Qasem Soleimani",
            "leads",
            "Quds Force",
            "1998-01-01",
            "year",
            "2020-01-03",
            "day",
            "",
        ],
        ["kh-allied-quds", "Kata'ib Hizballah", "allied_with", "quds-force", "", "day", "", "day", "Close ties."],
    )
    assert str(imported("actor-relations", data, supervisor)) == "Imported actor-relations: 2 new, 0 updated."
    leads = models.ActorRelation.objects.get(key="soleimani-leads-quds")
    assert (leads.subject, leads.relation_type, leads.object) == (world.soleimani, "leads", world.quds)
    assert (leads.start, leads.start_precision, leads.end) == (
        datetime.date(1998, 1, 1),
        "year",
        datetime.date(2020, 1, 3),
    )
    allied = models.ActorRelation.objects.get(key="kh-allied-quds")
    assert (allied.subject, allied.object, allied.notes) == (world.kh, world.quds, "Close ties.")


EVENT_COLUMNS = ["key", "title", "event_type", "date_start", "date_end", "date_precision", "country", "participants"]


def test_events_with_participants(supervisor, world):
    data = table(
        [*EVENT_COLUMNS, "date_as_written", "location"],
        [
            "2019-12-31-embassy-attack",
            "Militia supporters storm the US embassy in Baghdad",
            "protest",
            "2019-12-31",
            "2020-01-01",
            "day",
            "IRQ",
            "Kata'ib Hizballah:initiator; abu-mahdi-al-muhandis:participant; Quds Force:accused",
            "New Year's Eve",
            "Baghdad",
        ],
        ["2020-01-08-ain-al-asad", "Missile strike on Ain al-Asad", "assault", "2020-01-08", "", "", "", "", "", ""],
    )
    assert str(imported("events", data, supervisor)) == "Imported events: 2 new, 0 updated."
    embassy = models.Event.objects.get(key="2019-12-31-embassy-attack")
    assert (embassy.event_type, embassy.date_start, embassy.date_end) == (
        "protest",
        datetime.date(2019, 12, 31),
        datetime.date(2020, 1, 1),
    )
    assert (embassy.country, embassy.location, embassy.date_as_written) == ("IRQ", "Baghdad", "New Year's Eve")
    assert set(embassy.event_participants.values_list("actor__key", "role")) == {
        ("kataib-hizballah", "initiator"),
        ("abu-mahdi-al-muhandis", "participant"),
        ("quds-force", "accused"),
    }
    strike = models.Event.objects.get(key="2020-01-08-ain-al-asad")
    assert (strike.date_precision, strike.country, strike.event_participants.count()) == ("day", "", 0)
    assert (strike.status, strike.created_by) == (Status.DRAFT, supervisor)


def test_reimporting_an_event_replaces_its_participants(supervisor, world):
    header = ["key", "title", "event_type", "participants"]
    imported(
        "events",
        table(header, ["2020-embassy", "Embassy attack", "protest", "kataib-hizballah:initiator; irgc:accused"]),
        supervisor,
    )
    report = imported(
        "events",
        table(header, ["2020-embassy", "Embassy attack", "protest", "kataib-hizballah:initiator; quds-force:accused"]),
        supervisor,
        file_name="events-v2.csv",
    )
    assert str(report) == "Imported events: 0 new, 1 updated."
    event = models.Event.objects.get(key="2020-embassy")
    assert set(event.event_participants.values_list("actor__key", "role")) == {
        ("kataib-hizballah", "initiator"),
        ("quds-force", "accused"),
    }
    assert event.version == 2


def test_reimporting_events_without_the_participants_column_keeps_them(supervisor, world):
    factories.EventParticipantFactory(event=world.strike, actor=world.soleimani, role="target")
    data = table(["key", "title", "event_type"], [world.strike.key, "US strike at Baghdad airport", "assault"])
    assert str(imported("events", data, supervisor)) == "Imported events: 0 new, 1 updated."
    assert list(world.strike.event_participants.values_list("actor__key", "role")) == [("qasem-soleimani", "target")]


def test_themes(supervisor, world):
    data = table(
        ["key", "kind", "name", "description", "source", "notes"],
        ["pmf-law", "opportunity", "The PMF law of 2016", "PMF made part of the armed forces.", "zimmt-2020", ""],
        ["kadhimi-reforms", "challenge", "Al-Kadhimi's reforms", "", "", ""],
    )
    assert str(imported("themes", data, supervisor)) == "Imported themes: 2 new, 0 updated."
    law = models.Theme.objects.get(key="pmf-law")
    assert (law.kind, law.name, law.source) == ("opportunity", "The PMF law of 2016", world.zimmt)
    assert models.Theme.objects.get(key="kadhimi-reforms").source is None


def test_assumptions_with_parent_in_the_same_file(supervisor, world):
    data = table(
        ["code", "theory", "branch", "label", "statement", "proponents", "source", "source_locator", "parent"],
        [
            "SR-BALANCING",
            "structural_realism",
            "defensive",
            "Balancing",
            "States balance against threats.",
            "Stephen Walt",
            "waltz-1979",
            "p. 126",
            "SR-SELF-HELP",
        ],
        [
            "SR-BUFFER",
            "",
            "offensive",
            "Buffer zones",
            "Great powers seek buffers on their borders.",
            "",
            "",
            "",
            "SR-BALANCING",
        ],
    )
    assert str(imported("assumptions", data, supervisor)) == "Imported assumptions: 2 new, 0 updated."
    balancing = models.TheoryAssumption.objects.get(code="SR-BALANCING")
    assert (balancing.key, balancing.branch, balancing.parent, balancing.source) == (
        "sr-balancing",
        "defensive",
        world.self_help,
        world.waltz,
    )
    assert balancing.source_locator == "p. 126"
    buffer = models.TheoryAssumption.objects.get(code="SR-BUFFER")
    # An empty theory cell means the default.
    assert (buffer.key, buffer.theory, buffer.parent) == ("sr-buffer", "structural_realism", balancing)


def test_citations_of_events_actor_relations_and_claims(supervisor, world):
    header = ["target_type", "target", "source", "locator_type", "locator", "quote", "as_cited_in"]
    data = table(
        header,
        ["event", "2020-01-03-baghdad-airport-strike", "irna-2020-qaani-baghdad", "paragraph", "3", "Quote one.", ""],
        [
            "actor-relation",
            "quds-force-subunit-of-irgc",
            "irna-2020-qaani-baghdad",
            "",
            "4",
            "Quote two.",
            "zimmt-2020",
        ],
        ["claim", "iran-keeps-pmf-as-lever", "zimmt-2020", "section", "§2", "Quote three.", ""],
    )
    assert str(imported("citations", data, supervisor)) == "Imported citations: 3 new, 0 updated."
    on_event = world.strike.citations.get()
    assert (on_event.source, on_event.locator_type, on_event.locator, on_event.quote) == (
        world.irna,
        "paragraph",
        "3",
        "Quote one.",
    )
    assert (on_event.claim, on_event.actor_relation) == (None, None)
    on_relation = world.relation.citations.get()
    assert (on_relation.locator_type, on_relation.as_cited_in, on_relation.event) == ("page", world.zimmt, None)
    on_claim = world.lever.citations.get()
    assert (on_claim.source, on_claim.locator_type, on_claim.locator) == (world.zimmt, "section", "§2")
    # The same passage cited for the same record again is the same citation, not a second one.
    assert str(imported("citations", data, supervisor)) == "Imported citations: 0 new, 3 updated."
    assert models.Citation.objects.count() == 3


def test_source_links(supervisor, world):
    data = table(
        ["citing", "cited", "footnote", "locator", "relation"],
        ["zimmt-2020", "irna-2020-qaani-baghdad", "14", "§3 ¶2", "quotes"],
        ["zimmt-2020", "waltz-1979", "", "", ""],
    )
    assert str(imported("source-links", data, supervisor)) == "Imported source-links: 2 new, 0 updated."
    assert set(
        models.SourceLink.objects.values_list("citing__key", "cited__key", "footnote", "locator", "relation")
    ) == {
        ("zimmt-2020", "irna-2020-qaani-baghdad", 14, "§3 ¶2", "quotes"),
        ("zimmt-2020", "waltz-1979", None, "", "cites"),
    }


def test_source_links_without_the_optional_columns(supervisor, world):
    data = table(["citing", "cited"], ["zimmt-2020", "waltz-1979"])
    assert str(imported("source-links", data, supervisor)) == "Imported source-links: 1 new, 0 updated."


def test_footnote_that_is_not_a_number(supervisor, world):
    data = table(["citing", "cited", "footnote", "locator"], ["zimmt-2020", "waltz-1979", "fn. 3", ""])
    (problem,) = refused("source-links", data, supervisor)
    assert problem.startswith("row 2, column footnote, value “fn. 3”: ")


def test_boolean_that_is_neither_true_nor_false(supervisor):
    data = table(["key", "csl_type", "title", "is_coded_document"], ["zimmt-2020", "report", "Iran in Iraq", "yes"])
    (problem,) = refused("sources", data, supervisor)
    assert problem.startswith("row 2, column is_coded_document, value “yes”: ")


def test_self_link(supervisor, world):
    data = table(["citing", "cited", "footnote", "locator"], ["zimmt-2020", "zimmt-2020", "", ""])
    assert refused("source-links", data, supervisor) == [
        "row 2, column citing, value “zimmt-2020”: A record cannot be related to itself."
    ]


def test_claim_relations(supervisor, world):
    data = table(
        ["claim", "relation_type", "other", "note"],
        ["iran-keeps-pmf-as-lever", "elaborates", "iran-pressures-kadhimi", "Same lever, used on the government."],
    )
    assert str(imported("claim-relations", data, supervisor)) == "Imported claim-relations: 1 new, 0 updated."
    relation = models.ClaimRelation.objects.get()
    assert (relation.claim, relation.relation_type, relation.other, relation.note) == (
        world.lever,
        "elaborates",
        world.pressure,
        "Same lever, used on the government.",
    )


SHEET_COLUMNS = [
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


def sheet_row(**cells: str) -> list[str]:
    """A coding-sheet row: a claim about the Quds Force's lever in Iraq, with `cells` changed."""
    row = {
        "claim": "quds-force-keeps-militias-armed",
        "source": "zimmt-2020",
        "locator_type": "page",
        "locator": "3",
        "quote": "The Qods Force continues to arm the pro-Iranian militias.",
        "as_cited_in": "",
        "statement": "The Quds Force keeps arming Iraqi militias after Soleimani's death.",
        "kind": "factual",
        "modality": "asserts",
        "attributed_to": "",
        "confidence": "high",
        "actors": "Quds Force; Kata'ib Hizballah",
        "events": "2020-01-03-baghdad-airport-strike",
        "themes": "anti-iranian-protest",
        "period_start": "2020-01-03",
        "period_end": "2020-07-14",
        "assumptions": "",
        "rationale": "",
        "link_by": "",
        "notes": "",
    }
    unknown = set(cells) - set(row)
    assert not unknown, unknown
    row.update(cells)
    return [row[name] for name in SHEET_COLUMNS]


def test_coding_sheet_two_rows_one_claim(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-SELF-HELP:illustrates", rationale="Arming allies is self-help.", link_by="coder"),
        sheet_row(
            locator_type="paragraph",
            locator="§4 ¶2",
            quote="Weapons keep flowing to Kata'ib Hizballah.",
            as_cited_in="irna-2020-qaani-baghdad",
            assumptions="SR-ANARCHY:supports",
            rationale="The source argues from the absence of any higher authority.",
        ),
        sheet_row(
            claim="soleimani-says-us-must-leave",
            statement="Soleimani demanded that US forces leave Iraq.",
            kind="intent",
            modality="reports",
            attributed_to="qasem-soleimani",
            confidence="medium",
            actors="Qasem Soleimani",
            events="",
            themes="",
            period_start="",
            period_end="",
        ),
    )
    report = imported("coding-sheet", data, supervisor)
    assert str(report) == "Imported coding-sheet: 2 new, 1 updated."

    claim = models.Claim.objects.get(key="quds-force-keeps-militias-armed")
    assert claim.statement == "The Quds Force keeps arming Iraqi militias after Soleimani's death."
    assert (claim.kind, claim.modality, claim.confidence, claim.attributed_to) == ("factual", "asserts", "high", None)
    assert set(claim.actors.all()) == {world.quds, world.kh}
    assert list(claim.events.all()) == [world.strike]
    assert list(claim.themes.all()) == [world.protest]
    assert (claim.period_start, claim.period_end) == (datetime.date(2020, 1, 3), datetime.date(2020, 7, 14))
    assert (claim.status, claim.created_by, claim.updated_by) == (Status.DRAFT, supervisor, supervisor)

    assert set(claim.citations.values_list("source__key", "locator_type", "locator", "quote", "as_cited_in__key")) == {
        ("zimmt-2020", "page", "3", "The Qods Force continues to arm the pro-Iranian militias.", None),
        ("zimmt-2020", "paragraph", "§4 ¶2", "Weapons keep flowing to Kata'ib Hizballah.", "irna-2020-qaani-baghdad"),
    }
    assert set(claim.assumption_links.values_list("assumption__code", "relation", "rationale", "attribution")) == {
        ("SR-SELF-HELP", "illustrates", "Arming allies is self-help.", "coder"),
        # link_by left empty: the link is the source's own argument.
        ("SR-ANARCHY", "supports", "The source argues from the absence of any higher authority.", "source"),
    }

    reported = models.Claim.objects.get(key="soleimani-says-us-must-leave")
    assert (reported.modality, reported.attributed_to, reported.confidence) == ("reports", world.soleimani, "medium")
    assert list(reported.actors.all()) == [world.soleimani]
    assert reported.citations.count() == 1
    assert reported.assumption_links.count() == 0


def test_coding_sheet_reimport_does_not_duplicate_citations_or_links(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-SELF-HELP:illustrates", rationale="Arming allies is self-help."),
    )
    imported("coding-sheet", data, supervisor)
    changed = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-SELF-HELP:qualifies", rationale="Only partly self-help.", confidence="low"),
    )
    assert str(imported("coding-sheet", changed, supervisor)) == "Imported coding-sheet: 0 new, 1 updated."
    claim = models.Claim.objects.get(key="quds-force-keeps-militias-armed")
    assert claim.confidence == "low"
    assert claim.citations.count() == 1
    assert list(claim.assumption_links.values_list("relation", "rationale")) == [
        ("qualifies", "Only partly self-help.")
    ]


def test_every_dataset_has_an_import_test():
    # Adding a dataset to RESOURCES without a good-file test above should fail here.
    assert set(RESOURCES) == {
        "sources",
        "source-links",
        "actors",
        "aliases",
        "actor-relations",
        "events",
        "themes",
        "assumptions",
        "citations",
        "claim-relations",
        "coding-sheet",
    }


# --- how the file is written: encoding, BOM, line endings ---------------------------------------


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_bom_and_line_endings(supervisor, bom, newline):
    data = table(
        ["key", "name", "kind", "notes"],
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "Line one\nline two"],
        ["hashd", "الحشد الشعبي", "coalition", ""],
        newline=newline,
        bom=bom,
    )
    assert data.startswith(b"\xef\xbb\xbf") == bom
    assert str(imported("actors", data, supervisor)) == "Imported actors: 2 new, 0 updated."
    # The BOM is not part of the first column's name, nor of any value.
    assert models.Actor.objects.get(key="irgc").notes == "Line one\nline two"
    assert models.Actor.objects.get(key="hashd").name == "الحشد الشعبي"


def test_windows_1252_file_is_refused_with_a_guess(supervisor):
    data = "key,name,kind\nirgc,Corps des Gardiens de la Révolution,organization\n".encode("cp1252")
    (problem,) = refused("actors", data, supervisor)
    assert problem == (
        "The file is not UTF-8 (byte 0xE9 on line 2); it looks like Windows-1252. "
        "Save it again as “CSV UTF-8” and import that."
    )


def test_windows_1252_bytes_alone(supervisor):
    data = b"key,name,kind\n\xe9t\xe9,\xe9t\xe9,organization\n"
    (problem,) = refused("actors", data, supervisor)
    assert "not UTF-8" in problem
    assert "0xE9 on line 2" in problem
    assert "Windows-1252" in problem


def test_windows_1256_arabic_file_is_refused_with_a_guess(supervisor):
    data = "key,name,kind\nkataib-hizballah,كتائب حزب الله,organization\n".encode("cp1256")
    (problem,) = refused("actors", data, supervisor)
    assert problem.startswith("The file is not UTF-8 (byte 0x")
    assert "on line 2); it looks like Windows-1256 (Arabic). Save it again as “CSV UTF-8”" in problem


def test_windows_1252_spanish_and_german_text_is_not_called_arabic(supervisor):
    data = "key,name,kind\nx,Política exterior de Irán (Göttingen),organization\n".encode("cp1252")
    (problem,) = refused("actors", data, supervisor)
    assert "it looks like Windows-1252" in problem


@pytest.mark.parametrize("data", [b"", b"\n", b"  \r\n\r\n"], ids=["nothing", "newline", "blank-lines"])
def test_empty_file(supervisor, data):
    assert refused("actors", data, supervisor) == ["The file is empty."]


def test_empty_file_with_only_a_bom(supervisor):
    assert refused("actors", b"\xef\xbb\xbf", supervisor) == ["The file is empty."]


@pytest.mark.parametrize("trailer", ["", "\n", "\n,,\n\n"], ids=["no-newline", "newline", "blank-rows"])
def test_header_only_file(supervisor, trailer):
    data = f"key,name,kind{trailer}".encode()
    assert refused("actors", data, supervisor) == ["The file has a header but no rows."]


def test_blank_lines_are_skipped_but_still_count_as_spreadsheet_rows(supervisor):
    data = b"key,name,kind\n\nirgc,Islamic Revolutionary Guard Corps,organization\n,,\nbad,Bad,militia\n"
    (problem,) = refused("actors", data, supervisor)
    assert problem == not_a_choice(5, "kind", "militia", choices.ActorKind)


def test_a_cell_over_several_lines_is_one_spreadsheet_row(supervisor):
    data = table(
        ["key", "name", "kind", "notes"],
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "Founded 1979.\nSee also:\nBasij"],
        ["quds-force", "Quds Force", "militia", ""],
    )
    assert refused("actors", data, supervisor) == [not_a_choice(3, "kind", "militia", choices.ActorKind)]


# --- the header ---------------------------------------------------------------------------------


def test_missing_required_columns(supervisor):
    data = table(["key", "country"], ["irgc", "IRN"])
    assert refused("actors", data, supervisor) == ["row 1: Required columns missing: name, kind."]


def test_unknown_columns_list_the_known_ones(supervisor):
    data = table(["key", "name", "kind", "colour", "Sector"], ["irgc", "IRGC", "organization", "green", "military"])
    (problem,) = refused("actors", data, supervisor)
    assert problem.startswith("row 1: Unknown columns: colour, Sector. The columns are: key, name, kind, sector, ")


def test_a_column_twice(supervisor):
    data = table(["key", "name", "kind", "name"], ["irgc", "IRGC", "organization", "IRGC"])
    assert refused("actors", data, supervisor) == ["row 1: Columns appear twice: name."]


def test_all_header_problems_at_once(supervisor):
    data = table(["key", "kind", "kind", "colour"], ["irgc", "organization", "organization", "green"])
    problems = refused("actors", data, supervisor)
    assert len(problems) == 3
    assert problems[0] == "row 1: Required columns missing: name."
    assert problems[1].startswith("row 1: Unknown columns: colour.")
    assert problems[2] == "row 1: Columns appear twice: kind."


def test_header_cells_are_trimmed(supervisor):
    data = table([" key", "name ", " kind "], ["irgc", "Islamic Revolutionary Guard Corps", "organization"])
    assert str(imported("actors", data, supervisor)) == "Imported actors: 1 new, 0 updated."


def test_row_with_the_wrong_number_of_cells(supervisor):
    data = b"key,name,kind\nirgc,IRGC,organization\nquds,Quds Force,organization,extra\n"
    assert refused("actors", data, supervisor) == ["row 3: 4 cells where the header has 3."]


@pytest.mark.parametrize("dataset", ["actors", "events", "themes", "sources"])
def test_status_column_is_refused(supervisor, dataset):
    """An import cannot set a review status: the column does not exist."""
    header = {
        "actors": ["key", "name", "kind", "status"],
        "events": ["key", "title", "event_type", "status"],
        "themes": ["key", "kind", "name", "status"],
        "sources": ["key", "csl_type", "title", "status"],
    }[dataset]
    values = {
        "actors": ["irgc", "IRGC", "organization", "approved"],
        "events": ["e", "Strike", "assault", "approved"],
        "themes": ["t", "challenge", "Protest", "approved"],
        "sources": ["s", "report", "Report", "approved"],
    }[dataset]
    (problem,) = refused(dataset, table(header, values), supervisor)
    assert problem.startswith("row 1: Unknown columns: status. The columns are: ")


# --- values --------------------------------------------------------------------------------------


def test_duplicate_keys_name_both_rows(supervisor):
    data = table(
        ACTOR_COLUMNS,
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "military", "IRN", ""],
        ["quds-force", "Quds Force", "organization", "military", "IRN", "irgc"],
        ["irgc", "IRGC", "organization", "military", "IRN", ""],
        ["quds-force", "Qods Force", "organization", "military", "IRN", ""],
    )
    assert refused("actors", data, supervisor) == [
        "row 4, column key, value “irgc”: the same key as row 2.",
        "row 5, column key, value “quds-force”: the same key as row 3.",
    ]


def test_duplicate_assumption_codes(supervisor):
    data = table(
        ["code", "label", "statement"],
        ["SR-ANARCHY", "Anarchy", "No world government."],
        ["SR-ANARCHY", "Anarchy again", "No world government."],
    )
    assert refused("assumptions", data, supervisor) == [
        "row 3, column code, value “SR-ANARCHY”: the same key as row 2."
    ]


def test_over_long_country_code(supervisor):
    data = table(
        ACTOR_COLUMNS,
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "military", "IRN", ""],
        ["quds-force", "Quds Force", "organization", "military", "IRAN", ""],
    )
    assert set(refused("actors", data, supervisor)) == {
        "row 3, column country, value “IRAN”: Ensure this value has at most 3 characters (it has 4).",
        "row 3, column country, value “IRAN”: IRAN is not an ISO 3166 alpha-3 country code (e.g. IRN, IRQ, USA).",
    }


def test_lowercase_or_unknown_country_code(supervisor):
    data = table(
        ACTOR_COLUMNS,
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "military", "irn", ""],
        ["quds-force", "Quds Force", "organization", "military", "XYZ", ""],
    )
    assert refused("actors", data, supervisor) == [
        "row 2, column country, value “irn”: irn is not an ISO 3166 alpha-3 country code (e.g. IRN, IRQ, USA).",
        "row 3, column country, value “XYZ”: XYZ is not an ISO 3166 alpha-3 country code (e.g. IRN, IRQ, USA).",
    ]


def test_over_long_name_is_shown_shortened(supervisor):
    name = "Islamic Revolutionary Guard Corps " * 10  # 340 characters, 339 once the cell is stripped
    data = table(["key", "name", "kind"], ["irgc", name, "organization"])
    (problem,) = refused("actors", data, supervisor)
    assert problem == (
        f"row 2, column name, value “{name[:57]}…”: Ensure this value has at most 200 characters (it has 339)."
    )


def test_over_long_key(supervisor):
    key = "k" * 81
    (problem,) = refused("actors", table(["key", "name", "kind"], [key, "IRGC", "organization"]), supervisor)
    assert problem.startswith("row 2, column key, value “kkkk")
    assert "at most 80 characters (it has 81)" in problem


def test_unknown_actor_name_suggests_the_alias(supervisor, world):
    data = table(
        ["key", "subject", "relation_type", "object"],
        ["soleimani-leads-quds", "Qassem Soleimani", "leads", "Quds Force"],
    )
    (problem,) = refused("actor-relations", data, supervisor)
    assert problem == (
        "row 2, column subject, value “Qassem Soleimani”: No actor is called “Qassem Soleimani”. "
        "Did you mean Qasem Soleimani?"
    )


def test_unknown_actor_suggestion_comes_from_aliases(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(actors="Quds Forse; Kataib Hizballah"))
    (problem,) = refused("coding-sheet", data, supervisor)
    assert problem.startswith("row 2, column actors, value “Quds Forse; Kataib Hizballah”: ")
    assert "No actor is called “Quds Forse”. Did you mean Quds Force" in problem
    assert "No actor is called “Kataib Hizballah”. Did you mean Kata'ib Hizballah" in problem


def test_unknown_actor_without_anything_close(supervisor, world):
    data = table(["key", "name", "kind", "parent"], ["x", "X", "organization", "Zzyzx"])
    assert refused("actors", data, supervisor) == ["row 2, column parent, value “Zzyzx”: No actor is called “Zzyzx”."]


def test_actor_names_ignore_case(supervisor, world):
    data = table(
        ["key", "subject", "relation_type", "object"],
        ["r", "QODS FORCE", "subunit_of", "islamic revolutionary guard corps"],
    )
    imported("actor-relations", data, supervisor)
    relation = models.ActorRelation.objects.get(key="r")
    assert (relation.subject, relation.object) == (world.quds, world.irgc)


def test_ambiguous_actor_name(supervisor, world):
    data = table(
        [*EVENT_COLUMNS],
        ["e1", "Badr fighters deploy to Diyala", "mobilize", "2014-08-01", "", "month", "IRQ", "Badr:initiator"],
    )
    (problem,) = refused("events", data, supervisor)
    assert problem.startswith("row 2, column participants, value “Badr:initiator”: “Badr” names more than one actor (")
    assert "badr-corps" in problem and "badr-organization" in problem
    assert problem.endswith("): use the key.")


def test_unknown_key_suggests_close_keys(supervisor, world):
    data = table(["key", "kind", "name", "source"], ["pmf-law", "opportunity", "The PMF law", "zimmt-2002"])
    assert refused("themes", data, supervisor) == [
        "row 2, column source, value “zimmt-2002”: No source has the key “zimmt-2002”. Did you mean zimmt-2020?"
    ]


def test_unknown_keys_in_id_columns(supervisor, world):
    """Columns that say which record a row is (an alias's actor, a relation's claims) are checked like any other."""
    aliases = table(["actor", "name"], ["quds-force", "Sepah-e Qods"], ["kataib-hezbollah", "KH"])
    assert refused("aliases", aliases, supervisor) == [
        "row 3, column actor, value “kataib-hezbollah”: No actor has the key “kataib-hezbollah”. "
        "Did you mean kataib-hizballah?"
    ]
    relations = table(["claim", "relation_type", "other"], ["iran-keeps-pmf-as-lever", "corroborates", "no-such-claim"])
    assert refused("claim-relations", relations, supervisor) == [
        "row 2, column other, value “no-such-claim”: No claim has the key “no-such-claim”."
    ]


def test_unknown_assumption_code_in_the_coding_sheet(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(assumptions="SR-ANARCHIE:supports", rationale="Anarchy."))
    (problem,) = refused("coding-sheet", data, supervisor)
    assert problem == (
        "row 2, column assumptions, value “SR-ANARCHIE:supports”: No theory assumption has the code “SR-ANARCHIE”. "
        "Did you mean SR-ANARCHY?"
    )


def test_pair_without_a_valid_second_part(supervisor, world):
    data = table(["key", "title", "event_type", "participants"], ["e", "Strike", "assault", "irgc; quds-force:boss"])
    (problem,) = refused("events", data, supervisor)
    assert problem.startswith("row 2, column participants, value “irgc; quds-force:boss”: ")
    assert "“irgc” is not an actor and a role (initiator, target," in problem
    assert "“quds-force:boss” is not an actor and a role" in problem


INVALID_CHOICES = [
    ("actors", ["key", "name", "kind"], ["irgc", "IRGC", "militia"], "kind", "militia", choices.ActorKind),
    (
        "actors",
        ["key", "name", "kind", "sector"],
        ["irgc", "IRGC", "organization", "army"],
        "sector",
        "army",
        choices.Sector,
    ),
    (
        "events",
        ["key", "title", "event_type"],
        ["e", "Strike", "attack"],
        "event_type",
        "attack",
        choices.EventType,
    ),
    ("themes", ["key", "kind", "name"], ["t", "threat", "Protest"], "kind", "threat", choices.ThemeKind),
    (
        "sources",
        ["key", "csl_type", "title"],
        ["s", "newspaper", "Report"],
        "csl_type",
        "newspaper",
        choices.CslType,
    ),
    (
        "assumptions",
        ["code", "label", "statement", "branch"],
        ["SR-X", "X", "X.", "neo"],
        "branch",
        "neo",
        choices.Branch,
    ),
    (
        "actor-relations",
        ["key", "subject", "relation_type", "object"],
        ["r", "irgc", "commands", "quds-force"],
        "relation_type",
        "commands",
        choices.ActorRelationType,
    ),
    (
        "source-links",
        ["citing", "cited", "footnote", "locator", "relation"],
        ["zimmt-2020", "waltz-1979", "", "", "cites-as-proof"],
        "relation",
        "cites-as-proof",
        choices.SourceLinkRelation,
    ),
    (
        "claim-relations",
        ["claim", "relation_type", "other"],
        ["iran-keeps-pmf-as-lever", "supports", "iran-pressures-kadhimi"],
        "relation_type",
        "supports",
        choices.ClaimRelationType,
    ),
]


@pytest.mark.parametrize(
    ("dataset", "header", "values", "column", "value", "allowed"),
    INVALID_CHOICES,
    ids=[f"{case[0]}-{case[3]}" for case in INVALID_CHOICES],
)
def test_invalid_choice(supervisor, world, dataset, header, values, column, value, allowed):
    assert refused(dataset, table(header, values), supervisor) == [not_a_choice(2, column, value, allowed)]


def test_invalid_choice_in_the_coding_sheet(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(), sheet_row(claim="other-claim", kind="opinion", confidence="certain"))
    assert refused("coding-sheet", data, supervisor) == [
        not_a_choice(3, "confidence", "certain", choices.Confidence),
        not_a_choice(3, "kind", "opinion", choices.ClaimKind),
    ]


def test_end_date_before_start_date(supervisor, world):
    data = table(
        ["key", "name", "kind", "active_from", "active_to"],
        ["pmf", "Popular Mobilization Forces", "coalition", "2014-06-13", ""],
        ["old", "Old militia", "organization", "2010-01-01", "2005-01-01"],
    )
    (problem,) = refused("actors", data, supervisor)
    assert problem.startswith("row 3")
    assert "The end date cannot be before the start date (active to)." in problem


@pytest.mark.parametrize(
    ("dataset", "header", "values", "where"),
    [
        (
            "events",
            ["key", "title", "event_type", "date_start", "date_end"],
            ["e", "Strike", "assault", "2020-01-08", "2020-01-03"],
            "row 2, column date_end, value “2020-01-03”: ",
        ),
        (
            "actor-relations",
            ["key", "subject", "relation_type", "object", "start", "end"],
            ["r", "quds-force", "allied_with", "irgc", "2020-01-08", "2020-01-03"],
            "row 2, column end, value “2020-01-03”: ",
        ),
    ],
    ids=["event-dates", "relation-dates"],
)
def test_constraint_errors_name_the_column(supervisor, world, dataset, header, values, where):
    (problem,) = refused(dataset, table(header, values), supervisor)
    assert problem.startswith(where)


def test_alias_differing_only_in_case_updates_the_stored_one(supervisor, world):
    # Aliases are unique per actor ignoring case, so the file's spelling replaces the stored one.
    actor = models.Actor.objects.get(key="quds-force")
    before = actor.aliases.count()
    imported("aliases", table(["actor", "name"], ["quds-force", "QUDS FORCE"]), supervisor)
    assert actor.aliases.count() == before
    assert actor.aliases.filter(name="QUDS FORCE").exists()


def test_key_of_a_deleted_record_is_not_reused(supervisor):
    factories.ActorFactory(key="pmf").delete()
    data = table(["key", "name", "kind"], ["pmf", "Popular Mobilization Forces", "coalition"])
    assert refused("actors", data, supervisor) == [
        "row 2, column key, value “pmf”: This key is, or was, used by another record; keys are never reused."
    ]


def test_invalid_key(supervisor):
    data = table(["key", "name", "kind"], ["Quds Force!", "Quds Force", "organization"])
    assert refused("actors", data, supervisor) == [
        "row 2, column key, value “Quds Force!”: Enter a valid “slug” consisting of letters, numbers, underscores "
        "or hyphens."
    ]


def test_empty_required_cell(supervisor):
    data = table(
        ["key", "name", "kind"], ["irgc", "Islamic Revolutionary Guard Corps", ""], ["quds", "", "organization"]
    )
    assert refused("actors", data, supervisor) == [
        "row 2, column kind: This field cannot be blank.",
        "row 3, column name: This field cannot be blank.",
    ]


def test_name_of_spaces_is_blank(supervisor):
    data = table(["key", "name", "kind"], ["irgc", "   ", "organization"])
    assert refused("actors", data, supervisor) == ["row 2, column name: This field cannot be blank."]


def test_reported_claim_needs_the_actor(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(modality="reports"))
    (problem,) = refused("coding-sheet", data, supervisor)
    assert problem.startswith("row 2")
    assert "needs the actor it is attributed to" in problem


def test_coding_sheet_rows_of_one_claim_must_agree(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(),
        sheet_row(locator="4", quote="Another passage."),
        sheet_row(locator="5", quote="A third.", statement="The Quds Force arms militias.", confidence="low"),
    )
    assert refused("coding-sheet", data, supervisor) == [
        "row 4, column confidence, value “low”: claim quds-force-keeps-militias-armed says something else here "
        "than on row 2.",
        "row 4, column statement, value “The Quds Force arms militias.”: claim quds-force-keeps-militias-armed "
        "says something else here than on row 2.",
    ]


def test_assumption_links_need_a_rationale(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(),
        sheet_row(locator="4", quote="Another passage.", assumptions="SR-ANARCHY:supports", rationale="  "),
    )
    (problem,) = refused("coding-sheet", data, supervisor)
    assert problem.startswith("row 3")
    assert "Assumption links need a rationale (column rationale)." in problem


def test_invalid_link_by(supervisor, world):
    data = table(SHEET_COLUMNS, sheet_row(assumptions="SR-ANARCHY:supports", rationale="Anarchy.", link_by="me"))
    (problem,) = refused("coding-sheet", data, supervisor)
    assert problem.startswith("row 2")
    assert "link_by “me” is not one of source, coder." in problem


def test_unknown_citation_target(supervisor, world):
    header = ["target_type", "target", "source", "locator", "quote"]
    data = table(
        header,
        ["event", "2020-01-03-baghdad-airport-strike", "zimmt-2020", "3", "Fine."],
        ["event", "2020-01-04-no-such-event", "zimmt-2020", "3", "Quote."],
        ["theme", "anti-iranian-protest", "zimmt-2020", "3", "Quote."],
    )
    problems = refused("citations", data, supervisor)
    assert (
        "row 3, column target, value “2020-01-04-no-such-event”: No event has the key “2020-01-04-no-such-event”."
    ) in problems
    assert "row 4, column target_type, value “theme”: “theme” is not one of claim, event, actor-relation." in problems
    assert {problem.split(",")[0].split(":")[0] for problem in problems} == {"row 3", "row 4"}


def test_every_problem_is_reported_at_once_in_row_order(supervisor, world):
    data = table(
        ACTOR_COLUMNS,
        ["irgc-2", "IRGC", "organization", "military", "IRN", ""],
        ["x", "X", "militia", "", "", ""],
        ["y", "Y", "organization", "", "IRAQ", "Qassem Soleimani"],
        ["irgc-2", "IRGC again", "organization", "", "", ""],
    )
    problems = refused("actors", data, supervisor)
    assert [problem.split(":")[0] for problem in problems] == [
        "row 3, column kind, value “militia”",
        "row 4, column country, value “IRAQ”",
        "row 4, column country, value “IRAQ”",
        "row 4, column parent, value “Qassem Soleimani”",
        "row 5, column key, value “irgc-2”",
    ]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_one_bad_row_among_good_ones_writes_nothing(supervisor, world, dry_run):
    data = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-ANARCHY:supports", rationale="Anarchy."),
        sheet_row(locator="4", quote="Another passage."),
        sheet_row(claim="second-claim", statement="Iran arms KH.", actors="Qassem Soleimani"),
    )
    (problem,) = refused("coding-sheet", data, supervisor, dry_run=dry_run)
    assert problem.startswith("row 4, column actors, value “Qassem Soleimani”: ")


def test_a_later_row_cannot_refer_to_an_earlier_bad_row(supervisor):
    data = table(
        ACTOR_COLUMNS,
        ["irgc", "Islamic Revolutionary Guard Corps", "militia", "", "", ""],
        ["quds-force", "Quds Force", "organization", "", "", "irgc"],
    )
    problems = refused("actors", data, supervisor)
    assert problems[0] == not_a_choice(2, "kind", "militia", choices.ActorKind)
    assert problems[1].startswith("row 3, column parent, value “irgc”: No actor is called “irgc”.")


# --- formula escaping is undone ------------------------------------------------------------------


def test_formula_escaping_is_undone(supervisor, world):
    data = table(
        ["actor", "name", "alias_type"],
        ["kataib-hizballah", "''Asa'ib Ahl al-Haq", "spelling_variant"],
        ["kataib-hizballah", "'=HYPERLINK(x)", "spelling_variant"],
        ["kataib-hizballah", "'-KH-", "spelling_variant"],
        ["kataib-hizballah", "Kata'ib Hezbollah", "spelling_variant"],
    )
    imported("aliases", data, supervisor)
    names = set(world.kh.aliases.values_list("name", flat=True))
    assert {"'Asa'ib Ahl al-Haq", "=HYPERLINK(x)", "-KH-", "Kata'ib Hezbollah"} <= names


def test_escaped_cells_name_records_too(supervisor, world):
    """A name that starts with an apostrophe is escaped wherever it appears, also when it names an actor."""
    asaib = factories.ActorFactory(key="asaib-ahl-al-haq", name="'Asa'ib Ahl al-Haq")
    data = table(
        ["key", "subject", "relation_type", "object"], ["aah-allied-quds", "''Asa'ib Ahl al-Haq", "allied_with", "irgc"]
    )
    imported("actor-relations", data, supervisor)
    assert models.ActorRelation.objects.get(key="aah-allied-quds").subject == asaib


# --- review status, ownership, updates -----------------------------------------------------------


def test_import_creates_drafts_of_the_importer(supervisor):
    data = table(["key", "name", "kind"], ["irgc", "Islamic Revolutionary Guard Corps", "organization"])
    imported("actors", data, supervisor)
    actor = models.Actor.objects.get(key="irgc")
    assert (actor.status, actor.created_by, actor.updated_by, actor.reviewed_by, actor.submitted_at) == (
        Status.DRAFT,
        supervisor,
        supervisor,
        None,
        None,
    )


def test_reimport_updates_an_existing_record_and_keeps_its_review_state(supervisor, world):
    other = make_coder("other-coder")
    actor = factories.ActorFactory(key="pmf", name="PMF", kind="coalition", created_by=other, status=Status.APPROVED)
    data = table(ACTOR_COLUMNS, ["pmf", "Popular Mobilization Forces", "coalition", "militia", "IRQ", ""])
    assert str(imported("actors", data, supervisor)) == "Imported actors: 0 new, 1 updated."
    actor.refresh_from_db()
    assert (actor.name, actor.sector, actor.country) == ("Popular Mobilization Forces", "militia", "IRQ")
    # Content changes; review state and authorship are the workflow's, never the file's.
    assert (actor.status, actor.created_by, actor.updated_by, actor.version) == (
        Status.APPROVED,
        other,
        supervisor,
        2,
    )
    assert models.Actor.objects.count() == 8  # seven in the world, plus this one: no new record


def test_reimport_leaves_cells_of_missing_columns_alone(supervisor, world):
    data = table(
        ["key", "name", "kind"], ["quds-force", "Islamic Revolutionary Guard Corps Quds Force", "organization"]
    )
    imported("actors", data, supervisor)
    world.quds.refresh_from_db()
    assert world.quds.name == "Islamic Revolutionary Guard Corps Quds Force"
    assert (world.quds.country, world.quds.parent, world.quds.sector) == ("IRN", world.irgc, "military")


# --- who may import ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coder", "viewer"])
def test_only_supervisors_import(request, world, persona):
    user = request.getfixturevalue(persona)
    data = table(["key", "name", "kind"], ["pmf", "Popular Mobilization Forces", "coalition"])
    before = snapshot()
    with pytest.raises(PermissionDenied, match=f"{persona} may not import files"):
        run_import("actors", data, user=user, file_name="actors.csv")
    assert snapshot() == before


def test_permission_is_checked_before_the_file_is_read(coder):
    with pytest.raises(PermissionDenied):
        run_import("actors", b"\xe9t\xe9", user=coder, file_name="actors.csv")


@pytest.fixture
def coder_who_imports(coder):
    """A coder granted the import permission: the per-record rules still apply to every row."""
    coder.user_permissions.add(Permission.objects.get(codename="import_records"))
    return type(coder).objects.get(pk=coder.pk)  # a fresh copy: permissions are cached


def test_importing_coder_cannot_change_another_coders_approved_record(coder_who_imports, world):
    other = make_coder("other-coder")
    factories.ActorFactory(key="pmf", name="PMF", kind="coalition", created_by=other, status=Status.APPROVED)
    data = table(
        ["key", "name", "kind"],
        ["new-militia", "New militia", "organization"],
        ["pmf", "Popular Mobilization Forces", "coalition"],
    )
    assert refused("actors", data, coder_who_imports) == ["row 3: You may not change this record."]


def test_importing_coder_cannot_add_links_to_another_coders_record(coder_who_imports, world):
    other = make_coder("other-coder")
    pmf = factories.ActorFactory(key="pmf", name="PMF", kind="coalition", created_by=other, status=Status.APPROVED)
    data = table(["actor", "name"], ["pmf", "al-Hashd al-Shaabi"])
    assert refused("aliases", data, coder_who_imports) == [f"row 2: {pmf} is not yours to change."]


def test_importing_coder_can_change_own_drafts(coder_who_imports, world):
    factories.ActorFactory(key="pmf", name="PMF", kind="coalition", created_by=coder_who_imports)
    data = table(["key", "name", "kind"], ["pmf", "Popular Mobilization Forces", "coalition"])
    assert str(imported("actors", data, coder_who_imports)) == "Imported actors: 0 new, 1 updated."


def test_supervisor_can_update_any_record(supervisor, world):
    other = make_coder("other-coder")
    claim = factories.ClaimFactory(key="c1", statement="Old.", created_by=other, status=Status.SUBMITTED)
    data = table(SHEET_COLUMNS, sheet_row(claim="c1", statement="New."))
    assert str(imported("coding-sheet", data, supervisor)) == "Imported coding-sheet: 0 new, 1 updated."
    claim.refresh_from_db()
    assert (claim.statement, claim.status, claim.created_by) == ("New.", Status.SUBMITTED, other)


# --- history -------------------------------------------------------------------------------------


def test_history_of_actors_and_aliases(supervisor, world):
    imported("actors", table(["key", "name", "kind"], ["pmf", "Popular Mobilization Forces", "coalition"]), supervisor)
    imported(
        "aliases",
        table(
            ["actor", "name", "alias_type"], ["pmf", "al-Hashd al-Shaabi", "transliteration"], ["pmf", "PMF", "acronym"]
        ),
        supervisor,
        file_name="pmf-aliases.csv",
    )
    pmf = models.Actor.objects.get(key="pmf")
    assert_imported_history(pmf, supervisor, "actors.csv")
    for alias in pmf.aliases.all():
        assert_imported_history(alias, supervisor, "pmf-aliases.csv")


def test_history_of_an_update(supervisor, world):
    data = table(
        ["key", "name", "kind"], ["quds-force", "Islamic Revolutionary Guard Corps Quds Force", "organization"]
    )
    imported("actors", data, supervisor, file_name="renames 2024.csv")
    latest = history_of(world.quds)[-1]
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        supervisor,
        "Imported from renames 2024.csv",
    )
    assert latest.name == "Islamic Revolutionary Guard Corps Quds Force"


def test_history_of_events_and_participants(supervisor, world):
    data = table(
        ["key", "title", "event_type", "participants"],
        ["embassy", "Embassy attack", "protest", "Kata'ib Hizballah:initiator; irgc:accused"],
    )
    imported("events", data, supervisor, file_name="events-2019.csv")
    event = models.Event.objects.get(key="embassy")
    assert_imported_history(event, supervisor, "events-2019.csv")
    participants = list(event.event_participants.all())
    assert len(participants) == 2
    for participant in participants:
        assert_imported_history(participant, supervisor, "events-2019.csv")


def test_history_of_a_removed_participant_names_the_importer(supervisor, world):
    header = ["key", "title", "event_type", "participants"]
    imported("events", table(header, ["embassy", "Embassy attack", "protest", "irgc:accused"]), supervisor)
    imported("events", table(header, ["embassy", "Embassy attack", "protest", ""]), supervisor, file_name="v2.csv")
    (removed,) = models.EventParticipant.history.filter(history_type="-")
    assert removed.history_change_reason == "Imported from v2.csv"
    assert removed.history_user == supervisor


def test_history_of_the_coding_sheet(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-SELF-HELP:illustrates", rationale="Arming allies is self-help."),
        sheet_row(locator="4", quote="Another passage.", assumptions="SR-ANARCHY:supports", rationale="Anarchy."),
    )
    imported("coding-sheet", data, supervisor, file_name="zimmt-2020 coding.csv")
    claim = models.Claim.objects.get(key="quds-force-keeps-militias-armed")
    # Created by row 2, its m2m cells set (~), then saved again by row 3 (~).
    assert_imported_history(claim, supervisor, "zimmt-2020 coding.csv", types="+~")
    assert history_of(claim)[0].history_type == "+"
    citations = list(claim.citations.all())
    links = list(claim.assumption_links.all())
    assert (len(citations), len(links)) == (2, 2)
    for link in [*citations, *links]:
        assert_imported_history(link, supervisor, "zimmt-2020 coding.csv")
    # The claim's latest history row holds its actors, as the file gave them.
    latest = history_of(claim)[-1]
    assert {row.actor_id for row in latest.actors.all()} == {world.quds.pk, world.kh.pk}


def test_history_of_citations_source_links_and_claim_relations(supervisor, world):
    imported(
        "citations",
        table(
            ["target_type", "target", "source", "locator", "quote"],
            ["event", "2020-01-03-baghdad-airport-strike", "irna-2020-qaani-baghdad", "3", "Quote."],
        ),
        supervisor,
    )
    imported(
        "source-links",
        table(["citing", "cited", "footnote", "locator"], ["zimmt-2020", "waltz-1979", "3", ""]),
        supervisor,
    )
    imported(
        "claim-relations",
        table(
            ["claim", "relation_type", "other"], ["iran-keeps-pmf-as-lever", "corroborates", "iran-pressures-kadhimi"]
        ),
        supervisor,
    )
    assert_imported_history(models.Citation.objects.get(), supervisor, "citations.csv")
    assert_imported_history(models.SourceLink.objects.get(), supervisor, "source-links.csv")
    assert_imported_history(models.ClaimRelation.objects.get(), supervisor, "claim-relations.csv")


# --- dry run -------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_says_what_it_would_do(supervisor, world):
    data = table(
        SHEET_COLUMNS,
        sheet_row(assumptions="SR-SELF-HELP:illustrates", rationale="Arming allies is self-help."),
        sheet_row(locator="4", quote="Another passage."),
        sheet_row(claim="iran-keeps-pmf-as-lever", statement="Iran keeps the PMF as a lever in Iraq."),
    )
    before = snapshot()
    report = imported("coding-sheet", data, supervisor, dry_run=True)
    assert snapshot() == before
    assert str(report) == "Would import coding-sheet: 1 new, 2 updated."
    assert (report.new, report.updated, report.dry_run) == (1, 2, True)


def test_dry_run_of_rows_that_refer_to_each_other(supervisor):
    data = table(
        ACTOR_COLUMNS,
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "military", "IRN", ""],
        ["quds-force", "Quds Force", "organization", "military", "IRN", "irgc"],
    )
    before = snapshot()
    assert str(imported("actors", data, supervisor, dry_run=True)) == "Would import actors: 2 new, 0 updated."
    assert snapshot() == before
    # ...and the real import afterwards does what the preview said.
    assert str(imported("actors", data, supervisor)) == "Imported actors: 2 new, 0 updated."
