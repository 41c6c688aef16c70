"""The public research site: what anonymous visitors see, how lists filter and page, and bad input."""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.urls import reverse

from influence_db.coding.choices import AssumptionRelation, ClaimKind, ClaimRelationType, Modality, Status
from tests import factories

APPROVED = Status.APPROVED
HIDDEN_STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED]
NOTE = "INTERNAL-NOTE-never-public"
COMMENT = "REVIEW-COMMENT-never-public"


def get(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def listed_claims(html: str) -> set[str]:
    return set(re.findall(r'<p class="statement"><a href="/claims/([^/]+)/">', html))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def world(db):
    """Approved records with links between them, and an unapproved twin of each kind."""
    document = factories.SourceFactory(key="zimmt-2020", status=APPROVED, is_coded_document=True, notes=NOTE)
    hidden_source = factories.SourceFactory(key="hidden-source", title="Hidden source title", status=Status.SUBMITTED)
    anarchy = factories.TheoryAssumptionFactory(code="SR-ANARCHY", label="Anarchy", status=APPROVED)
    survival = factories.TheoryAssumptionFactory(code="SR-SURVIVAL", label="Survival", status=APPROVED)
    hidden_assumption = factories.TheoryAssumptionFactory(code="SR-HIDDEN", label="Hidden label", status=Status.DRAFT)
    protest = factories.ThemeFactory(key="protest", name="Protest theme", status=APPROVED)
    economy = factories.ThemeFactory(key="economy", name="Economy theme", status=APPROVED)
    hidden_theme = factories.ThemeFactory(key="hidden-theme", name="Hidden theme name", status=Status.RETURNED)
    irgc = factories.ActorFactory(key="irgc", name="Islamic Revolutionary Guard Corps", status=APPROVED, country="IRN")
    muhandis = factories.ActorFactory(key="muhandis", name="Abu Mahdi al-Muhandis", status=APPROVED, notes=NOTE)
    factories.ActorAliasFactory(actor=muhandis, name="أبو مهدي المهندس", alias_type="translation", language="ar")
    hidden_actor = factories.ActorFactory(key="hidden-actor", name="Hidden actor name", status=Status.SUBMITTED)
    factories.ActorRelationFactory(
        key="irgc-sponsors-muhandis", subject=irgc, relation_type="sponsors", object=muhandis
    )
    factories.ActorRelationFactory(
        key="hidden-relation", subject=irgc, relation_type="allied_with", object=hidden_actor
    )

    def claim(key: str, **kwargs):
        record = factories.ClaimFactory(key=key, status=APPROVED, review_comment=COMMENT, notes=NOTE, **kwargs)
        factories.CitationFactory(claim=record, source=document, quote=f"Quote for {key}.", locator="3")
        return record

    protests = claim("protests", statement="Protesters burned the consulate.", kind=ClaimKind.FACTUAL)
    protests.themes.add(protest, hidden_theme)
    protests.actors.add(muhandis, hidden_actor)
    trade = claim(
        "trade",
        statement="Trade grew to ten billion dollars.",
        kind=ClaimKind.CAUSAL,
        modality=Modality.PREDICTS,
        period_start=datetime.date(2014, 1, 1),
        period_end=datetime.date(2015, 6, 1),
    )
    trade.themes.add(economy)
    militias = claim("militias", statement="Militias act as a lever.", attributed_to=irgc, modality=Modality.REPORTS)
    militias.themes.add(protest)
    factories.ClaimAssumptionFactory(claim=protests, assumption=anarchy, relation=AssumptionRelation.CHALLENGES)
    factories.ClaimAssumptionFactory(claim=trade, assumption=anarchy, relation=AssumptionRelation.SUPPORTS)
    factories.ClaimAssumptionFactory(claim=militias, assumption=survival, relation=AssumptionRelation.ILLUSTRATES)
    factories.ClaimAssumptionFactory(claim=militias, assumption=hidden_assumption, rationale="Hidden rationale")
    factories.ClaimRelationFactory(claim=protests, relation_type=ClaimRelationType.CONTRADICTS, other=trade)
    factories.ClaimRelationFactory(claim=militias, relation_type=ClaimRelationType.CORROBORATES, other=protests)
    # A citation of an approved claim to an unapproved source shows nowhere.
    factories.CitationFactory(claim=militias, source=hidden_source, quote="Hidden quote text")
    hidden_claims = {
        status: factories.ClaimFactory(key=f"hidden-{status}", statement=f"Hidden claim {status}", status=status)
        for status in HIDDEN_STATUSES
    }
    for hidden in hidden_claims.values():
        hidden.themes.add(protest)
        factories.ClaimAssumptionFactory(claim=hidden, assumption=anarchy)
        factories.ClaimRelationFactory(claim=hidden, other=protests)
    factories.ClaimRelationFactory(
        claim=protests, relation_type=ClaimRelationType.ELABORATES, other=hidden_claims["draft"]
    )
    e2003 = factories.EventFactory(
        key="invasion", title="Invasion", date_start=datetime.date(2003, 3, 20), status=APPROVED
    )
    e2014 = factories.EventFactory(
        key="mosul", title="Fall of Mosul", date_start=datetime.date(2014, 6, 10), status=APPROVED
    )
    factories.EventFactory(key="undated", title="Undated meeting", date_start=None, status=APPROVED)
    factories.EventFactory(key="hidden-event", title="Hidden event title", status=Status.SUBMITTED)
    factories.EventParticipantFactory(event=e2014, actor=muhandis, role="initiator")
    factories.EventParticipantFactory(event=e2014, actor=hidden_actor, role="target")
    factories.EventParticipantFactory(event=e2003, actor=irgc, role="participant")
    trade.events.add(e2014)
    factories.SourceLinkFactory(citing=document, cited=hidden_source)
    return {
        "claims": [protests, trade, militias],
        "hidden_claims": hidden_claims,
        "document": document,
        "theme": protest,
    }


HIDDEN_TEXT = [
    "Hidden claim",
    "hidden-draft",
    "Hidden source title",
    "hidden-source",
    "SR-HIDDEN",
    "Hidden label",
    "Hidden rationale",
    "Hidden theme name",
    "Hidden actor name",
    "hidden-actor",
    "Hidden event title",
    "Hidden quote text",
    NOTE,
    COMMENT,
]


def assert_nothing_hidden(text: str) -> None:
    for hidden in HIDDEN_TEXT:
        assert hidden not in text, hidden


PAGES = [
    "/",
    "/claims/",
    "/claims/protests/",
    "/claims/militias/",
    "/actors/",
    "/actors/irgc/",
    "/actors/muhandis/",
    "/actors/network/",
    "/events/",
    "/events/mosul/",
    "/sources/",
    "/sources/zimmt-2020/",
    "/assumptions/",
    "/assumptions/SR-ANARCHY/",
    "/matrix/",
]


class TestVisibility:
    @pytest.mark.parametrize("url", PAGES)
    def test_pages_never_show_unapproved_records_or_internal_text(self, anonymous_client, world, url):
        assert_nothing_hidden(get(anonymous_client, url))

    @pytest.mark.parametrize("url", ["/claims/", "/actors/", "/events/", "/sources/"])
    def test_csv_of_every_list_never_shows_unapproved_records_or_internal_columns(self, anonymous_client, world, url):
        text = get(anonymous_client, url, format="csv")
        assert_nothing_hidden(text)
        header = next(csv.reader(io.StringIO(text)))
        assert not {"notes", "status", "review_comment", "created_by", "reviewed_by"} & set(header)

    def test_the_claim_list_shows_every_approved_claim(self, anonymous_client, world):
        assert listed_claims(get(anonymous_client, "/claims/")) == {"protests", "trade", "militias"}

    def test_every_approved_record_has_its_page(self, anonymous_client, world):
        for url in ["/actors/", "/events/", "/sources/", "/assumptions/"]:
            html = get(anonymous_client, url)
            for text in {
                "/actors/": ["Islamic Revolutionary Guard Corps", "Abu Mahdi al-Muhandis"],
                "/events/": ["Invasion", "Fall of Mosul", "Undated meeting"],
                "/sources/": ["zimmt-2020"],
                "/assumptions/": ["SR-ANARCHY", "SR-SURVIVAL"],
            }[url]:
                assert text in html

    @pytest.mark.parametrize(
        "url",
        [
            "/claims/hidden-draft/",
            "/claims/hidden-submitted/",
            "/claims/hidden-returned/",
            "/actors/hidden-actor/",
            "/events/hidden-event/",
            "/sources/hidden-source/",
            "/assumptions/SR-HIDDEN/",
            "/claims/no-such-claim/",
        ],
    )
    def test_an_unapproved_or_unknown_record_is_not_found(self, anonymous_client, world, url):
        get(anonymous_client, url, status=404)


class TestClaimPage:
    def test_shows_citations_assumptions_and_related_claims_side_by_side(self, anonymous_client, world):
        html = get(anonymous_client, "/claims/protests/")
        assert "Quote for protests." in html
        assert "SR-ANARCHY" in html and "Challenges" in html
        corroborating = html.split('class="corroborating"')[1].split('class="contradicting"')[0]
        contradicting = html.split('class="contradicting"')[1].split("</section>")[0]
        assert "Militias act as a lever." in corroborating  # the relation points at this claim
        assert "Trade grew to ten billion dollars." in contradicting
        assert "Abu Mahdi al-Muhandis" in html

    def test_reported_claim_names_who_said_it(self, anonymous_client, world):
        html = get(anonymous_client, "/claims/militias/")
        assert 'href="/actors/irgc/"' in html


class TestClaimFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"theme": "protest"}, {"protests", "militias"}),
            ({"assumption": "SR-ANARCHY"}, {"protests", "trade"}),
            ({"assumption": "SR-ANARCHY", "relation": "supports"}, {"trade"}),
            ({"relation": "illustrates"}, {"militias"}),
            ({"actor": "muhandis"}, {"protests"}),
            ({"actor": "irgc"}, {"militias"}),  # attributed to it
            ({"source": "zimmt-2020"}, {"protests", "trade", "militias"}),
            ({"event": "mosul"}, {"trade"}),
            ({"kind": "causal"}, {"trade"}),
            ({"modality": "predicts"}, {"trade"}),
            ({"period_from": "2014", "period_to": "2014"}, {"trade"}),
            ({"period_to": "2013"}, set()),
            ({"q": "consulate"}, {"protests"}),
            ({"q": "quote for trade"}, {"trade"}),  # quotes too, ignoring case
            ({"q": "Hidden quote"}, set()),  # a quote from an unapproved source is not searched
            ({"theme": "protest", "kind": "factual"}, {"protests"}),
        ],
    )
    def test_each_filter_narrows_the_list_and_its_csv(self, anonymous_client, world, params, expected):
        assert listed_claims(get(anonymous_client, "/claims/", **params)) == expected
        rows = csv_rows(get(anonymous_client, "/claims/", format="csv", **params))
        assert {row["key"] for row in rows} == expected

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"theme": "no-such-theme"}, "No approved theme has the key “no-such-theme”"),
            ({"theme": "hidden-theme"}, "No approved theme has the key “hidden-theme”"),
            ({"assumption": "SR-HIDDEN"}, "No approved assumption has the code “SR-HIDDEN”"),
            ({"actor": "hidden-actor"}, "No approved actor has the key"),
            ({"period_from": "soon"}, "Enter a year"),
            ({"period_from": "99999999"}, "period_from"),
            ({"kind": "gossip"}, "kind"),
            ({"q": "x" * 500}, "at most 200 characters"),
            ({"format": "xlsx"}, "Unknown format"),
        ],
    )
    def test_a_bad_filter_is_a_400_that_says_what_is_wrong(self, anonymous_client, world, params, message):
        html = get(anonymous_client, "/claims/", status=400, **params)
        assert message in html
        assert listed_claims(html) == set()

    def test_search_input_is_escaped(self, anonymous_client, world):
        html = get(anonymous_client, "/claims/", q='<script>alert("x")</script>')
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html

    def test_a_formula_in_a_statement_is_neutralised_in_the_csv(self, anonymous_client, world):
        factories.ClaimFactory(key="formula", statement='=HYPERLINK("http://x")', status=APPROVED)
        rows = csv_rows(get(anonymous_client, "/claims/", format="csv", kind="intent"))
        assert [row["statement"] for row in rows if row["key"] == "formula"] == ['\'=HYPERLINK("http://x")']

    def test_csv_for_excel_starts_with_a_byte_order_mark(self, anonymous_client, world):
        response = anonymous_client.get("/claims/", {"format": "csv", "bom": "1"})
        assert b"".join(response.streaming_content).startswith("\ufeffkey,".encode())
        assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'


