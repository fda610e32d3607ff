"""Every transition: what it changes, what it records, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.errors import (
    BugReferenceRequired,
    HandoverNoteRequired,
    ResolutionRequired,
    TicketActionForbidden,
    TicketVersionConflict,
    TransitionNotAllowed,
)
from tierdesk.tickets.models import Comment, HistoryEvent, SecondLevelRequest, Ticket
from tierdesk.tickets.services import (
    ticket_assign,
    ticket_comment_add,
    ticket_confirm,
    ticket_escalate,
    ticket_reopen,
    ticket_request_second_level,
    ticket_resolve,
    ticket_resume,
    ticket_second_level_decide,
    ticket_take,
    ticket_update,
    ticket_wait,
)
from tierdesk.tickets.tests.factories import make_ticket

NOTE = "Checked cabling and drivers; needs a second-level look at the print server."


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def history_actions(ticket: Ticket) -> list[tuple[str, str, str, str]]:
    return list(HistoryEvent.objects.filter(ticket=ticket).values_list("action", "field", "old_value", "new_value"))


# --- assign / take ---------------------------------------------------------------------------


def test_take_opens_a_new_ticket_and_records_both_changes(personas, ticket):
    ticket_take(ticket=ticket, by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.assignee, t.status, t.version) == (personas.agent_l1, "open", 2)
    assert history_actions(t)[1:] == [("changed", "status", "new", "open"), ("changed", "assignee", "", "l1")]


def test_agent_cannot_assign_a_colleague_but_case_manager_can(personas, ticket):
    with pytest.raises(TicketActionForbidden):
        ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.agent_l1)
    assert fresh(ticket).assignee is None
    ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    assert fresh(ticket).assignee == personas.agent_l2


def test_agent_may_release_own_ticket(personas, ticket):
    ticket_take(ticket=ticket, by=personas.agent_l1)
    ticket_assign(ticket=ticket, assignee=None, by=personas.agent_l1)
    assert fresh(ticket).assignee is None


def test_customers_cannot_be_assignees_and_cannot_assign(personas, ticket):
    with pytest.raises(ValidationFailed) as err:
        ticket_assign(ticket=ticket, assignee=personas.customer_a, by=personas.case_manager)
    assert err.value.code == "ticket.invalid_assignee"
    with pytest.raises(TicketActionForbidden):
        ticket_take(ticket=ticket, by=personas.customer_a)
    assert fresh(ticket).assignee is None


def test_stale_version_is_a_conflict_and_changes_nothing(personas, ticket):
    # given two agents who read version 1
    ticket_take(ticket=ticket, by=personas.agent_l1, expected_version=1)
    # when the second writes with the version they read
    with pytest.raises(TicketVersionConflict) as err:
        ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager, expected_version=1)
    # then they get a conflict and the first write stands
    assert err.value.http_status == 409
    assert fresh(ticket).assignee == personas.agent_l1


# --- escalate / development -------------------------------------------------------------------


def test_escalate_needs_a_handover_note(personas, ticket):
    with pytest.raises(HandoverNoteRequired):
        ticket_escalate(ticket=ticket, to_level="second", handover_note="  short ", by=personas.agent_l1)
    assert fresh(ticket).level == "first"
    assert Comment.objects.count() == 0


def test_escalate_to_second_level_hands_over(personas, ticket):
    ticket_take(ticket=ticket, by=personas.agent_l1)
    ticket_escalate(ticket=ticket, to_level="second", handover_note=NOTE, by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.level, t.assignee, t.status) == ("second", None, "open")
    note = Comment.objects.get(ticket=t)
    assert (note.body, note.is_internal) == (NOTE, True)
    escalated = HistoryEvent.objects.get(ticket=t, action="escalated")
    assert (escalated.old_value, escalated.new_value, escalated.note, escalated.is_internal) == (
        "first",
        "second",
        NOTE,
        True,
    )


def test_escalate_only_upwards(personas, ticket):
    ticket_escalate(ticket=ticket, to_level="second", handover_note=NOTE, by=personas.agent_l1)
    for target in ("first", "second"):
        with pytest.raises(TransitionNotAllowed):
            ticket_escalate(ticket=ticket, to_level=target, handover_note=NOTE, by=personas.agent_l2)
    with pytest.raises(ValidationFailed) as err:
        ticket_escalate(ticket=ticket, to_level="third", handover_note=NOTE, by=personas.agent_l2)
    assert err.value.code == "ticket.invalid_level"


def test_send_to_development_needs_bug_reference(personas, ticket):
    with pytest.raises(BugReferenceRequired):
        ticket_escalate(ticket=ticket, to_level="development", handover_note=NOTE, by=personas.agent_l2)
    with pytest.raises(BugReferenceRequired) as err:
        ticket_escalate(
            ticket=ticket,
            to_level="development",
            handover_note=NOTE,
            by=personas.agent_l2,
            bug_key="DEV-42",
            bug_url="javascript:alert(1)",
        )
    assert err.value.field == "bug_url"
    assert fresh(ticket).level == "first"


def test_send_to_development_records_bug(personas, ticket):
    ticket_escalate(
        ticket=ticket,
        to_level="development",
        handover_note=NOTE,
        by=personas.agent_l2,
        bug_key="DEV-42",
        bug_url="https://tracker.example.org/DEV-42",
    )
    t = fresh(ticket)
    assert (t.level, t.bug_key, t.bug_url) == ("development", "DEV-42", "https://tracker.example.org/DEV-42")
    assert HistoryEvent.objects.filter(ticket=t, action="sent_to_development").exists()


def test_resolved_ticket_cannot_be_escalated(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Restarted spooler", by=personas.agent_l1)
    with pytest.raises(TransitionNotAllowed):
        ticket_escalate(ticket=ticket, to_level="second", handover_note=NOTE, by=personas.agent_l1)


def test_customer_cannot_escalate(personas, ticket):
    with pytest.raises(TicketActionForbidden):
        ticket_escalate(ticket=ticket, to_level="second", handover_note=NOTE, by=personas.customer_a)


# --- waiting and the paused clock ---------------------------------------------------------------

# Monday 23 November 2026, 09:00 in Amsterdam: the default calendar is open.
MONDAY_0800_UTC = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_wait_on_customer_pauses_and_resume_moves_deadline(personas, ticket, monkeypatch):
    # given a ticket due on a Tuesday at 09:00 Amsterdam (P4: 480 business minutes to respond)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=MONDAY_0800_UTC + timedelta(days=1))
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due=MONDAY_0800_UTC + timedelta(days=1))
    due = fresh(ticket).due_at
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_0800_UTC + timedelta(hours=1))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1, note="Asked for a screenshot")
    t = fresh(ticket)
    assert (t.status, t.waiting_on) == ("waiting", "customer")
    assert t.paused_at is not None
    # when the wait lasts two (business) hours
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_0800_UTC + timedelta(hours=3))
    ticket_resume(ticket=ticket, by=personas.agent_l1)
    # then
    t = fresh(ticket)
    assert (t.status, t.waiting_on, t.paused_at) == ("open", "", None)
    assert t.due_at - due == timedelta(hours=2)


def test_wait_on_third_party_does_not_pause(personas, ticket):
    ticket_wait(ticket=ticket, on="third_party", by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.status, t.waiting_on, t.paused_at) == ("waiting", "third_party", None)


def test_wait_rejects_unknown_party(personas, ticket):
    with pytest.raises(ValidationFailed):
        ticket_wait(ticket=ticket, on="moon", by=personas.agent_l1)
    assert fresh(ticket).status == "new"


def test_customer_reply_to_waiting_ticket_reopens_it(personas, ticket):
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    ticket_comment_add(ticket=ticket, body="Screenshot attached", by=personas.customer_a, channel="portal")
    t = fresh(ticket)
    assert (t.status, t.paused_at) == ("open", None)


def test_resume_only_from_waiting(personas, ticket):
    with pytest.raises(TransitionNotAllowed):
        ticket_resume(ticket=ticket, by=personas.agent_l1)


# --- resolve / confirm / reopen -------------------------------------------------------------------


def test_resolve_needs_a_resolution(personas, ticket):
    with pytest.raises(ResolutionRequired):
        ticket_resolve(ticket=ticket, resolution="  ", by=personas.agent_l1)
    assert fresh(ticket).status == "new"


def test_resolve_then_customer_confirms_closes(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Replaced the toner", by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.status, t.resolution) == ("resolved", "Replaced the toner")
    assert t.resolved_at is not None
    ticket_confirm(ticket=ticket, by=personas.customer_a)
    t = fresh(ticket)
    assert t.status == "closed"
    assert t.closed_at is not None
    assert history_actions(t)[-1] == ("confirmed", "status", "resolved", "closed")


def test_resolving_twice_is_refused(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    with pytest.raises(TransitionNotAllowed):
        ticket_resolve(ticket=ticket, resolution="Done again", by=personas.agent_l1)


def test_confirm_only_resolved_and_only_by_own_side(personas, ticket):
    with pytest.raises(TransitionNotAllowed):
        ticket_confirm(ticket=ticket, by=personas.customer_a)
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    for outsider in (personas.customer_b, personas.customer_a2, personas.anonymous):
        with pytest.raises(TicketActionForbidden):
            ticket_confirm(ticket=ticket, by=outsider)
    assert fresh(ticket).status == "resolved"
    # the customer admin of the same organisation may confirm
    ticket_confirm(ticket=ticket, by=personas.customer_admin_a)
    assert fresh(ticket).status == "closed"


def test_customer_reopens_resolved_with_reason(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    ticket_reopen(ticket=ticket, reason="Still prints blank pages", by=personas.customer_a, channel="portal")
    t = fresh(ticket)
    assert (t.status, t.resolved_at) == ("open", None)
    assert Comment.objects.filter(ticket=t, body="Still prints blank pages", is_internal=False).exists()


def test_customer_cannot_reopen_closed_but_agent_can(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    ticket_confirm(ticket=ticket, by=personas.customer_a)
    with pytest.raises(TransitionNotAllowed):
        ticket_reopen(ticket=ticket, reason="Again", by=personas.customer_a)
    ticket_reopen(ticket=ticket, reason="Same fault came back", by=personas.agent_l1)
    assert fresh(ticket).status == "open"


def test_reopen_needs_a_reason(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    with pytest.raises(ValidationFailed) as err:
        ticket_reopen(ticket=ticket, reason=" ", by=personas.customer_a)
    assert err.value.code == "ticket.reason_required"
    assert fresh(ticket).status == "resolved"


def test_customer_reply_to_resolved_reopens_and_to_closed_is_refused(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    ticket_comment_add(ticket=ticket, body="It is back", by=personas.customer_a)
    assert fresh(ticket).status == "open"
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    ticket_confirm(ticket=ticket, by=personas.customer_a)
    with pytest.raises(TransitionNotAllowed) as err:
        ticket_comment_add(ticket=ticket, body="Hello?", by=personas.customer_a)
    assert err.value.code == "ticket.closed"


# --- comments -----------------------------------------------------------------------------------


def test_customer_cannot_write_internal_notes_or_reply_to_foreign_tickets(personas, ticket):
    with pytest.raises(TicketActionForbidden):
        ticket_comment_add(ticket=ticket, body="psst", by=personas.customer_a, is_internal=True)
    with pytest.raises(TicketActionForbidden):
        ticket_comment_add(ticket=ticket, body="hi", by=personas.customer_b)
    assert Comment.objects.count() == 0


def test_internal_note_does_not_open_a_new_ticket_but_public_reply_does(personas, ticket):
    ticket_comment_add(ticket=ticket, body="Looks like the driver", by=personas.agent_l1, is_internal=True)
    assert fresh(ticket).status == "new"
    ticket_comment_add(ticket=ticket, body="We are on it", by=personas.agent_l1)
    assert fresh(ticket).status == "open"
    kinds = list(HistoryEvent.objects.filter(ticket=ticket, field="").values_list("action", "is_internal"))
    assert ("note_added", True) in kinds
    assert ("commented", False) in kinds


def test_empty_comment_is_rejected(personas, ticket):
    with pytest.raises(ValidationFailed) as err:
        ticket_comment_add(ticket=ticket, body="\n  ", by=personas.agent_l1)
    assert err.value.code == "comment.empty"


# --- second-level requests ------------------------------------------------------------------------


def test_customer_requests_second_level_and_agent_approves(personas, ticket):
    request = ticket_request_second_level(ticket=ticket, reason="Third call about this", by=personas.customer_a)
    with pytest.raises(TransitionNotAllowed) as err:
        ticket_request_second_level(ticket=ticket, reason="again", by=personas.customer_a)
    assert err.value.code == "ticket.second_level_pending"
    ticket_second_level_decide(
        request=request, approve=True, note="Agreed, the print server needs a look.", by=personas.case_manager
    )
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == ("approved", personas.case_manager)
    assert fresh(ticket).level == "second"
    # the handover note never reaches a public history row
    public_notes = HistoryEvent.objects.filter(ticket=ticket, is_internal=False).values_list("note", flat=True)
    assert not any("print server" in note for note in public_notes)


def test_declined_request_tells_the_customer_why(personas, ticket):
    request = ticket_request_second_level(ticket=ticket, reason="Faster please", by=personas.customer_a)
    ticket_second_level_decide(
        request=request, approve=False, note="We need your log file first.", by=personas.agent_l1
    )
    assert fresh(ticket).level == "first"
    assert Comment.objects.filter(ticket=ticket, is_internal=False, body="We need your log file first.").exists()
    with pytest.raises(TransitionNotAllowed):
        ticket_second_level_decide(request=request, approve=True, note="changed my mind", by=personas.agent_l1)


def test_second_level_request_rules(personas, ticket):
    with pytest.raises(TicketActionForbidden):
        ticket_request_second_level(ticket=ticket, reason="x", by=personas.customer_b)
    with pytest.raises(TicketActionForbidden):
        ticket_request_second_level(ticket=ticket, reason="x", by=personas.agent_l1)
    request = ticket_request_second_level(ticket=ticket, reason="x", by=personas.customer_a)
    with pytest.raises(TicketActionForbidden):
        ticket_second_level_decide(request=request, approve=True, note="yes", by=personas.customer_a)
    ticket_escalate(ticket=ticket, to_level="second", handover_note=NOTE, by=personas.agent_l1)
    assert SecondLevelRequest.objects.filter(decision="pending").count() == 1


# --- field edits --------------------------------------------------------------------------------


def test_update_recomputes_priority_and_records_each_field(personas, ticket):
    t = fresh(ticket)
    assert t.priority == "p4"
    ticket_update(
        ticket=t,
        by=personas.agent_l1,
        expected_version=t.version,
        urgency="high",
        impact="high",
        subject="Whole office cannot print",
    )
    t = fresh(ticket)
    assert (t.priority, t.subject) == ("p1", "Whole office cannot print")
    fields = set(HistoryEvent.objects.filter(ticket=t, action="changed").values_list("field", flat=True))
    assert {"urgency", "impact", "priority", "subject", "due_at"} <= fields


def test_update_refuses_protected_fields(personas, ticket):
    for field, value in (
        ("status", "closed"),
        ("organisation", personas.org_b),
        ("number", 1),
        ("level", "development"),
    ):
        with pytest.raises(ValidationFailed) as err:
            ticket_update(ticket=ticket, by=personas.agent_l1, **{field: value})
        assert err.value.code == "ticket.field_not_editable"
    t = fresh(ticket)
    assert (t.status, t.organisation, t.level) == ("new", personas.org_a, "first")


def test_update_without_change_writes_no_history(personas, ticket):
    t = fresh(ticket)
    ticket_update(ticket=t, by=personas.agent_l1, subject=t.subject)
    assert fresh(ticket).version == t.version
    assert HistoryEvent.objects.filter(ticket=t).count() == 1
