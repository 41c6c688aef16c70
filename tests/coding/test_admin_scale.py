"""The admin changelists at scale: no page counts a whole table, large relations filter by key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from influence_db.coding import admin_filters
from tests import factories
from tests.helpers import admin_url


def changelist(client, model: str, **params):
    response = client.get(admin_url(model), params)
    assert response.status_code == 200, response
    return response


class TestCounting:
    def test_the_count_stops_at_the_cap(self, supervisor_client, monkeypatch):
        monkeypatch.setattr(admin_filters, "COUNT_CAP", 3)
        factories.ClaimFactory.create_batch(5)
        response = changelist(supervisor_client, "claim")
        cl = response.context["cl"]
        assert cl.result_count == 3
        assert cl.full_result_count is None  # show_full_result_count is off
        assert "3 or more claims" in response.content.decode()
        searched = changelist(supervisor_client, "claim", q="Iran").content.decode()
        assert "3 or more results" in searched and "3 or more claims" in searched

    def test_a_count_under_the_cap_is_exact(self, supervisor_client, monkeypatch):
        monkeypatch.setattr(admin_filters, "COUNT_CAP", 3)
        factories.ClaimFactory.create_batch(2)
        html = changelist(supervisor_client, "claim", q="Iran").content.decode()
        assert "2 claims" in html and "2 results" in html and "or more" not in html

    @pytest.mark.parametrize("model", ["claim", "actor", "source", "event", "citation", "claimassumption"])
    def test_every_count_query_is_limited(self, supervisor_client, model):
        factories.CitationFactory.create_batch(3)
        with CaptureQueriesContext(connection) as queries:
            changelist(supervisor_client, model)
        counts = [q["sql"] for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]
        assert counts, "the changelist counts its rows"
        for sql in counts:
            assert "LIMIT" in sql.upper(), sql


class TestKeyFilters:
    def test_claims_by_source_key_are_listed_once(self, supervisor_client):
        source = factories.SourceFactory(key="zimmt-2020")
        claim = factories.ClaimFactory()
        factories.CitationFactory.create_batch(2, claim=claim, source=source)
        factories.CitationFactory()  # another claim, another source
        cl = changelist(supervisor_client, "claim", citations__source__key="zimmt-2020").context["cl"]
        assert list(cl.result_list) == [claim]

    def test_claims_by_actor_key_name_or_alias(self, supervisor_client):
        qods = factories.ActorFactory(key="qods-force", name="Qods Force")
        factories.ActorAliasFactory(actor=qods, name="Quds Force")
        claim = factories.ClaimFactory()
        claim.actors.add(qods)
        factories.ClaimFactory()
        for value in ("qods-force", "Qods Force", "quds force"):
            cl = changelist(supervisor_client, "claim", actors__key=value).context["cl"]
            assert list(cl.result_list) == [claim], value

    def test_an_unknown_key_lists_nothing(self, supervisor_client):
        factories.CitationFactory()
        cl = changelist(supervisor_client, "claim", citations__source__key="no-such-source").context["cl"]
        assert list(cl.result_list) == []

    def test_the_box_keeps_the_other_filters(self, supervisor_client):
        html = changelist(supervisor_client, "claim", status="draft", actors__key="x").content.decode()
        form = html.split('<form method="get" class="key-filter">')[2].split("</form>")[0]
        assert '<input type="hidden" name="status" value="draft">' in form
        assert 'name="actors__key"' not in form.split("<label")[0]  # not repeated as a hidden field
        assert 'name="actors__key" value="x"' in html

    def test_other_lookups_across_relations_are_still_refused(self, supervisor_client):
        response = supervisor_client.get(admin_url("claim"), {"citations__source__title": "x"})
        assert response.status_code == 400


class TestClaimSearch:
    def test_every_word_must_match_somewhere(self, supervisor_client):
        najaf = factories.ClaimFactory(statement="Protesters burned the consulate in Najaf.")
        factories.CitationFactory(claim=najaf, quote="It happened in November 2019.")
        factories.ClaimFactory(statement="The consulate in Karbala was attacked.")
        assert list(changelist(supervisor_client, "claim", q="consulate November").context["cl"].result_list) == [najaf]
        assert list(changelist(supervisor_client, "claim", q='"consulate in Najaf"').context["cl"].result_list) == [
            najaf
        ]
        assert list(changelist(supervisor_client, "claim", q="consulate Mosul").context["cl"].result_list) == []