class TestPaging:
    def test_following_next_visits_every_claim_once(self, anonymous_client, world, settings):
        settings.PUBLIC_PAGE_SIZE = 2
        for n in range(5):
            factories.ClaimFactory(key=f"extra-{n}", status=APPROVED)
        seen: list[str] = []
        url, pages = "/claims/", 0
        while url:
            html = get(anonymous_client, url)
            seen += sorted(listed_claims(html))
            match = re.search(r'<a rel="next" href="([^"]+)"', html)
            url = match.group(1).replace("&amp;", "&") if match else None
            pages += 1
        assert len(seen) == len(set(seen)) == 8
        assert pages == 4

    def test_next_link_keeps_the_filters(self, anonymous_client, world, settings):
        settings.PUBLIC_PAGE_SIZE = 1
        html = get(anonymous_client, "/claims/", theme="protest")
        next_url = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert parse_qs(urlparse(next_url).query)["theme"] == ["protest"]
        assert listed_claims(get(anonymous_client, next_url)) == {"protests"}

    @pytest.mark.parametrize("url", ["/claims/", "/actors/", "/events/", "/sources/"])
    @pytest.mark.parametrize("cursor", ["garbage", "%%%", "é"])
    def test_a_cursor_that_does_not_decode_is_a_404(self, anonymous_client, world, url, cursor):
        html = get(anonymous_client, f"{url}?{urlencode({'cursor': cursor})}", status=404)
        assert "This page link is not valid" in html

    def test_a_cursor_whose_position_is_not_a_date_is_a_404_on_the_timeline(self, anonymous_client, world):
        get(anonymous_client, "/events/", cursor="cD1ub3QtYS1kYXRl", status=404)  # p=not-a-date

    def test_a_cursor_far_beyond_the_end_is_an_empty_page(self, anonymous_client, world):
        assert listed_claims(get(anonymous_client, "/claims/", cursor="bz05OTk5OTk5OQ==")) == set()  # o=99999999

    def test_an_absurd_page_size_is_capped(self, anonymous_client, world, settings):
        settings.PUBLIC_PAGE_SIZE = 2
        for n in range(3):
            factories.ClaimFactory(key=f"extra-{n}", status=APPROVED)
        assert len(listed_claims(get(anonymous_client, "/claims/", page_size="100000000"))) == 6
        get(anonymous_client, "/claims/", page_size="-5")  # ignored, not an error


