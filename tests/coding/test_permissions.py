"""Who may do what in the admin, as tables: role by record type by operation.

A coder works on records they created while those are drafts or returned; links
(citations, aliases, participants) follow the main record they belong to. A supervisor
may change any record and approve or return it; a viewer only reads; anonymous users
are sent to the login page. Every refusal is checked against the database: the row is
exactly as it was. Refused changes are forged from a supervisor's copy of the form,
which is what a user would have to send to get past the read-only page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from influence_db.coding import models
from influence_db.coding.choices import Status
from tests import factories
from tests.helpers import (
    admin_url,
    change_url,
    form_data,
    make_coder,
    messages_of,
    offered_actions,
    page_form_data,
    return_with_comment,
    row,
    run_action,
)

pytestmark = pytest.mark.django_db

ALLOW, REFUSE = True, False
ROLES = ("coder", "supervisor", "viewer", "anonymous")


@pytest.fixture
def other_coder(db):
    return make_coder("other-coder")


def user_and_client(request, role: str):
    if role == "anonymous":
        return None, request.getfixturevalue("anonymous_client")
    return request.getfixturevalue(role), request.getfixturevalue(f"{role}_client")


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def assert_refused(response, role: str) -> None:
    """A refused request: 403 for a logged-in user, the login page for anyone else."""
    if role == "anonymous":
        assert_sent_to_login(response)
    else:
        assert response.status_code == 403


# --- The records ------------------------------------------------------------------


@dataclass(frozen=True)
class MainCase:
    model_name: str
    factory: Callable[..., models.CodedRecord]
    field: str  # a field the change test edits ...
    new_value: str  # ... and the value it writes
    add_fields: dict[str, str]  # what the add form needs on top of its defaults


MAIN_CASES = [
    MainCase(
        "source", factories.SourceFactory, "title", "Iran and Iraq after 2003", {"csl_type": "report", "title": "New"}
    ),
    MainCase(
        "actor",
        factories.ActorFactory,
        "name",
        "Kataib Hezbollah",
        {"name": "Asaib Ahl al-Haq", "kind": "organization"},
    ),
    MainCase(
        "event",
        factories.EventFactory,
        "title",
        "Soleimani killed near Baghdad airport",
        {"title": "Qaani visits Baghdad", "event_type": "consult"},
    ),
    MainCase("theme", factories.ThemeFactory, "name", "Economic leverage", {"kind": "challenge", "name": "Sanctions"}),
    MainCase(
        "theoryassumption",
        factories.TheoryAssumptionFactory,
        "label",
        "Balance of power",
        {"code": "SR-NEW-ONE", "label": "Self-help", "statement": "States help themselves."},
    ),
    MainCase(
        "claim",
        factories.ClaimFactory,
        "statement",
        "Iran funds allied militias to keep leverage in Baghdad.",
        {"statement": "Iran prefers a weak central government.", "kind": "interpretive"},
    ),
]


@pytest.fixture(params=MAIN_CASES, ids=lambda case: case.model_name)
def main_case(request) -> MainCase:
    return request.param


def make_record(case: MainCase, owner, status: str) -> models.CodedRecord:
    submitted_at = None if status == Status.DRAFT else timezone.now()
    return case.factory(created_by=owner, status=status, submitted_at=submitted_at)


# --- Model level: the list and the add page --------------------------------------

MODEL_RULES = [
    # role          changelist  add
    ("coder", ALLOW, ALLOW),
    ("supervisor", ALLOW, ALLOW),
    ("viewer", ALLOW, REFUSE),
    ("anonymous", REFUSE, REFUSE),
]


@pytest.mark.parametrize(("role", "changelist", "add"), MODEL_RULES, ids=[rule[0] for rule in MODEL_RULES])
class TestModelLevel:
    def test_changelist(self, request, main_case, role, changelist, add):
        record = main_case.factory()
        _, client = user_and_client(request, role)
        response = client.get(admin_url(main_case.model_name))
        if changelist:
            assert response.status_code == 200
            assert record in response.context["cl"].result_list
        else:
            assert_sent_to_login(response)

    def test_add(self, request, main_case, role, changelist, add, supervisor_client):
        user, client = user_and_client(request, role)
        url = admin_url(main_case.model_name, "add")
        model = main_case.factory._meta.model
        page = client.get(url)
        if add:
            data = {**form_data(page), **main_case.add_fields}
        else:
            assert_refused(page, role)
            data = {**page_form_data(supervisor_client, url), **main_case.add_fields}
        response = client.post(url, data)
        if add:
            assert response.status_code == 302, response.context and response.context["errors"]
            created = model.objects.get()
            assert created.created_by == user
            assert created.status == Status.DRAFT
        else:
            assert_refused(response, role)
            assert not model.objects.exists()


# --- Object level: one record, every operation ------------------------------------

OPERATIONS = ("view", "history", "change", "delete", "submit", "approve", "return")

# Who (role), whose record (owner: the acting user or another coder), in which status,
# may do what. Approve and return are listed on submitted records, where only the role
# can stand in the way.
OBJECT_RULES = [
    # role          owner    status                operation  expected
    ("coder", "self", Status.DRAFT, "view", ALLOW),
    ("coder", "self", Status.DRAFT, "change", ALLOW),
    ("coder", "self", Status.DRAFT, "delete", ALLOW),
    ("coder", "self", Status.DRAFT, "submit", ALLOW),
    ("coder", "self", Status.RETURNED, "change", ALLOW),
    ("coder", "self", Status.RETURNED, "delete", ALLOW),
    ("coder", "self", Status.RETURNED, "submit", ALLOW),
    ("coder", "self", Status.SUBMITTED, "view", ALLOW),
    ("coder", "self", Status.SUBMITTED, "change", REFUSE),
    ("coder", "self", Status.SUBMITTED, "delete", REFUSE),
    ("coder", "self", Status.SUBMITTED, "submit", REFUSE),
    ("coder", "self", Status.SUBMITTED, "approve", REFUSE),
    ("coder", "self", Status.SUBMITTED, "return", REFUSE),
    ("coder", "self", Status.APPROVED, "change", REFUSE),
    ("coder", "self", Status.APPROVED, "delete", REFUSE),
    ("coder", "self", Status.APPROVED, "submit", REFUSE),
    ("coder", "other", Status.DRAFT, "view", ALLOW),
    ("coder", "other", Status.DRAFT, "history", ALLOW),
    ("coder", "other", Status.DRAFT, "change", REFUSE),
    ("coder", "other", Status.DRAFT, "delete", REFUSE),
    ("coder", "other", Status.DRAFT, "submit", REFUSE),
    ("coder", "other", Status.RETURNED, "change", REFUSE),
    ("coder", "other", Status.SUBMITTED, "approve", REFUSE),
    ("coder", "other", Status.SUBMITTED, "return", REFUSE),
    ("supervisor", "other", Status.DRAFT, "view", ALLOW),
    ("supervisor", "other", Status.DRAFT, "history", ALLOW),
    ("supervisor", "other", Status.DRAFT, "change", ALLOW),
    ("supervisor", "other", Status.DRAFT, "delete", ALLOW),
    ("supervisor", "other", Status.RETURNED, "change", ALLOW),
    ("supervisor", "other", Status.SUBMITTED, "change", ALLOW),
    ("supervisor", "other", Status.SUBMITTED, "approve", ALLOW),
    ("supervisor", "other", Status.SUBMITTED, "return", ALLOW),
    ("supervisor", "other", Status.APPROVED, "change", ALLOW),
    ("supervisor", "other", Status.APPROVED, "delete", ALLOW),
    ("viewer", "other", Status.DRAFT, "view", ALLOW),
    ("viewer", "other", Status.DRAFT, "history", ALLOW),
    ("viewer", "other", Status.DRAFT, "change", REFUSE),
    ("viewer", "other", Status.DRAFT, "delete", REFUSE),
    ("viewer", "other", Status.DRAFT, "submit", REFUSE),
    ("viewer", "other", Status.SUBMITTED, "approve", REFUSE),
    ("viewer", "other", Status.SUBMITTED, "return", REFUSE),
    ("anonymous", "other", Status.DRAFT, "view", REFUSE),
    ("anonymous", "other", Status.DRAFT, "history", REFUSE),
    ("anonymous", "other", Status.DRAFT, "change", REFUSE),
    ("anonymous", "other", Status.DRAFT, "delete", REFUSE),
    ("anonymous", "other", Status.DRAFT, "submit", REFUSE),
    ("anonymous", "other", Status.SUBMITTED, "approve", REFUSE),
    ("anonymous", "other", Status.SUBMITTED, "return", REFUSE),
]

ACTIONS = {"submit": "submit_for_review", "approve": "approve", "return": "return_with_comment"}
AFTER_ACTION = {"submit": Status.SUBMITTED, "approve": Status.APPROVED, "return": Status.RETURNED}


def rule_id(rule: tuple) -> str:
    role, owner, status, operation, expected = rule
    return f"{role}-{operation}-{'own' if owner == 'self' else 'others'}-{status}-{'allow' if expected else 'refuse'}"


def test_object_rules_cover_every_role_and_operation():
    assert {rule[0] for rule in OBJECT_RULES} == set(ROLES)
    assert {rule[3] for rule in OBJECT_RULES} == set(OPERATIONS)


@pytest.mark.parametrize(
    ("role", "owner", "status", "operation", "expected"), OBJECT_RULES, ids=map(rule_id, OBJECT_RULES)
)
def test_object_rule(request, main_case, other_coder, supervisor_client, role, owner, status, operation, expected):
    user, client = user_and_client(request, role)
    record = make_record(main_case, user if owner == "self" else other_coder, status)
    before = row(record)
    url = change_url(record)

    if operation == "view":
        response = client.get(url)
        if expected:
            assert response.status_code == 200
            assert response.context["original"] == record
            # The page offers a form only to those whose save would be accepted.
            may_change = role == "supervisor" or (owner == "self" and status in (Status.DRAFT, Status.RETURNED))
            assert response.context["has_change_permission"] is may_change
        else:
            assert_sent_to_login(response)
        return

    if operation == "history":
        response = client.get(admin_url(main_case.model_name, "history", record.pk))
        if expected:
            assert response.status_code == 200
            assert response.context["object"] == record
        else:
            assert_sent_to_login(response)
        return

    if operation == "change":
        data = page_form_data(client if expected else supervisor_client, url)
        data[main_case.field] = main_case.new_value
        response = client.post(url, data)
        if expected:
            assert response.status_code == 302, response.context and response.context["errors"]
            after = row(record)
            assert after[main_case.field] == main_case.new_value
            assert after["version"] == before["version"] + 1
            assert after["updated_by_id"] == user.pk
        else:
            assert_refused(response, role)
            assert row(record) == before
        return

    if operation == "delete":
        response = client.post(admin_url(main_case.model_name, "delete", record.pk), {"post": "yes"})
        if expected:
            assert response.status_code == 302
            assert not type(record).objects.filter(pk=record.pk).exists()
        else:
            assert_refused(response, role)
            assert row(record) == before
        return

    # The review actions, from the changelist.
    action = ACTIONS[operation]
    if operation == "return":
        response = return_with_comment(client, main_case.model_name, [record], "Check the dates.")
    else:
        response = run_action(client, main_case.model_name, action, [record])
    if expected:
        assert response.status_code == 302
        assert row(record)["status"] == AFTER_ACTION[operation]
        return
    assert row(record) == before
    if role == "anonymous":
        assert_sent_to_login(response)
        return
    # Reviewing is offered to reviewers only; submitting to those who may change records.
    offered = role == "supervisor" or (role == "coder" and operation == "submit")
    assert (action in offered_actions(client, main_case.model_name)) is offered
    if offered:
        # Offered, but this record is not theirs to move: they are told so.
        assert response.status_code == 302
        [(_, text)] = messages_of(response)
        verb = {"submit": "Submitted", "approve": "Approved", "return": "Returned"}[operation]
        assert text.startswith(f"{verb} 0 ")
        assert "; 1 left as they were: " in text
    else:
        # A forged POST of an action that is not offered does nothing.
        assert response.status_code in (200, 302)


# --- Forged POSTs -----------------------------------------------------------------


def test_status_cannot_be_set_through_the_change_form(main_case, coder, coder_client):
    record = make_record(main_case, coder, Status.DRAFT)
    url = change_url(record)
    data = page_form_data(coder_client, url)
    assert "status" not in data  # read-only on the page
    data.update(status=Status.APPROVED, reviewed_by=str(coder.pk), created_by="", version="99")
    data[main_case.field] = main_case.new_value
    assert coder_client.post(url, data).status_code == 302
    after = row(record)
    assert after[main_case.field] == main_case.new_value  # the legitimate edit went through ...
    assert after["status"] == Status.DRAFT  # ... the forged fields did not
    assert after["reviewed_by_id"] is None
    assert after["created_by_id"] == coder.pk
    assert after["version"] == 2


def test_supervisor_cannot_approve_through_the_change_form(supervisor_client):
    claim = factories.ClaimFactory(status=Status.SUBMITTED)
    data = page_form_data(supervisor_client, change_url(claim))
    data["status"] = Status.APPROVED
    assert supervisor_client.post(change_url(claim), data).status_code == 302
    assert row(claim)["status"] == Status.SUBMITTED
    assert row(claim)["reviewed_by_id"] is None


def test_coder_cannot_delete_another_coders_record_with_delete_selected(coder_client, other_coder):
    claim = factories.ClaimFactory(created_by=other_coder)
    before = row(claim)
    response = coder_client.post(
        admin_url("claim"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(claim.pk)], "post": "yes"}
    )
    assert response.status_code == 403
    assert row(claim) == before


def test_review_actions_are_not_offered_to_coders(main_case, coder_client, supervisor_client):
    offered = offered_actions(coder_client, main_case.model_name)
    assert "submit_for_review" in offered
    assert not {"approve", "return_with_comment"} & offered
    assert {"approve", "return_with_comment"} <= offered_actions(supervisor_client, main_case.model_name)


# --- Links follow their main record -------------------------------------------------


@dataclass(frozen=True)
class LinkCase:
    model_name: str
    factory: Callable[..., Model]
    parent: str  # the foreign key to the main record that owns the link
    field: str
    new_value: str


LINK_CASES = [
    LinkCase("citation", factories.CitationFactory, "claim", "locator", "14"),
    LinkCase("actoralias", factories.ActorAliasFactory, "actor", "name", "Hashd al-Shaabi"),
    LinkCase("eventparticipant", factories.EventParticipantFactory, "event", "role", "initiator"),
]


@pytest.fixture(params=LINK_CASES, ids=lambda case: case.model_name)
def link_case(request) -> LinkCase:
    return request.param


def make_link(case: LinkCase, owner, status: str) -> Model:
    return case.factory(**{f"{case.parent}__created_by": owner, f"{case.parent}__status": status})


LINK_RULES = [
    # role          owner of the parent  parent status     operation  expected
    ("coder", "self", Status.DRAFT, "change", ALLOW),
    ("coder", "self", Status.DRAFT, "delete", ALLOW),
    ("coder", "self", Status.RETURNED, "change", ALLOW),
    ("coder", "self", Status.SUBMITTED, "change", REFUSE),
    ("coder", "self", Status.SUBMITTED, "delete", REFUSE),
    ("coder", "self", Status.APPROVED, "change", REFUSE),
    ("coder", "other", Status.DRAFT, "view", ALLOW),
    ("coder", "other", Status.DRAFT, "change", REFUSE),
    ("coder", "other", Status.DRAFT, "delete", REFUSE),
    ("supervisor", "other", Status.SUBMITTED, "change", ALLOW),
    ("supervisor", "other", Status.APPROVED, "change", ALLOW),
    ("supervisor", "other", Status.APPROVED, "delete", ALLOW),
    ("viewer", "other", Status.DRAFT, "view", ALLOW),
    ("viewer", "other", Status.DRAFT, "history", ALLOW),
    ("viewer", "other", Status.DRAFT, "change", REFUSE),
    ("viewer", "other", Status.DRAFT, "delete", REFUSE),
    ("anonymous", "other", Status.DRAFT, "view", REFUSE),
    ("anonymous", "other", Status.DRAFT, "history", REFUSE),
    ("anonymous", "other", Status.DRAFT, "change", REFUSE),
    ("anonymous", "other", Status.DRAFT, "delete", REFUSE),
]


@pytest.mark.parametrize(("role", "owner", "status", "operation", "expected"), LINK_RULES, ids=map(rule_id, LINK_RULES))
def test_link_rule(request, link_case, other_coder, supervisor_client, role, owner, status, operation, expected):
    user, client = user_and_client(request, role)
    link = make_link(link_case, user if owner == "self" else other_coder, status)
    before = row(link)
    url = change_url(link)

    if operation in ("view", "history"):
        response = client.get(url if operation == "view" else admin_url(link_case.model_name, "history", link.pk))
        if expected:
            assert response.status_code == 200
        else:
            assert_sent_to_login(response)
    elif operation == "change":
        data = page_form_data(client if expected else supervisor_client, url)
        data[link_case.field] = link_case.new_value
        response = client.post(url, data)
        if expected:
            assert response.status_code == 302, response.context and response.context["errors"]
            assert row(link)[link_case.field] == link_case.new_value
        else:
            assert_refused(response, role)
            assert row(link) == before
    else:
        response = client.post(admin_url(link_case.model_name, "delete", link.pk), {"post": "yes"})
        if expected:
            assert response.status_code == 302
            assert not type(link).objects.filter(pk=link.pk).exists()
        else:
            assert_refused(response, role)
            assert row(link) == before


def test_coder_cannot_move_a_link_onto_another_coders_record(link_case, coder, coder_client, other_coder):
    link = make_link(link_case, coder, Status.DRAFT)
    theirs = make_record(
        next(case for case in MAIN_CASES if case.model_name == link_case.parent), other_coder, Status.DRAFT
    )
    before = row(link)
    data = page_form_data(coder_client, change_url(link))
    data[link_case.parent] = str(theirs.pk)
    response = coder_client.post(change_url(link), data)
    assert response.status_code == 403
    assert row(link) == before


def test_coder_cannot_add_a_link_to_another_coders_record(
    link_case, coder, coder_client, supervisor_client, other_coder
):
    template = make_link(link_case, other_coder, Status.DRAFT)
    count = type(template).objects.count()
    # The add form filled in as for the existing link (same parent), with the changed field.
    data = page_form_data(supervisor_client, change_url(template))
    data[link_case.field] = link_case.new_value
    response = coder_client.post(admin_url(link_case.model_name, "add"), data)
    assert response.status_code == 403
    assert type(template).objects.count() == count


def test_coder_adds_a_link_to_own_draft(link_case, coder, coder_client, supervisor_client):
    template = make_link(link_case, coder, Status.DRAFT)
    count = type(template).objects.count()
    data = page_form_data(coder_client, change_url(template))
    data[link_case.field] = link_case.new_value
    response = coder_client.post(admin_url(link_case.model_name, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert type(template).objects.count() == count + 1


def test_coder_cannot_edit_inline_links_of_another_coders_record(coder_client, supervisor_client, other_coder):
    citation = factories.CitationFactory(claim__created_by=other_coder)
    before = row(citation)
    url = change_url(citation.claim)
    data = page_form_data(supervisor_client, url)
    prefix = next(key for key, value in data.items() if key.endswith("-id") and value == str(citation.pk))[: -len("id")]
    data[f"{prefix}locator"] = "99"
    response = coder_client.post(url, data)
    assert response.status_code == 403
    assert row(citation) == before
