"""The coders' admin in a real browser: a coder codes a claim and sends it for review, a
supervisor clears the review queue, and what was approved reaches the public site.

The forms' autocomplete widgets (Select2) and the action bar run on the admin's own
JavaScript under the site's Content-Security-Policy, which only a browser exercises. Users
log in through the login form, as a person does; every page must load without a console
error.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from influence_db.coding import choices
from influence_db.coding.models import Actor, Claim, Source, TheoryAssumption
from influence_db.coding.roles import sync_roles
from tests import factories

APPROVED = choices.Status.APPROVED
SUBMITTED = choices.Status.SUBMITTED
RETURNED = choices.Status.RETURNED
ARABIC_ALIAS = "أبو مهدي المهندس"


@dataclass
class Team:
    coder: object
    supervisor: object
    source: Source
    anarchy: TheoryAssumption
    muhandis: Actor


@pytest.fixture
def team(live_server) -> Team:
    """A coder and a supervisor who log in with passwords, and approved records to cite."""
    # The live server's tests empty the database after each test, the roles' groups with it.
    sync_roles(apps)
    users = {}
    for role, username in (("Coder", "coder"), ("Supervisor", "supervisor")):
        users[username] = get_user_model().objects.create_user(
            username=username, password=f"{username}-browser", is_staff=True
        )
        users[username].groups.add(Group.objects.get(name=role))
    approved = {"status": APPROVED, "reviewed_at": timezone.now()}
    source = factories.SourceFactory(title="Iran faces growing challenges in Iraq", **approved)
    anarchy = factories.TheoryAssumptionFactory(code="SR-ANARCHY", label="Anarchy", **approved)
    muhandis = factories.ActorFactory(name="Abu Mahdi al-Muhandis", **approved)
    factories.ActorAliasFactory(actor=muhandis, name=ARABIC_ALIAS, language="ar", script="Arab")
    return Team(users["coder"], users["supervisor"], source, anarchy, muhandis)


# --- helpers ------------------------------------------------------------------------------


def log_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", f"{user.username}-browser")
    submit(page, "input[type=submit]")
    assert page.url == live_server.url + "/admin/", f"{user.username} could not log in"


def choose(page, select_id: str, typed: str, shown: str) -> None:
    """Pick from an admin autocomplete: open it, type, click the option the server found."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option:not(.loading-results)", has_text=shown).click()