class TestPictures:
    def test_timeline_has_one_link_per_dated_event(self, anonymous_client, world):
        html = get(anonymous_client, "/events/")
        svg = html.split('<figure class="picture timeline">')[1].split("</figure>")[0]
        assert set(re.findall(r'href="/events/([^/]+)/"', svg)) == {"invasion", "mosul"}

    def test_network_draws_approved_relations_only(self, anonymous_client, world):
        html = get(anonymous_client, "/actors/network/")
        assert 'href="/actors/irgc/"' in html and 'href="/actors/muhandis/"' in html
        assert "hidden-actor" not in html

    def test_matrix_counts_claims_by_theme_assumption_and_relation(self, anonymous_client, world):
        html = get(anonymous_client, "/matrix/")
        cell = re.search(r'href="/claims/\?theme=protest&amp;assumption=SR-ANARCHY"[^>]*>(\d+)</a>', html)
        assert cell and cell.group(1) == "1"  # hidden claims under the theme are not counted
        assert 'href="/claims/?theme=economy&amp;assumption=SR-ANARCHY&amp;relation=supports"' in html
        assert re.search(r'<td class="heat-5">', html)

    def test_assumption_page_groups_evidence_for_and_against(self, anonymous_client, world):
        html = get(anonymous_client, "/assumptions/SR-ANARCHY/")
        evidence_for = html.split('class="evidence-for"')[1].split("</section>")[0]
        evidence_against = html.split('class="evidence-against"')[1].split("</section>")[0]
        assert "Trade grew" in evidence_for and "Protesters burned" not in evidence_for
        assert "Protesters burned" in evidence_against and "Trade grew" not in evidence_against
        assert "/claims/?assumption=SR-ANARCHY&amp;relation=challenges&amp;theme=protest" in html
        assert "/claims/?assumption=SR-ANARCHY&amp;relation=supports&amp;source=zimmt-2020" in html


