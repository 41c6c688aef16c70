"""The public site in a real browser: journeys a researcher takes, on a small coded dataset.

Each test gets its own copy of the dataset (the live server needs committed data, and the
database is flushed after every test). Every page visited must load without a console
error: the site's Content-Security-Policy forbids inline scripts and styles, and Chromium
reports a violation as a console error, as it does a failed load or a script error.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from influence_db.coding import choices
from influence_db.coding.models import Actor, Claim, Event, Theme, TheoryAssumption
from influence_db.exchange.datasets import INTERNAL_COLUMNS
from tests import factories
from tests.helpers import needs_django_csp

APPROVED = choices.Status.APPROVED

ARABIC_ALIAS = "أبو مهدي المهندس"
# Written with a zero-width non-joiner (U+200C) between the two parts of "Khamenei".
PERSIAN_ALIAS = "علی خامنه\u200cای"  # noqa: RUF001 (the Persian alef is meant)
TRANSLITERATED = "Abu Mahdi al-Muhandis"
TRANSLITERATED_VARIANT = "Abu Mahdi al-Mohandes"
ARABIC_IN_STATEMENT = "الحشد الشعبي"

# Text that only unapproved records (or the team's internal fields) carry.
HIDDEN = (
    "Submitted claim that must stay hidden",
    "Quote of a submitted claim",
    "Draft actor Hidden Commander",
    "INTERNAL-NOTE",
    "REVIEW-COMMENT",
)


@dataclass
class Dataset:
    claims: dict[str, Claim]
    themes: dict[str, Theme]
    anarchy: TheoryAssumption
    survival: TheoryAssumption
    muhandis: Actor
    khamenei: Actor
    events: dict[int, Event]
    quotes: dict[str, str]

    def statements(self, *names: str) -> set[str]:
        return {self.claims[name].statement for name in names}


@pytest.fixture
def data(live_server) -> Dataset:
    """Approved records, plus one submitted claim and one draft actor that must never show."""
    now = timezone.now()
    approved = {"status": APPROVED, "reviewed_at": now}
    source = factories.SourceFactory(title="Iran faces growing challenges in Iraq", is_coded_document=True, **approved)
    anarchy = factories.TheoryAssumptionFactory(code="SR-ANARCHY", label="Anarchy", **approved)
    survival = factories.TheoryAssumptionFactory(code="SR-SURVIVAL", label="Survival is the primary goal", **approved)
    themes = {
        "militias": factories.ThemeFactory(
            name="Militias as a lever of Iranian influence", kind=choices.ThemeKind.OPPORTUNITY, **approved
        ),
        "protest": factories.ThemeFactory(name="Growing anti-Iranian protest in Iraq", **approved),
    }

    muhandis = factories.ActorFactory(name=TRANSLITERATED, kind=choices.ActorKind.PERSON, **approved)
    factories.ActorAliasFactory(
        actor=muhandis, name=ARABIC_ALIAS, alias_type=choices.AliasType.SPELLING_VARIANT, language="ar", script="Arab"
    )
    factories.ActorAliasFactory(
        actor=muhandis, name=TRANSLITERATED_VARIANT, alias_type=choices.AliasType.TRANSLITERATION, language="ar-Latn"
    )
    khamenei = factories.ActorFactory(
        name="Ali Khamenei", kind=choices.ActorKind.PERSON, sector=choices.Sector.RELIGIOUS, country="IRN", **approved
    )
    factories.ActorAliasFactory(
        actor=khamenei, name=PERSIAN_ALIAS, alias_type=choices.AliasType.SPELLING_VARIANT, language="fa", script="Arab"
    )
    kataib = factories.ActorFactory(name="Kataib Hezbollah", **approved)
    qods = factories.ActorFactory(
        name="Qods Force", country="IRN", sector=choices.Sector.MILITARY, description="IRGC's external arm.", **approved
    )
    factories.ActorRelationFactory(subject=qods, object=kataib, relation_type=choices.ActorRelationType.SPONSORS)
    factories.ActorRelationFactory(
        subject=muhandis, object=kataib, relation_type=choices.ActorRelationType.LEADS, start=None
    )
    hidden_actor = factories.ActorFactory(name="Draft actor Hidden Commander")  # a draft
    factories.ActorRelationFactory(subject=qods, object=hidden_actor, relation_type=choices.ActorRelationType.SPONSORS)

    # Created out of date order, so that the timeline's order is not the order of insertion.
    events = {
        2020: factories.EventFactory(
            title="Killing of Soleimani and al-Muhandis at Baghdad airport",
            date_start=datetime.date(2020, 1, 3),
            date_as_written="3 January 2020",
            **approved,
        ),
        2003: factories.EventFactory(
            title="Fall of Baghdad",
            event_type=choices.EventType.COERCE,
            date_start=datetime.date(2003, 4, 9),
            date_as_written="9 April 2003",
            **approved,
        ),
        2014: factories.EventFactory(
            title="Fall of Mosul to the Islamic State",
            event_type=choices.EventType.COERCE,
            date_start=datetime.date(2014, 6, 10),
            date_as_written="June 2014",
            date_precision=choices.DatePrecision.MONTH,
            location="Mosul",
            **approved,
        ),
    }
    factories.EventFactory(title="A meeting in Tehran, date unknown", date_start=None, date_as_written="", **approved)
    factories.EventParticipantFactory(event=events[2020], actor=muhandis, role=choices.ParticipantRole.TARGET)
    factories.EventParticipantFactory(event=events[2014], actor=muhandis, role=choices.ParticipantRole.PARTICIPANT)
    factories.EventParticipantFactory(event=events[2020], actor=khamenei, role=choices.ParticipantRole.PARTICIPANT)
    factories.EventParticipantFactory(event=events[2020], actor=hidden_actor)

    def claim(name, statement, theme, links, **kwargs):
        made = factories.ClaimFactory(statement=statement, **approved, **kwargs)
        made.themes.set([themes[theme]])
        quote = f"{statement.rstrip('.')}, the report says ({name})."
        factories.CitationFactory(claim=made, source=source, quote=quote)
        for assumption, relation in links:
            factories.ClaimAssumptionFactory(claim=made, assumption=assumption, relation=relation)
        return made, quote

    rel = choices.AssumptionRelation
    specs = {
        "arms": (
            "Iran arms the Popular Mobilization Forces to deter its rivals.",
            "militias",
            [(anarchy, rel.SUPPORTS)],
            {"notes": "INTERNAL-NOTE on an approved claim", "review_comment": "REVIEW-COMMENT kept in the team"},
        ),
        "pmf": (
            f"Militia leaders call the PMF ({ARABIC_IN_STATEMENT}) a state institution.",
            "militias",
            [(anarchy, rel.ILLUSTRATES)],
            {"kind": choices.ClaimKind.FACTUAL},
        ),
        "protest": (
            "Protesters in Basra burned the Iranian consulate.",
            "protest",
            [(anarchy, rel.CHALLENGES)],
            {"kind": choices.ClaimKind.FACTUAL},
        ),
        "influence": (
            "Iran keeps Baghdad dependent on its gas and electricity.",
            "militias",
            [(survival, rel.SUPPORTS)],
            {"kind": choices.ClaimKind.CAUSAL},
        ),
        "limits": (
            "Tehran's leverage over the Iraqi government has limits.",
            "militias",
            [(survival, rel.QUALIFIES)],
            {"kind": choices.ClaimKind.EVALUATIVE, "modality": choices.Modality.SPECULATES},
        ),
        "unlinked": (
            "Young Iraqis increasingly see Iran as an occupier.",
            "protest",
            [],
            {"kind": choices.ClaimKind.INTERPRETIVE},
        ),
    }
    claims, quotes = {}, {}
    for name, (statement, theme, links, extra) in specs.items():
        claims[name], quotes[name] = claim(name, statement, theme, links, **extra)
    claims["arms"].actors.set([muhandis, khamenei, hidden_actor])
    claims["arms"].events.set([events[2014]])

    submitted = factories.ClaimFactory(
        statement="Submitted claim that must stay hidden.", status=choices.Status.SUBMITTED
    )
    submitted.themes.set([themes["militias"]])
    submitted.actors.set([muhandis])
    factories.CitationFactory(claim=submitted, source=source, quote="Quote of a submitted claim.")
    factories.ClaimAssumptionFactory(claim=submitted, assumption=anarchy, relation=rel.SUPPORTS)

    return Dataset(claims, themes, anarchy, survival, muhandis, khamenei, events, quotes)


# --- helpers ------------------------------------------------------------------------------


def squash(text: str) -> str:
    return " ".join(text.split())


def listed_statements(page) -> set[str]:
    return {squash(text) for text in page.locator("article.claim p.statement a").all_inner_texts()}


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_nothing_hidden(page) -> None:
    html = page.content()
    shown = [text for text in HIDDEN if text in html]
    assert not shown, f"{page.url} shows unapproved or internal text: {shown}"


# --- journeys -----------------------------------------------------------------------------


@needs_django_csp
def test_console_watch_catches_a_csp_violation(live_server, page, console):
    """The check the other tests rely on works: an inline script is refused and reported."""

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</main>", '<script>document.title = "inline";</script></main>')
        route.fulfill(response=response, body=body)

    page.route(re.compile(r".*/$"), inject)
    page.goto(live_server.url + "/")
    assert page.title() != "inline"
    problems = console.unchecked()
    assert any("Content Security Policy" in problem for problem in problems), problems


def test_home_shows_the_counts_and_leads_to_the_claims(live_server, page, console, data):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Iran's foreign policy toward Iraq, coded"
    counts = [squash(text) for text in page.locator("ul.counts li").all_inner_texts()]
    assert counts == ["6 claims", "6 citations", "4 actors", "4 events", "1 sources", "2 assumptions"]
    assert page.locator("ul.counts a").evaluate_all("links => links.map(a => a.pathname)") == [
        "/claims/",
        "/actors/",
        "/events/",
        "/sources/",
        "/assumptions/",
    ]
    # The approved claims are the recently approved ones; themes and assumptions are listed.
    assert listed_statements(page) == data.statements(*data.claims)
    start_here = page.locator("section[aria-labelledby=entry-h]").inner_text()
    for name in ("SR-ANARCHY", "SR-SURVIVAL", *(theme.name for theme in data.themes.values())):
        assert name in start_here
    assert_nothing_hidden(page)

    page.locator("ul.counts a", has_text="claims").click()
    page.wait_for_url(re.compile(r"/claims/$"))
    assert page.locator("h1").inner_text() == "Claims"
    assert listed_statements(page) == data.statements(*data.claims)
    assert_nothing_hidden(page)
    console.assert_clean()


def test_filter_claims_by_an_assumption(live_server, page, console, data):
    page.goto(live_server.url + "/claims/")
    page.locator("#f-assumption").select_option("SR-ANARCHY")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"assumption=SR-ANARCHY"))
    assert query_of(page.url)["assumption"] == ["SR-ANARCHY"]
    assert listed_statements(page) == data.statements("arms", "pmf", "protest")
    assert page.locator("#f-assumption").input_value() == "SR-ANARCHY"
    assert_nothing_hidden(page)

    # The relation narrows the same link: claims that challenge SR-ANARCHY.
    page.locator("#f-relation").select_option("challenges")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"relation=challenges"))
    assert query_of(page.url)["assumption"] == ["SR-ANARCHY"]
    assert listed_statements(page) == data.statements("protest")
    assert_nothing_hidden(page)
    console.assert_clean()


def test_a_claim_its_citation_and_its_actors_in_their_own_scripts(live_server, page, console, data):
    arms = data.claims["arms"]
    page.goto(live_server.url + "/claims/?assumption=SR-ANARCHY")
    page.locator("article.claim p.statement a", has_text=arms.statement).click()
    page.wait_for_url(re.compile(rf"/claims/{arms.key}/$"))

    assert squash(page.locator("h1.statement").inner_text()) == arms.statement
    assert squash(page.locator("figure.citation blockquote").inner_text()) == data.quotes["arms"]
    link = page.locator(".assumption-link")
    assert "Supports" in link.inner_text()
    assert link.get_by_role("link").get_attribute("href") == "/assumptions/SR-ANARCHY/"
    # The draft actor linked to this claim is left out.
    assert page.locator("a.actor-link").all_inner_texts() == ["Abu Mahdi al-Muhandis", "Ali Khamenei"]
    assert_nothing_hidden(page)

    page.locator("a.actor-link", has_text=TRANSLITERATED).click()
    page.wait_for_url(re.compile(rf"/actors/{data.muhandis.key}/$"))
    heading = page.locator("h1")
    assert heading.inner_text() == TRANSLITERATED
    assert heading.get_attribute("dir") == "auto"
    arabic = page.locator("span.alias[lang=ar]", has_text=ARABIC_ALIAS)
    assert arabic.inner_text() == ARABIC_ALIAS
    assert arabic.get_attribute("dir") == "auto"
    # dir="auto" resolves to right-to-left from the text itself.
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator("span.alias", has_text=TRANSLITERATED_VARIANT).inner_text() == TRANSLITERATED_VARIANT
    assert page.locator("figure.picture svg").is_visible()
    assert arms.statement in listed_statements(page)
    assert_nothing_hidden(page)

    page.go_back()
    page.locator("a.actor-link", has_text="Ali Khamenei").click()
    page.wait_for_url(re.compile(rf"/actors/{data.khamenei.key}/$"))
    persian = page.locator("span.alias[lang=fa]")
    text = persian.inner_text()
    assert text == PERSIAN_ALIAS, [unicodedata.name(ch, hex(ord(ch))) for ch in text]
    assert "\u200c" in text
    assert persian.get_attribute("dir") == "auto"
    assert_nothing_hidden(page)
    console.assert_clean()


def test_download_the_filtered_claims_as_csv(live_server, page, console, data):
    page.goto(live_server.url + "/claims/")
    page.locator("#f-assumption").select_option("SR-ANARCHY")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"assumption=SR-ANARCHY"))
    link = page.locator("a.download")
    assert link.inner_text() == "Download CSV"
    assert query_of(link.get_attribute("href")) == {"assumption": ["SR-ANARCHY"], "format": ["csv"]}

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "claims.csv"
    raw = download.path().read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # the plain link has no byte-order mark
    text = raw.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))

    header = list(rows[0])
    assert header[:2] == ["key", "statement"]
    assert not INTERNAL_COLUMNS & set(header), header
    assert {row["key"] for row in rows} == {data.claims[name].key for name in ("arms", "pmf", "protest")}
    assert {row["statement"] for row in rows} == data.statements("arms", "pmf", "protest")
    pmf = next(row for row in rows if row["key"] == data.claims["pmf"].key)
    assert ARABIC_IN_STATEMENT in pmf["statement"]
    for row in rows:
        assert row["assumptions"], row
    assert not [hidden for hidden in HIDDEN if hidden in text]
    console.assert_clean()


def test_the_events_timeline(live_server, page, console, data):
    page.goto(live_server.url + "/events/")
    svg = page.locator("figure.picture.timeline svg")
    assert svg.is_visible()
    assert svg.get_attribute("role") == "img"
    box = svg.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0

    links = svg.locator("a.tl-link")
    # One link per dated event; the undated one is listed below but not drawn.
    assert links.count() == len(data.events)
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"/events/{event.key}/" for event in data.events.values())
    assert page.locator("table.list").get_by_text("A meeting in Tehran, date unknown").is_visible()

    xs = {}
    for year, event in data.events.items():
        shape = svg.locator(f'a.tl-link[href="/events/{event.key}/"] .tl-event')
        shape_box = shape.bounding_box()
        assert shape_box and shape_box["width"] > 0 and shape_box["height"] > 0, event.title
        assert box["x"] <= shape_box["x"] and shape_box["x"] + shape_box["width"] <= box["x"] + box["width"]
        xs[year] = shape_box["x"] + shape_box["width"] / 2
    assert xs[2003] < xs[2014] < xs[2020], xs
    # Eleven years lie between the first two, six between the last two.
    assert xs[2014] - xs[2003] > xs[2020] - xs[2014]
    assert_nothing_hidden(page)

    svg.locator(f'a.tl-link[href="/events/{data.events[2014].key}/"] .tl-event').click()
    page.wait_for_url(re.compile(rf"/events/{data.events[2014].key}/$"))
    assert page.locator("h1").inner_text() == data.events[2014].title
    assert_nothing_hidden(page)
    console.assert_clean()


def test_the_evidence_matrix_leads_to_the_claims_of_a_cell(live_server, page, console, data):
    page.goto(live_server.url + "/")
    page.locator("header.site nav").get_by_role("link", name="Evidence matrix").click()
    page.wait_for_url(re.compile(r"/matrix/$"))
    matrix = page.locator("table.matrix")
    assert matrix.is_visible()
    assert matrix.locator("thead th").all_inner_texts()[1:] == ["SR-ANARCHY", "SR-SURVIVAL"]

    heat = {}
    for row in matrix.locator("tbody tr").all():
        theme = row.locator("th").inner_text()
        classes = row.locator("td").evaluate_all("cells => cells.map(td => td.className)")
        heat[theme] = classes
    militias, protest = data.themes["militias"].name, data.themes["protest"].name
    # The submitted claim (militias, SR-ANARCHY) is not counted: the largest cell holds 2.
    assert heat == {militias: ["heat-5", "heat-5"], protest: ["heat-3", "heat-0"]}
    assert "the largest cell holds 2" in page.locator("main").inner_text()

    cell = matrix.locator("tbody tr", has_text=militias).locator("td").first
    assert cell.locator("a.cell-total").inner_text() == "2"
    cell.locator("a.cell-total").click()
    page.wait_for_url(re.compile(r"/claims/\?"))
    query = query_of(page.url)
    assert query["theme"] == [data.themes["militias"].key]
    assert query["assumption"] == ["SR-ANARCHY"]
    assert page.locator("#f-theme").input_value() == data.themes["militias"].key
    assert listed_statements(page) == data.statements("arms", "pmf")
    assert_nothing_hidden(page)
    console.assert_clean()