def submit(page, target) -> None:
    """Click a button or a link (a selector or a locator), and wait for the page it loads."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def messages(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("ul.messagelist li").all_inner_texts()]


def offered_actions(page) -> set[str]:
    return set(page.locator("select[name=action] option").all_inner_texts()) - {"---------"}


def assert_styled_breadcrumbs(page) -> None:
    """The admin's breadcrumb bar has its colour: a template with the wrong markup for the
    installed Django gets plain, unstyled links instead."""
    colour = page.locator(".breadcrumbs").evaluate("element => getComputedStyle(element).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), f"unstyled breadcrumbs on {page.url}"


def run_action(page, action: str, *claims: Claim) -> None:
    for claim in claims:
        page.check(f"input.action-select[value='{claim.pk}']")
    page.select_option("select[name=action]", label=action)
    submit(page, "button[name=index]")


# --- journeys -----------------------------------------------------------------------------


def test_a_coder_codes_two_passages_of_a_report_and_sends_them_for_review(live_server, page, console, team):
    log_in(page, live_server, team.coder)
    page.goto(live_server.url + "/admin/coding/claim/add/")

    statement = "Iran's militias in Iraq deter a US attack on Iran itself."
    page.fill("#id_statement", statement)
    page.select_option("#id_kind", label="Causal")
    # The actor is found by its name in Arabic script, one of its aliases.
    choose(page, "id_actors", ARABIC_ALIAS, "Abu Mahdi al-Muhandis")
    choose(page, "id_citations-0-source", "growing challenges", team.source.key)  # sources show as author-year keys
    page.select_option("#id_citations-0-locator_type", label="Section")
    page.fill("#id_citations-0-locator", "Main Argument ¶3")
    page.fill("#id_citations-0-quote", "The militias serve as a deterrent, the report says.")
    page.click("text=Add another Theory assumption link")
    choose(page, "id_assumption_links-0-assumption", "ANARCHY", "SR-ANARCHY")
    page.select_option("#id_assumption_links-0-relation", label="Supports")
    page.fill("#id_assumption_links-0-rationale", "Self-help by proxies.")
    submit(page, "input[name=_addanother]")

    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert any("was added successfully" in message for message in messages(page)), errors
    # The next claim's citation starts on the same source, in the same kind of locator.
    chosen = page.locator("#id_citations-0-source + .select2 .select2-selection__rendered").inner_text()
    assert chosen.strip() == team.source.key
    assert page.locator("#id_citations-0-locator_type").input_value() == "section"
    claim = Claim.objects.get(statement=statement)
    assert (claim.status, claim.created_by, claim.kind) == (choices.Status.DRAFT, team.coder, "causal")
    assert claim.key  # left blank in the form: generated from the statement
    assert list(claim.actors.all()) == [team.muhandis]
    citation = claim.citations.get()
    assert (citation.source, citation.locator_type, citation.locator) == (team.source, "section", "Main Argument ¶3")
    assert citation.quote == "The militias serve as a deterrent, the report says."
    link = claim.assumption_links.get()
    assert (link.assumption, link.relation, link.rationale) == (team.anarchy, "supports", "Self-help by proxies.")
    # The record, then its lists (simple_history writes a row for each), both the coder's.
    assert set(claim.history.values_list("history_change_reason", "history_user")) == {
        ("Added in the admin", team.coder.pk)
    }

    # The next passage of the same report: only what differs is typed.
    page.fill("#id_statement", "Tehran wants US forces out of Iraq.")
    page.select_option("#id_kind", label="Intent")
    page.fill("#id_citations-0-locator", "Main Argument ¶5")
    page.fill("#id_citations-0-quote", "Tehran seeks the withdrawal of US forces.")
    submit(page, "input[name=_save]")
    second = Claim.objects.get(statement="Tehran wants US forces out of Iraq.")
    assert list(second.citations.values_list("source", "locator_type", "locator")) == [
        (team.source.pk, "section", "Main Argument ¶5")
    ]

    # On the list, the coder sends both for review; reviewing is not theirs to do.
    assert offered_actions(page) >= {"Submit for review"}
    assert not offered_actions(page) & {"Approve", "Return with comment"}
    run_action(page, "Submit for review", claim, second)
    assert "Submitted 2 claims." in messages(page)
    assert set(Claim.objects.values_list("status", flat=True)) == {SUBMITTED}
    console.assert_clean()


def test_a_supervisor_clears_the_review_queue_and_the_coder_sees_why_a_claim_came_back(
    live_server, page, console, team
):
    now = timezone.now()
    first, second, third = (
        factories.ClaimFactory(statement=statement, status=SUBMITTED, created_by=team.coder, submitted_at=now - age)
        for statement, age in (
            ("Tehran pays the salaries of several militias.", datetime.timedelta(days=2)),
            ("Iraqi Shia clerics look to Qom, not Najaf.", datetime.timedelta(days=1)),
            ("Iran's gas keeps Baghdad's lights on.", datetime.timedelta(hours=1)),
        )
    )
    for claim in (first, second, third):
        factories.CitationFactory(claim=claim, source=team.source)

    log_in(page, live_server, team.supervisor)
    queue = page.locator("#review-queue")
    assert queue.locator("tr", has_text="Claims").locator("td").inner_text() == "3"
    submit(page, queue.get_by_role("link", name="Claims"))
    # Oldest first, so nothing waits for ever.
    rows = page.locator("#result_list tbody tr")
    assert [claim.key in rows.nth(i).inner_text() for i, claim in enumerate((first, second, third))] == [True] * 3
    assert offered_actions(page) >= {"Submit for review", "Approve", "Return with comment"}

    # Record by record: read it, decide below it, and the next one opens.
    submit(page, rows.nth(0).get_by_role("link", name=first.key))
    submit(page, "#review input[name=approve]")
    assert f"Approved claim {first}. Next in the queue: {second}." in messages(page)
    assert page.locator("#id_statement").input_value() == second.statement
    page.fill("#review textarea", "Cite the page where the report says so.")
    submit(page, "#review input[name=return]")
    assert f"Returned claim {second}. Next in the queue: {third}." in messages(page)

    # Or from the list, several at once.
    page.goto(live_server.url + "/admin/coding/claim/?queue=awaiting")
    run_action(page, "Return with comment", third)
    assert_styled_breadcrumbs(page)
    page.fill("#id_comment", "Which report says so?")
    submit(page, "input[name=apply]")
    assert "Returned 1 claim." in messages(page)
    assert page.locator("#result_list tbody tr").count() == 0  # the queue is clear

    for claim in (first, second, third):
        claim.refresh_from_db()
    assert (first.status, first.reviewed_by) == (APPROVED, team.supervisor)
    assert (second.status, second.review_comment) == (RETURNED, "Cite the page where the report says so.")
    assert (third.status, third.review_comment) == (RETURNED, "Which report says so?")

    # The public site shows the approved claim and not the returned ones.
    page.context.clear_cookies()
    page.goto(live_server.url + "/claims/")
    shown = " ".join(page.locator("article.claim").all_inner_texts())
    assert first.statement in shown
    assert second.statement not in shown and third.statement not in shown

    # The coder opens a returned claim and reads the supervisor's comment.
    log_in(page, live_server, team.coder)
    page.goto(live_server.url + f"/admin/coding/claim/{second.pk}/change/")
    assert any(
        "Returned by supervisor" in message and "Cite the page where the report says so." in message
        for message in messages(page)
    ), messages(page)
    assert page.locator("#review-form").count() == 0  # deciding is the supervisor's
    console.assert_clean()


SHEET_HEADER = (
    "claim,source,locator_type,locator,quote,statement,kind,modality,attributed_to,confidence,"
    "actors,events,themes,period_start,period_end,assumptions,rationale,link_by,notes\n"
)


def test_a_supervisor_imports_a_coding_sheet_after_seeing_what_it_would_do(live_server, page, console, team):
    key = team.source.key
    bad = SHEET_HEADER + (
        f"deterrence,{key},page,4,The militias deter.,Iran's militias deter attacks.,causall,asserts,,high,"
        "Nobody We Know,,,,,SR-ANARCHY:supports,Self-help by proxies.,coder,\n"
    )
    good = SHEET_HEADER + (
        f"deterrence,{key},page,4,The militias deter.,Iran's militias deter attacks.,causal,asserts,,high,"
        f"{ARABIC_ALIAS},,,,,SR-ANARCHY:supports,Self-help by proxies.,coder,\n"
        f"deterrence,{key},page,5,They deter again.,Iran's militias deter attacks.,causal,asserts,,high,"
        f"{ARABIC_ALIAS},,,,,,,,\n"
    )

    log_in(page, live_server, team.supervisor)
    submit(page, "#import-link")
    assert_styled_breadcrumbs(page)
    assert page.locator("#id_dataset").input_value() == "coding-sheet"

    # A bad file: every problem, with its row and column, and nothing to confirm.
    page.set_input_files("#id_file", files=[{"name": "sheet.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    submit(page, "input[type=submit]")
    problems = " ".join(page.locator("#import-problems").inner_text().split())
    assert "row 2, column kind" in problems and "Nobody We Know" in problems, problems
    assert page.locator("input[name=confirm]").count() == 0
    assert not Claim.objects.exists()

    # A good one: first what it would do, then, confirmed, the drafts.
    page.set_input_files("#id_file", files=[{"name": "sheet.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    submit(page, "input[type=submit]")
    preview = " ".join(page.locator("#import-preview").inner_text().split())
    assert "1 new" in preview and "(sheet.csv)" in preview, preview
    assert not Claim.objects.exists()  # the preview wrote nothing
    submit(page, "input[name=confirm]")
    assert page.url == live_server.url + "/admin/"
    assert any("1 new" in message for message in messages(page)), messages(page)

    claim = Claim.objects.get(key="deterrence")
    assert (claim.status, claim.created_by) == (choices.Status.DRAFT, team.supervisor)
    assert list(claim.actors.all()) == [team.muhandis]
    assert sorted(claim.citations.values_list("locator", "quote")) == [
        ("4", "The militias deter."),
        ("5", "They deter again."),
    ]
    assert claim.assumption_links.get().assumption == team.anarchy
    console.assert_clean()