class TestActorPage:
    def test_names_in_arabic_script_keep_their_language_and_direction(self, anonymous_client, world):
        html = get(anonymous_client, "/actors/muhandis/")
        assert '<span class="alias" lang="ar" dir="auto">أبو مهدي المهندس</span>' in html

    def test_relations_and_events_show_approved_partners_only(self, anonymous_client, world):
        html = get(anonymous_client, "/actors/irgc/")
        assert "sponsors" in html and 'href="/actors/muhandis/"' in html
        assert 'href="/events/invasion/"' in html
        assert "Hidden actor name" not in html


class TestSourcePage:
    def test_lists_claims_coded_from_it_and_hides_unapproved_cited_sources(self, anonymous_client, world):
        html = get(anonymous_client, "/sources/zimmt-2020/")
        assert {"protests", "trade", "militias"} <= listed_claims(html)
        assert "Hidden source title" not in html


class TestQueryCounts:
    """A page costs the same number of queries whatever the number of rows it shows."""

    @staticmethod
    def grow(world, n: int) -> None:
        source = world["document"]
        for _ in range(n):
            claim = factories.ClaimFactory(status=APPROVED)
            factories.CitationFactory(claim=claim, source=source)
            factories.ClaimAssumptionFactory(claim=claim, assumption__status=APPROVED)
            claim.themes.add(world["theme"])
            actor = factories.ActorFactory(status=APPROVED)
            factories.ActorAliasFactory(actor=actor)
            event = factories.EventFactory(status=APPROVED)
            factories.EventParticipantFactory(event=event, actor=actor)
            factories.SourceFactory(status=APPROVED)

    @pytest.mark.parametrize("url", ["/", "/claims/", "/actors/", "/events/", "/sources/", "/assumptions/", "/matrix/"])
    def test_list_pages(self, anonymous_client, world, url, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            get(anonymous_client, url)
        self.grow(world, 12)
        with django_assert_num_queries(len(few)):
            get(anonymous_client, url)

    @pytest.mark.parametrize(
        "url", ["/claims/protests/", "/actors/muhandis/", "/events/mosul/", "/sources/zimmt-2020/"]
    )
    def test_detail_pages(self, anonymous_client, world, url, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            get(anonymous_client, url)
        for claim in world["claims"]:
            factories.CitationFactory(claim=claim, source=world["document"])
            factories.ClaimAssumptionFactory(claim=claim, assumption__status=APPROVED)
        self.grow(world, 5)
        with django_assert_num_queries(len(few)):
            get(anonymous_client, url)

    def test_list_pages_do_not_count_the_table(self, anonymous_client, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            get(anonymous_client, "/claims/")
        assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


class TestLoginSetting:
    def test_anonymous_visitors_are_sent_to_log_in_when_the_site_requires_it(self, anonymous_client, world, settings):
        settings.PUBLIC_REQUIRE_LOGIN = True
        for url in ["/", "/claims/", "/claims/protests/", "/matrix/"]:
            response = anonymous_client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))

    def test_logged_in_users_read_it(self, viewer_client, world, settings):
        settings.PUBLIC_REQUIRE_LOGIN = True
        assert listed_claims(get(viewer_client, "/claims/")) == {"protests", "trade", "militias"}

    def test_pages_are_open_by_default(self, anonymous_client, world):
        get(anonymous_client, "/claims/protests/")


class TestNotFoundPage:
    def test_an_unknown_address_gets_the_site_s_not_found_page(self, anonymous_client, db):
        html = get(anonymous_client, "/no/such/page/", status=404)
        assert "Nothing here has that address" in html
        assert "Resolver404" not in html


class TestReading:
    def test_a_filtered_list_says_what_it_is_filtered_by(self, anonymous_client, world):
        html = get(anonymous_client, "/claims/", theme="protest", kind="factual")
        assert '<span class="muted">Theme:</span> Protest theme' in html
        assert '<span class="muted">Kind:</span> Factual' in html

    def test_dates_are_printed_no_more_precisely_than_they_are_known(self, anonymous_client, world):
        factories.EventFactory(
            key="yearly",
            title="Known to the year",
            date_start=datetime.date(2011, 1, 1),
            date_precision="year",
            date_as_written="",
            status=APPROVED,
        )
        html = get(anonymous_client, "/events/yearly/")
        assert "2011" in html and "1 January 2011" not in html

    def test_a_locator_that_names_its_type_is_not_prefixed_twice(self, anonymous_client, world):
        claim = world["claims"][0]
        factories.CitationFactory(
            claim=claim, source=world["document"], locator_type="section", locator="Section Two ¶1"
        )
        html = get(anonymous_client, f"/claims/{claim.key}/")
        assert "Section Two ¶1" in html and "section Section Two" not in html
