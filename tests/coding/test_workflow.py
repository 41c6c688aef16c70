"""The review workflow: the transition services and their refusals, the admin actions
that call them, the review queue, the history every write leaves, and the version
check that refuses the second of two concurrent saves."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from influence_db.coding import models, services
from influence_db.coding.choices import Status
from tests import factories
from tests.helpers import (
    admin_url,
    change_url,
    history_rows,
    make_coder,
    messages_of,
    offered_actions,
    page_form_data,
    return_with_comment,
    row,
    run_action,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_coder(db):
    return make_coder("other-coder")


# The six records that go through review.
@dataclass(frozen=True)
class Main:
    model_name: str
    factory: Callable[..., models.CodedRecord]


MAIN_MODELS = [
    Main("source", factories.SourceFactory),
    Main("actor", factories.ActorFactory),
    Main("event", factories.EventFactory),
    Main("theme", factories.ThemeFactory),
    Main("theoryassumption", factories.TheoryAssumptionFactory),
    Main("claim", factories.ClaimFactory),
]


@pytest.fixture(params=MAIN_MODELS, ids=lambda main: main.model_name)
def main(request) -> Main:
    return request.param


def submitted(factory=factories.ClaimFactory, **kwargs: object) -> models.CodedRecord:
    return factory(status=Status.SUBMITTED, submitted_at=kwargs.pop("submitted_at", timezone.now()), **kwargs)


# --- Services: each transition ------------------------------------------------------


class TestSubmit:
    def test_draft_becomes_submitted(self, coder):
        claim = factories.ClaimFactory(created_by=coder)
        before = timezone.now()
        services.record_submit(record=claim, user=coder)
        claim.refresh_from_db()
        assert claim.status == Status.SUBMITTED
        assert claim.submitted_at >= before
        assert claim.version == 2
        assert history_rows(claim)[-1] == ("~", Status.SUBMITTED, "coder", "Submitted for review")

    def test_returned_goes_through_draft_in_two_history_rows(self, coder, supervisor):
        claim = factories.ClaimFactory(
            created_by=coder, status=Status.RETURNED, reviewed_by=supervisor, review_comment="Add the page."
        )
        services.record_submit(record=claim, user=coder)
        claim.refresh_from_db()
        assert claim.status == Status.SUBMITTED
        assert history_rows(claim)[-2:] == [
            ("~", Status.DRAFT, "coder", "Reopened after return"),
            ("~", Status.SUBMITTED, "coder", "Submitted for review"),
        ]

    @pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
    def test_wrong_status_is_a_workflow_error(self, supervisor, status):
        # A supervisor may change any record, so only the status stands in the way.
        claim = factories.ClaimFactory(status=status)
        before = row(claim)
        with pytest.raises(services.WorkflowError, match="not a draft"):
            services.record_submit(record=claim, user=supervisor)
        assert row(claim) == before

    def test_own_submitted_record_is_no_longer_the_coders_to_submit(self, coder):
        claim = submitted(created_by=coder)
        before = row(claim)
        with pytest.raises(services.WorkflowError, match="is submitted, not a draft"):
            services.record_submit(record=claim, user=coder)
        assert row(claim) == before

    def test_another_coders_draft_is_refused(self, coder, other_coder):
        claim = factories.ClaimFactory(created_by=other_coder)
        before = row(claim)
        with pytest.raises(PermissionDenied):
            services.record_submit(record=claim, user=coder)
        assert row(claim) == before

    def test_viewer_is_refused(self, viewer):
        claim = factories.ClaimFactory(created_by=viewer)
        before = row(claim)
        with pytest.raises(PermissionDenied):
            services.record_submit(record=claim, user=viewer)
        assert row(claim) == before


class TestApprove:
    def test_submitted_becomes_approved_with_reviewer_and_time(self, supervisor, coder):
        claim = submitted(created_by=coder)
        before = timezone.now()
        services.record_approve(record=claim, user=supervisor)
        claim.refresh_from_db()
        assert claim.status == Status.APPROVED
        assert claim.reviewed_by == supervisor
        assert claim.reviewed_at >= before
        assert history_rows(claim)[-1] == ("~", Status.APPROVED, "supervisor", "Approved")

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.APPROVED])
    def test_only_submitted_records_are_approved(self, supervisor, status):
        claim = factories.ClaimFactory(status=status)
        before = row(claim)
        with pytest.raises(services.WorkflowError, match="not submitted"):
            services.record_approve(record=claim, user=supervisor)
        assert row(claim) == before

    @pytest.mark.parametrize("role", ["coder", "viewer"])
    def test_only_reviewers_approve(self, request, role):
        user = request.getfixturevalue(role)
        claim = submitted(created_by=user)  # even their own record
        before = row(claim)
        with pytest.raises(PermissionDenied):
            services.record_approve(record=claim, user=user)
        assert row(claim) == before


class TestReturn:
    def test_submitted_is_returned_with_the_comment(self, supervisor, coder):
        claim = submitted(created_by=coder)
        services.record_return(record=claim, user=supervisor, comment="  Quote the page, not the summary.  ")
        claim.refresh_from_db()
        assert claim.status == Status.RETURNED
        assert claim.review_comment == "Quote the page, not the summary."
        assert claim.reviewed_by == supervisor
        assert claim.reviewed_at is not None
        assert history_rows(claim)[-1] == (
            "~",
            Status.RETURNED,
            "supervisor",
            "Returned: Quote the page, not the summary.",
        )

    @pytest.mark.parametrize("comment", ["", "   \n "])
    def test_a_comment_is_required(self, supervisor, comment):
        claim = submitted()
        before = row(claim)
        with pytest.raises(services.WorkflowError, match="comment"):
            services.record_return(record=claim, user=supervisor, comment=comment)
        assert row(claim) == before

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.APPROVED, Status.RETURNED])
    def test_only_submitted_records_are_returned(self, supervisor, status):
        claim = factories.ClaimFactory(status=status)
        before = row(claim)
        with pytest.raises(services.WorkflowError, match="not submitted"):
            services.record_return(record=claim, user=supervisor, comment="Why?")
        assert row(claim) == before

    @pytest.mark.parametrize("role", ["coder", "viewer"])
    def test_only_reviewers_return(self, request, role):
        user = request.getfixturevalue(role)
        claim = submitted(created_by=user)
        before = row(claim)
        with pytest.raises(PermissionDenied):
            services.record_return(record=claim, user=user, comment="Not mine to return.")
        assert row(claim) == before


def test_every_main_record_goes_through_the_workflow(main, coder, supervisor):
    record = main.factory(created_by=coder)
    services.record_submit(record=record, user=coder)
    services.record_return(record=record, user=supervisor, comment="Check the date.")
    services.record_submit(record=record, user=coder)
    services.record_approve(record=record, user=supervisor)
    record.refresh_from_db()
    assert record.status == Status.APPROVED
    assert [status for _, status, _, _ in history_rows(record)] == [
        Status.DRAFT,  # created by the factory
        Status.SUBMITTED,
        Status.RETURNED,
        Status.DRAFT,
        Status.SUBMITTED,
        Status.APPROVED,
    ]


class TestRecordSave:
    def test_new_record_records_its_author(self, coder):
        claim = factories.ClaimFactory.build()
        services.record_save(record=claim, user=coder)
        claim.refresh_from_db()
        assert claim.created_by == coder
        assert claim.updated_by == coder
        assert claim.status == Status.DRAFT
        assert history_rows(claim) == [("+", Status.DRAFT, "coder", "Created")]

    def test_coder_editing_a_returned_record_takes_it_back_to_draft(self, coder, supervisor):
        claim = factories.ClaimFactory(created_by=coder, status=Status.RETURNED, review_comment="Too vague.")
        claim.statement = "Iran funds Kataib Hezbollah through the Qods Force."
        services.record_save(record=claim, user=coder)
        claim.refresh_from_db()
        assert claim.status == Status.DRAFT
        assert history_rows(claim)[-1] == ("~", Status.DRAFT, "coder", "Revised after return")

    def test_supervisor_editing_a_returned_record_leaves_it_returned(self, coder, supervisor):
        claim = factories.ClaimFactory(created_by=coder, status=Status.RETURNED)
        claim.confidence = "medium"
        services.record_save(record=claim, user=supervisor)
        claim.refresh_from_db()
        assert claim.status == Status.RETURNED
        assert claim.confidence == "medium"

    def test_another_coders_record_is_refused(self, coder, other_coder):
        claim = factories.ClaimFactory(created_by=other_coder)
        before = row(claim)
        claim.statement = "Overwritten by someone else."
        with pytest.raises(PermissionDenied):
            services.record_save(record=claim, user=coder)
        assert row(claim) == before

    def test_record_save_never_changes_status(self, supervisor):
        claim = factories.ClaimFactory()
        claim.status = Status.APPROVED
        try:
            services.record_save(record=claim, user=supervisor)
        except (services.WorkflowError, PermissionDenied):
            pass  # refusing is as good as ignoring the status
        assert row(claim)["status"] == Status.DRAFT

    def test_coder_cannot_reopen_own_submitted_record_by_saving_a_draft_copy(self, coder):
        claim = submitted(created_by=coder)
        claim.status = Status.DRAFT  # a copy that says it is still a draft
        claim.statement = "Changed after submission."
        try:
            services.record_save(record=claim, user=coder)
        except PermissionDenied:
            pass
        assert row(claim)["status"] == Status.SUBMITTED
        assert row(claim)["statement"] != "Changed after submission."


class TestCompareAndSwap:
    def test_stale_copy_is_refused_and_names_who_changed_what(self, coder, supervisor):
        claim = factories.ClaimFactory(created_by=coder)
        mine = models.Claim.objects.get(pk=claim.pk)
        theirs = models.Claim.objects.get(pk=claim.pk)
        mine.statement = "Iran arms the PMF."
        services.record_save(record=mine, user=coder)
        theirs.confidence = "low"
        with pytest.raises(services.RecordChangedError, match=r"^coder changed this record .*\(statement\)"):
            services.record_save(record=theirs, user=supervisor)
        stored = row(claim)
        assert stored["statement"] == "Iran arms the PMF."
        assert stored["confidence"] == "high"
        assert stored["version"] == 2

    def test_stale_copy_cannot_make_a_transition(self, coder, supervisor):
        claim = factories.ClaimFactory(created_by=coder)
        stale = models.Claim.objects.get(pk=claim.pk)
        services.record_submit(record=claim, user=coder)
        services.record_return(record=claim, user=supervisor, comment="Redo it.")
        # The stale copy still says draft: submitting it would hide the return.
        with pytest.raises(services.RecordChangedError):
            services.record_submit(record=stale, user=coder)
        assert row(claim)["status"] == Status.RETURNED
        assert row(claim)["review_comment"] == "Redo it."

    def test_each_write_bumps_the_version(self, coder):
        claim = factories.ClaimFactory(created_by=coder)
        assert claim.version == 1
        claim.statement = "Once."
        services.record_save(record=claim, user=coder)
        services.record_submit(record=claim, user=coder)
        assert row(claim)["version"] == claim.version == 3


# --- Admin actions ------------------------------------------------------------------


class TestActions:
    def test_offered_by_role(self, coder_client, supervisor_client, viewer_client):
        assert {"submit_for_review", "delete_selected"} <= offered_actions(coder_client, "claim")
        assert not {"approve", "return_with_comment"} & offered_actions(coder_client, "claim")
        assert {"submit_for_review", "approve", "return_with_comment"} <= offered_actions(supervisor_client, "claim")
        assert offered_actions(viewer_client, "claim") == set()

    def test_submit_reports_what_it_did_and_what_it_left(self, coder, coder_client, other_coder):
        mine = factories.ClaimFactory.create_batch(2, created_by=coder)
        theirs = factories.ClaimFactory(created_by=other_coder)
        response = run_action(coder_client, "claim", "submit_for_review", [*mine, theirs])
        assert response.status_code == 302
        [(level, text)] = messages_of(response)
        assert level == messages.WARNING
        assert text == f"Submitted 2 claims; 1 left as they were: {theirs.key} is not yours to submit."
        assert [row(claim)["status"] for claim in mine] == [Status.SUBMITTED, Status.SUBMITTED]
        assert row(theirs)["status"] == Status.DRAFT

    def test_approve_reports_counts_and_why_records_were_left(self, supervisor_client):
        ready = [submitted(), submitted()]
        draft = factories.ClaimFactory()
        response = run_action(supervisor_client, "claim", "approve", [*ready, draft])
        [(level, text)] = messages_of(response)
        assert level == messages.WARNING
        assert text.startswith(f"Approved 2 claims; 1 left as they were: {draft.key} is draft, not submitted.")
        assert [row(claim)["status"] for claim in ready] == [Status.APPROVED, Status.APPROVED]
        assert row(draft)["status"] == Status.DRAFT

    def test_a_clean_run_is_a_success_message_in_the_singular(self, main, supervisor_client):
        record = submitted(main.factory)
        response = run_action(supervisor_client, main.model_name, "approve", [record])
        verbose_name = record._meta.verbose_name
        assert messages_of(response) == [(messages.SUCCESS, f"Approved 1 {verbose_name}.")]
        assert row(record)["status"] == Status.APPROVED

    def test_long_refusal_lists_are_cut_short(self, supervisor_client):
        drafts = factories.ClaimFactory.create_batch(7)
        response = run_action(supervisor_client, "claim", "approve", drafts)
        [(level, text)] = messages_of(response)
        assert level == messages.WARNING
        assert text.startswith("Approved 0 claims; 7 left as they were: ")
        assert text.endswith("; and 2 more.")
        assert text.count("is draft, not submitted") == 5


class TestReturnAction:
    def test_first_post_shows_the_comment_page_and_changes_nothing(self, supervisor_client):
        records = [submitted(), submitted()]
        before = [row(r) for r in records]
        response = run_action(supervisor_client, "claim", "return_with_comment", records)
        assert response.status_code == 200
        assert "admin/coding/return_with_comment.html" in [t.name for t in response.templates]
        assert list(response.context["records"]) == sorted(records, key=lambda r: r.key)
        content = response.content.decode()
        for record in records:
            assert f'name="{ACTION_CHECKBOX_NAME}" value="{record.pk}"' in content
        assert 'name="comment"' in content
        assert [row(r) for r in records] == before

    @pytest.mark.parametrize("comment", ["", "   "])
    def test_empty_comment_is_refused_and_nothing_changes(self, supervisor_client, comment):
        records = [submitted(), submitted()]
        before = [row(r) for r in records]
        response = return_with_comment(supervisor_client, "claim", records, comment)
        assert response.status_code == 200  # the comment page again
        assert "admin/coding/return_with_comment.html" in [t.name for t in response.templates]
        assert response.context["form"].errors["comment"]
        assert (messages.ERROR, "Nothing was returned: write a comment for the coder.") in messages_of(response)
        assert [row(r) for r in records] == before

    def test_comment_returns_the_submitted_records(self, supervisor, supervisor_client):
        records = [submitted(), submitted()]
        approved = factories.ClaimFactory(status=Status.APPROVED)
        response = return_with_comment(supervisor_client, "claim", [*records, approved], "Cite the page.")
        assert response.status_code == 302
        [(level, text)] = messages_of(response)
        assert level == messages.WARNING
        assert text.startswith(f"Returned 2 claims; 1 left as they were: {approved.key} is approved, not submitted.")
        for record in records:
            stored = row(record)
            assert (stored["status"], stored["review_comment"], stored["reviewed_by_id"]) == (
                Status.RETURNED,
                "Cite the page.",
                supervisor.pk,
            )
        assert row(approved)["status"] == Status.APPROVED


# --- Review queue -------------------------------------------------------------------


class TestReviewQueue:
    def test_index_counts_records_awaiting_review(self, supervisor_client):
        submitted()
        submitted()
        submitted(factories.ActorFactory)
        factories.ClaimFactory()  # draft
        factories.ClaimFactory(status=Status.APPROVED)
        factories.EventFactory(status=Status.RETURNED)
        response = supervisor_client.get(reverse("admin:index"))
        assert response.status_code == 200
        counts = {queue["name"]: queue["count"] for queue in response.context["review_queue"]}
        assert counts == {
            "actors": 1,
            "claims": 2,
            "events": 0,
            "sources": 0,
            "themes": 0,
            "theory assumptions": 0,
        }
        content = response.content.decode()
        assert 'id="review-queue"' in content
        assert f'href="{admin_url("claim")}?queue=awaiting"' in content

    @pytest.mark.parametrize("role", ["coder", "viewer"])
    def test_index_shows_no_queue_to_those_who_cannot_review(self, request, role):
        submitted()
        response = request.getfixturevalue(f"{role}_client").get(reverse("admin:index"))
        assert response.status_code == 200
        assert response.context["review_queue"] == []
        assert 'id="review-queue"' not in response.content.decode()

    def test_awaiting_lists_submitted_records_oldest_first(self, supervisor_client):
        now = timezone.now()
        # Keys and ids run the other way, so only submitted_at can give this order.
        newest = submitted(key="a-newest", submitted_at=now - datetime.timedelta(hours=1))
        oldest = submitted(key="b-oldest", submitted_at=now - datetime.timedelta(days=3))
        middle = submitted(key="c-middle", submitted_at=now - datetime.timedelta(days=1))
        factories.ClaimFactory(key="d-draft")
        factories.ClaimFactory(key="e-approved", status=Status.APPROVED)
        response = supervisor_client.get(admin_url("claim"), {"queue": "awaiting"})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [oldest, middle, newest]

    def test_returned_filter_shows_my_returned_records(self, coder, coder_client, other_coder):
        mine = factories.ClaimFactory(created_by=coder, status=Status.RETURNED)
        factories.ClaimFactory(created_by=other_coder, status=Status.RETURNED)
        factories.ClaimFactory(created_by=coder, status=Status.DRAFT)
        factories.ClaimFactory(created_by=coder, status=Status.SUBMITTED)
        response = coder_client.get(admin_url("claim"), {"queue": "returned"})
        assert list(response.context["cl"].result_list) == [mine]

    def test_coder_opening_a_returned_record_sees_the_comment(self, coder, coder_client, supervisor):
        claim = submitted(created_by=coder)
        services.record_return(record=claim, user=supervisor, comment="Quote page 14, not page 4.")
        response = coder_client.get(change_url(claim))
        assert response.status_code == 200
        day = claim.reviewed_at.strftime("%Y-%m-%d")
        expected = (messages.WARNING, f"Returned by supervisor on {day}: “Quote page 14, not page 4.”")
        assert expected in messages_of(response)
        assert "Quote page 14, not page 4." in response.content.decode()

    def test_no_return_message_on_other_records(self, coder, coder_client):
        claim = factories.ClaimFactory(created_by=coder, review_comment="An old comment.")
        response = coder_client.get(change_url(claim))
        assert messages_of(response) == []


class TestReviewFromTheRecordsPage:
    """A supervisor reads a submitted record and decides there, then goes on to the next one."""

    @staticmethod
    def review(client, record: models.CodedRecord, decision: str, comment: str = "", version: int | None = None):
        url = change_url(record).replace("/change/", "/review/")
        loaded = record.version if version is None else version
        return client.post(url, {decision: "1", "review-loaded_version": loaded, "review-comment": comment})

    def test_the_decision_is_offered_on_submitted_records_to_reviewers_only(
        self, main, supervisor_client, coder_client
    ):
        waiting = submitted(main.factory)
        draft = main.factory()
        assert 'id="review-form"' in supervisor_client.get(change_url(waiting)).content.decode()
        assert 'id="review-form"' not in supervisor_client.get(change_url(draft)).content.decode()
        assert 'id="review-form"' not in coder_client.get(change_url(waiting)).content.decode()

    def test_approving_goes_on_to_the_oldest_record_still_waiting(self, main, supervisor, supervisor_client):
        now = timezone.now()
        first = submitted(main.factory, submitted_at=now - datetime.timedelta(days=2))
        following = submitted(main.factory, submitted_at=now - datetime.timedelta(days=1))
        submitted(main.factory, submitted_at=now)

        response = self.review(supervisor_client, first, "approve")

        assert response.status_code == 302 and response["Location"] == change_url(following)
        first.refresh_from_db()
        assert (first.status, first.reviewed_by) == (Status.APPROVED, supervisor)
        name = first._meta.verbose_name
        assert messages_of(response) == [
            (messages.SUCCESS, f"Approved {name} {first}. Next in the queue: {following}.")
        ]

    def test_returning_needs_a_comment_and_the_last_one_leads_back_to_the_queue(self, supervisor_client):
        claim = submitted()

        refused = self.review(supervisor_client, claim, "return", comment="  ")
        assert refused["Location"] == change_url(claim)
        assert messages_of(refused)[0][0] == messages.ERROR
        claim.refresh_from_db()
        assert claim.status == Status.SUBMITTED

        response = self.review(supervisor_client, claim, "return", comment="Which page says so?")
        assert response["Location"] == f"{admin_url('claim')}?queue=awaiting"
        claim.refresh_from_db()
        assert (claim.status, claim.review_comment) == (Status.RETURNED, "Which page says so?")
        assert messages_of(response)[-1][1].endswith("Nothing else awaits review.")

    def test_a_record_changed_since_it_was_read_is_not_approved(self, supervisor, supervisor_client):
        claim = submitted()
        read_at = claim.version
        # Meanwhile, another supervisor corrects the statement.
        edited = models.Claim.objects.get(pk=claim.pk)
        edited.statement = "A corrected statement."
        services.record_save(record=edited, user=supervisor)

        response = self.review(supervisor_client, claim, "approve", version=read_at)

        assert response["Location"] == change_url(claim)
        level, text = messages_of(response)[0]
        assert level == messages.ERROR and "after you opened it" in text
        claim.refresh_from_db()
        assert claim.status == Status.SUBMITTED

    def test_a_record_no_longer_submitted_is_left_as_it_is(self, supervisor_client):
        claim = factories.ClaimFactory(status=Status.APPROVED)
        response = self.review(supervisor_client, claim, "return", comment="Too late.")
        assert messages_of(response) == [(messages.ERROR, f"{claim} is approved, not submitted: nothing was changed.")]
        claim.refresh_from_db()
        assert claim.status == Status.APPROVED

    @pytest.mark.parametrize("role", ["coder_client", "viewer_client"])
    def test_only_reviewers_may_decide(self, request, role):
        claim = submitted()
        assert self.review(request.getfixturevalue(role), claim, "approve").status_code == 403
        claim.refresh_from_db()
        assert claim.status == Status.SUBMITTED

    def test_only_a_post_decides(self, supervisor_client):
        claim = submitted()
        assert supervisor_client.get(change_url(claim).replace("/change/", "/review/")).status_code == 405


# --- Audit trail --------------------------------------------------------------------


def test_full_history_of_a_claim_through_review(coder, coder_client, supervisor_client):
    # Added in the admin.
    add = page_form_data(coder_client, admin_url("claim", "add"))
    add.update(statement="Iran backs the PMF.", kind="intent")
    assert coder_client.post(admin_url("claim", "add"), add).status_code == 302
    claim = models.Claim.objects.get()

    run_action(coder_client, "claim", "submit_for_review", [claim])
    return_with_comment(supervisor_client, "claim", [claim], "Say which PMF units.")

    # The coder edits the returned claim: it goes back to draft.
    edit = page_form_data(coder_client, change_url(claim))
    edit["statement"] = "Iran backs the Kataib Hezbollah units of the PMF."
    assert coder_client.post(change_url(claim), edit).status_code == 302
    assert row(claim)["status"] == Status.DRAFT

    run_action(coder_client, "claim", "submit_for_review", [claim])
    run_action(supervisor_client, "claim", "approve", [claim])

    assert history_rows(claim) == [
        ("+", Status.DRAFT, "coder", "Added in the admin"),
        ("~", Status.SUBMITTED, "coder", "Submitted for review"),
        ("~", Status.RETURNED, "supervisor", "Returned: Say which PMF units."),
        ("~", Status.DRAFT, "coder", "Changed statement in the admin"),
        ("~", Status.SUBMITTED, "coder", "Submitted for review"),
        ("~", Status.APPROVED, "supervisor", "Approved"),
    ]
    stored = row(claim)
    assert stored["version"] == 6
    assert stored["created_by_id"] == coder.pk

    # The history page shows each step, who took it and what changed.
    page = coder_client.get(admin_url("claim", "history", claim.pk))
    assert page.status_code == 200
    content = page.content.decode()
    for reason in ("Added in the admin", "Returned: Say which PMF units.", "Changed statement in the admin"):
        assert reason in content
    assert "<strong>Statement:</strong>" in content
    assert "Iran backs the PMF." in content
    assert "Iran backs the Kataib Hezbollah units of the PMF." in content
    assert "<strong>Status:</strong>" in content


class TestDeletesAreInTheHistory:
    def test_delete_view(self, coder, coder_client):
        claim = factories.ClaimFactory(created_by=coder)
        response = coder_client.post(admin_url("claim", "delete", claim.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not models.Claim.objects.filter(pk=claim.pk).exists()
        assert history_rows(claim)[-1] == ("-", Status.DRAFT, "coder", "Deleted in the admin")

    def test_delete_selected_action(self, main, supervisor_client):
        records = main.factory.create_batch(2)
        confirm = run_action(supervisor_client, main.model_name, "delete_selected", records)
        assert confirm.status_code == 200  # "Are you sure?"
        # The confirmation page posts the action and the selection again, with post=yes.
        response = supervisor_client.post(
            admin_url(main.model_name),
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(r.pk) for r in records], "post": "yes"},
        )
        assert response.status_code == 302
        for record in records:
            assert not type(record).objects.filter(pk=record.pk).exists()
            assert history_rows(record)[-1] == ("-", Status.DRAFT, "supervisor", "Deleted in the admin")

    def test_cascaded_link_deletions_have_a_reason(self, coder, coder_client):
        citation = factories.CitationFactory(claim__created_by=coder)
        coder_client.post(admin_url("claim", "delete", citation.claim_id), {"post": "yes"})
        deleted = models.Citation.history.get(id=citation.pk, history_type="-")
        assert deleted.history_user.username == "coder"
        assert deleted.history_change_reason


class TestHistoryCannotRevert:
    def test_history_version_page_offers_no_revert(self, supervisor_client):
        claim = factories.ClaimFactory()
        version = claim.history.earliest()
        response = supervisor_client.get(admin_url("claim", "simple_history", claim.pk, version.history_id))
        assert response.status_code == 200
        assert response.context["revert_disabled"] is True
        assert 'name="_save"' not in response.content.decode()

    @pytest.mark.parametrize("role", ["coder", "supervisor"])
    def test_posting_to_an_old_version_changes_nothing(self, request, role, coder, supervisor):
        claim = factories.ClaimFactory(created_by=coder)
        draft_version = claim.history.earliest()
        services.record_submit(record=claim, user=coder)
        services.record_approve(record=claim, user=supervisor)
        before = row(claim)
        client = request.getfixturevalue(f"{role}_client")
        url = admin_url("claim", "simple_history", claim.pk, draft_version.history_id)
        data = {
            "statement": "Reverted from history.",
            "kind": claim.kind,
            "modality": claim.modality,
            "confidence": claim.confidence,
            "loaded_version": str(before["version"]),
        }
        client.post(url, data)
        assert row(claim) == before


# --- No lost updates ----------------------------------------------------------------


class TestConcurrentEdits:
    def test_second_save_is_refused_and_names_who_changed_what(self, coder, coder_client, supervisor_client):
        claim = factories.ClaimFactory(created_by=coder, statement="Iran backs the PMF.")
        url = change_url(claim)
        coder_page = page_form_data(coder_client, url)
        supervisor_page = page_form_data(supervisor_client, url)
        assert coder_page["loaded_version"] == supervisor_page["loaded_version"] == "1"

        supervisor_page["statement"] = "Iran arms and funds the PMF."
        assert supervisor_client.post(url, supervisor_page).status_code == 302

        coder_page["confidence"] = "low"
        response = coder_client.post(url, coder_page)
        assert response.status_code == 200
        [error] = response.context["adminform"].form.non_field_errors()
        assert error.startswith("supervisor changed this record at ")
        assert "(statement)" in error
        assert "Your changes were not saved" in error
        stored = row(claim)
        assert stored["statement"] == "Iran arms and funds the PMF."
        assert stored["confidence"] == "high"
        assert stored["version"] == 2

    def test_reloading_after_a_refusal_lets_the_edit_through(self, coder, coder_client, supervisor_client):
        claim = factories.ClaimFactory(created_by=coder)
        url = change_url(claim)
        stale = page_form_data(coder_client, url)
        other = page_form_data(supervisor_client, url)
        other["statement"] = "Changed first."
        supervisor_client.post(url, other)
        stale["confidence"] = "low"
        assert coder_client.post(url, stale).status_code == 200

        fresh = page_form_data(coder_client, url)
        assert fresh["loaded_version"] == "2"
        fresh["confidence"] = "low"
        assert coder_client.post(url, fresh).status_code == 302
        assert (row(claim)["statement"], row(claim)["confidence"]) == ("Changed first.", "low")

    def test_a_form_without_its_version_is_refused(self, coder, coder_client):
        claim = factories.ClaimFactory(created_by=coder)
        data = page_form_data(coder_client, change_url(claim))
        del data["loaded_version"]
        data["statement"] = "No version given."
        response = coder_client.post(change_url(claim), data)
        assert response.status_code == 200
        assert "does not say which version" in str(response.context["adminform"].form.non_field_errors())
        assert row(claim)["statement"] != "No version given."

    def test_losing_the_race_after_validation_writes_nothing(self, monkeypatch, coder, supervisor, coder_client):
        claim = factories.ClaimFactory(created_by=coder)
        source = factories.SourceFactory()
        url = change_url(claim)
        data = page_form_data(coder_client, url)
        data["statement"] = "The coder's version."
        data.update({"citations-0-source": str(source.pk), "citations-0-locator": "7", "citations-0-quote": "a quote"})
        real_save = services.record_save

        def supervisor_saves_first(*, record, user, reason=""):
            # Between the form's version check and the coder's save, the supervisor saves.
            # (Within the test this write shares the request's transaction, so it is rolled
            # back with the coder's; in production it would have been committed already.)
            theirs = models.Claim.objects.get(pk=record.pk)
            theirs.statement = "The supervisor's version."
            real_save(record=theirs, user=supervisor)
            return real_save(record=record, user=user, reason=reason)

        monkeypatch.setattr(services, "record_save", supervisor_saves_first)
        response = coder_client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == url
        [(level, text)] = messages_of(response)
        assert level == messages.ERROR
        assert text.startswith("supervisor changed this record")
        assert row(claim)["statement"] != "The coder's version."
        assert not models.Citation.objects.filter(claim=claim).exists()
