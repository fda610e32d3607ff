"""The ticket page /desk/tickets/<number>/ and every form on it: success, domain refusal
(status, code, nothing changed), version conflicts, htmx fragments and access."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.choices import Level, Priority, SecondLevelDecision, Status, WaitingOn
from tierdesk.tickets.models import Attachment, Comment, HistoryEvent, SecondLevelRequest, Ticket, TimeEntry
from tierdesk.tickets.services import (
    ticket_comment_add,
    ticket_confirm,
    ticket_request_second_level,
    ticket_resolve,
    ticket_take,
    ticket_wait,
)
from tierdesk.tickets.tests.factories import make_ticket

HANDOVER = "Driver reinstalled twice, the spooler still stops."


def page_url(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


def action_url(ticket: Ticket, action: str) -> str:
    return f"/desk/tickets/{ticket.number}/{action}/"


@dataclass(frozen=True)
class Snapshot:
    """Everything a ticket form may change; equal snapshots mean nothing changed."""

    version: int
    status: str
    level: str
    assignee_id: int | None
    priority: str
    history: int
    comments: int
    time_entries: int
    attachments: int
    decisions: tuple[str, ...]


def snapshot(ticket: Ticket) -> Snapshot:
    row = Ticket.objects.get(pk=ticket.pk)
    return Snapshot(
        version=row.version,
        status=row.status,
        level=row.level,
        assignee_id=row.assignee_id,
        priority=row.priority,
        history=HistoryEvent.objects.filter(ticket=row).count(),
        comments=Comment.objects.filter(ticket=row).count(),
        time_entries=TimeEntry.objects.filter(ticket=row).count(),
        attachments=Attachment.objects.filter(ticket=row).count(),
        decisions=tuple(SecondLevelRequest.objects.filter(ticket=row).values_list("decision", flat=True)),
    )


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer offline on floor 2")


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def post(client: Client, ticket: Ticket, action: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    payload = {"version": fresh(ticket).version, **(data or {})}
    return client.post(action_url(ticket, action), payload, **extra)


# --- the page -----------------------------------------------------------------------------


def test_page_shows_the_header_and_the_forms(client, personas, ticket):
    # when
    response = as_user(client, personas.case_manager).get(page_url(ticket))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="ticket-number">#{ticket.number}<' in html
    assert 'data-testid="ticket-subject">Printer offline on floor 2<' in html
    assert f'href="/desk/organisations/{personas.org_a.pk}/" data-testid="ticket-organisation"' in html
    assert "Anna Vermeulen" in html
    assert 'data-testid="ticket-level">First level<' in html
    assert 'data-testid="ticket-version">1<' in html
    for testid in (
        "reply-form",
        "take-button",
        "assign-form",
        "escalate-form",
        "wait-form",
        "resolve-form",
        "time-form",
        "priority-form",
        "attachment-form",
    ):
        assert f'data-testid="{testid}"' in html, testid
    assert html.count('name="version" value="1"') == html.count('name="csrfmiddlewaretoken"') - 2  # header forms
    assert 'data-shortcut="reply"' in html


def test_agent_without_case_manager_role_gets_take_but_not_assign(client, personas, ticket):
    # when
    html = as_user(client, personas.agent_l1).get(page_url(ticket)).content.decode()
    # then
    assert 'data-testid="take-button"' in html
    assert 'data-testid="assign-form"' not in html


def test_internal_notes_are_visibly_marked_in_the_timeline(client, personas, ticket):
    # given a public reply and an internal note
    public = ticket_comment_add(ticket=ticket, body="We are on it.", by=personas.agent_l1)
    internal = ticket_comment_add(
        ticket=fresh(ticket), body="Customer runs an old driver.", by=personas.agent_l1, is_internal=True
    )
    # when
    html = as_user(client, personas.agent_l1).get(page_url(ticket)).content.decode()
    # then
    internal_start = html.index(f'data-testid="timeline-comment-{internal.pk}"')
    public_start = html.index(f'data-testid="timeline-comment-{public.pk}"')
    assert 'data-internal="true"' in html[internal_start - 120 : internal_start + 60]
    assert 'data-internal="true"' not in html[public_start - 120 : public_start + 60]
    internal_entry = html[internal_start : html.index("</li>", internal_start)]
    assert 'data-testid="internal-marker"' in internal_entry
    assert "Customer runs an old driver." in internal_entry
    assert public_start < internal_start  # oldest first


def test_timeline_interleaves_comments_and_events_by_time(client, personas, ticket):
    # given: created (event), reply (comment), wait (event)
    reply = ticket_comment_add(ticket=ticket, body="Please restart it.", by=personas.agent_l1)
    ticket_wait(ticket=fresh(ticket), on=WaitingOn.CUSTOMER, by=personas.agent_l1)
    events = list(HistoryEvent.objects.filter(ticket=ticket).order_by("at", "id"))
    created, waiting = events[0], events[-1]
    # when
    html = as_user(client, personas.agent_l1).get(page_url(ticket)).content.decode()
    # then
    positions = [
        html.index(f'data-testid="timeline-event-{created.pk}"'),
        html.index(f'data-testid="timeline-comment-{reply.pk}"'),
        html.index(f'data-testid="timeline-event-{waiting.pk}"'),
    ]
    assert positions == sorted(positions)


def test_a_handover_note_is_shown_once(client, personas, ticket):
    # given the escalation stores the note as an internal comment and on its history row
    post(as_user(client, personas.agent_l1), ticket, "escalate", {"to_level": "second", "handover_note": HANDOVER})
    # when
    html = client.get(page_url(ticket)).content.decode()
    # then
    assert html.count(HANDOVER) == 1


def test_unknown_ticket_is_404(client, personas):
    assert as_user(client, personas.agent_l1).get("/desk/tickets/999999/").status_code == 404


def test_unknown_action_is_404_and_changes_nothing(client, personas, ticket):
    # given
    before = snapshot(ticket)
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "delete")
    # then
    assert response.status_code == 404
    assert snapshot(ticket) == before


def test_page_query_count_does_not_grow_with_the_history(client, personas, ticket):
    # given one reply (so the per-comment attachment prefetch runs in both measurements)
    ticket_comment_add(ticket=ticket, body="First answer", by=personas.agent_l1)
    client = as_user(client, personas.case_manager)
    # (12, plus 2 for the Links panel: the ticket's links, then its parent, children and linked tickets;
    # plus 3 for the Followers panel: its followers, the colleagues and the contacts to add;
    # plus 2 for the Checklist panel: its items with who ticked them, the templates to apply;
    # plus 2 for the Custom fields panel: the ticket's values, the fields that apply;
    # plus 3 for the Appointments panel: its appointments, the agents and the contacts to invite)
    with assert_max_queries(24) as few:
        client.get(page_url(ticket))
    for i in range(15):
        ticket_comment_add(ticket=fresh(ticket), body=f"Update {i}", by=personas.agent_l1, is_internal=i % 2 == 0)
        ticket_wait(
            ticket=fresh(ticket), on=WaitingOn.THIRD_PARTY if i % 2 else WaitingOn.CUSTOMER, by=personas.agent_l1
        )
    # when
    with assert_max_queries(24) as many:
        client.get(page_url(ticket))
    # then
    assert len(many.captured_queries) == len(few.captured_queries)


# --- every form: success ------------------------------------------------------------------


def test_public_reply_is_saved_and_redirects_back(client, personas, ticket):
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "reply", {"body": "We are looking into it."})
    # then
    assert response.status_code == 302
    assert response["Location"] == page_url(ticket)
    comment = Comment.objects.get(ticket=ticket, author=personas.agent_l1)
    assert (comment.body, comment.is_internal) == ("We are looking into it.", False)
    assert fresh(ticket).status == Status.OPEN


def test_internal_note_is_saved_as_internal(client, personas, ticket):
    # when
    response = post(
        as_user(client, personas.agent_l1), ticket, "reply", {"body": "Call back after 3.", "is_internal": "on"}
    )
    # then
    assert response.status_code == 302
    comment = Comment.objects.get(ticket=ticket, author=personas.agent_l1)
    assert (comment.body, comment.is_internal) == ("Call back after 3.", True)


def test_take_and_release(client, personas, ticket):
    # given
    client = as_user(client, personas.agent_l1)
    # when / then
    assert post(client, ticket, "take").status_code == 302
    assert fresh(ticket).assignee == personas.agent_l1
    assert 'data-testid="release-button"' in client.get(page_url(ticket)).content.decode()
    assert post(client, ticket, "release").status_code == 302
    assert fresh(ticket).assignee is None


def test_case_manager_assigns_any_agent(client, personas, ticket):
    # when
    response = post(as_user(client, personas.case_manager), ticket, "assign", {"assignee": personas.agent_l2.pk})
    # then
    assert response.status_code == 302
    assert fresh(ticket).assignee == personas.agent_l2


def test_escalate_to_second_level_with_handover_note(client, personas, ticket):
    # when
    response = post(
        as_user(client, personas.agent_l1), ticket, "escalate", {"to_level": "second", "handover_note": HANDOVER}
    )
    # then
    assert response.status_code == 302
    row = fresh(ticket)
    assert row.level == Level.SECOND
    assert Comment.objects.get(ticket=ticket, body=HANDOVER).is_internal is True


def test_escalate_to_development_with_bug_reference(client, personas, ticket):
    # when
    response = post(
        as_user(client, personas.agent_l2),
        ticket,
        "escalate",
        {
            "to_level": "development",
            "handover_note": HANDOVER,
            "bug_key": "BUG-42",
            "bug_url": "https://bugs.example.org/42",
        },
    )
    # then
    assert response.status_code == 302
    row = fresh(ticket)
    assert (row.level, row.bug_key, row.bug_url) == (Level.DEVELOPMENT, "BUG-42", "https://bugs.example.org/42")


def test_wait_on_the_customer_then_resume(client, personas, ticket):
    # given
    client = as_user(client, personas.agent_l1)
    # when
    assert post(client, ticket, "wait", {"on": "customer", "note": "Asked for a photo."}).status_code == 302
    # then
    row = fresh(ticket)
    assert (row.status, row.waiting_on) == (Status.WAITING, WaitingOn.CUSTOMER)
    assert 'data-testid="resume-form"' in client.get(page_url(ticket)).content.decode()
    # when
    assert post(client, ticket, "resume", {"note": "Photo received."}).status_code == 302
    # then
    row = fresh(ticket)
    assert (row.status, row.waiting_on) == (Status.OPEN, "")


def test_log_time(client, personas, ticket):
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "time", {"minutes": "25", "note": "Remote session"})
    # then
    assert response.status_code == 302
    entry = TimeEntry.objects.get(ticket=ticket)
    assert (entry.minutes, entry.note, entry.is_billable, entry.user) == (
        25,
        "Remote session",
        False,
        personas.agent_l1,
    )


def test_log_billable_time(client, personas, ticket):
    # when
    post(as_user(client, personas.agent_l1), ticket, "time", {"minutes": "10", "is_billable": "on"})
    # then
    assert TimeEntry.objects.get(ticket=ticket).is_billable is True


def test_resolve_then_confirm_on_behalf(client, personas, ticket):
    # given
    client = as_user(client, personas.agent_l1)
    # when
    assert post(client, ticket, "resolve", {"resolution": "Replaced the toner."}).status_code == 302
    # then
    row = fresh(ticket)
    assert (row.status, row.resolution) == (Status.RESOLVED, "Replaced the toner.")
    html = client.get(page_url(ticket)).content.decode()
    assert 'data-testid="confirm-form"' in html
    assert 'data-testid="reopen-form"' in html
    # when
    assert post(client, ticket, "confirm", {"note": "Confirmed by phone."}).status_code == 302
    # then
    assert fresh(ticket).status == Status.CLOSED


def test_reopen_a_resolved_ticket(client, personas, ticket):
    # given
    ticket_resolve(ticket=ticket, resolution="Restarted.", by=personas.agent_l1)
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "reopen", {"reason": "It failed again at noon."})
    # then
    assert response.status_code == 302
    assert fresh(ticket).status == Status.OPEN


def test_edit_urgency_and_impact_recomputes_priority(client, personas, ticket):
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "priority", {"urgency": "high", "impact": "high"})
    # then
    assert response.status_code == 302
    row = fresh(ticket)
    assert (row.urgency, row.impact, row.priority) == ("high", "high", Priority.P1)


def test_upload_attachment(client, personas, ticket):
    # given
    upload = SimpleUploadedFile("error log.txt", b"spooler stopped", content_type="text/plain")
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "attach", {"file": upload, "is_internal": "on"})
    # then
    assert response.status_code == 302
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.filename, attachment.size, attachment.is_internal) == ("error log.txt", 15, True)
    assert f'data-testid="attachment-{attachment.pk}"' in client.get(page_url(ticket)).content.decode()


@pytest.fixture
def second_level_request(personas, ticket) -> SecondLevelRequest:
    return ticket_request_second_level(ticket=ticket, reason="First level could not fix it.", by=personas.customer_a)


def test_page_offers_the_pending_second_level_decision(client, personas, ticket, second_level_request):
    # when
    html = as_user(client, personas.agent_l1).get(page_url(ticket)).content.decode()
    # then
    assert 'data-testid="second-level-form"' in html
    assert f'name="request" value="{second_level_request.pk}"' in html
    assert "First level could not fix it." in html


def test_approve_a_second_level_request(client, personas, ticket, second_level_request):
    # when
    response = post(
        as_user(client, personas.agent_l1),
        ticket,
        "decide",
        {"request": second_level_request.pk, "decision": "approve", "note": HANDOVER},
    )
    # then
    assert response.status_code == 302
    second_level_request.refresh_from_db()
    assert second_level_request.decision == SecondLevelDecision.APPROVED
    assert fresh(ticket).level == Level.SECOND


def test_decline_a_second_level_request(client, personas, ticket, second_level_request):
    # when
    response = post(
        as_user(client, personas.agent_l1),
        ticket,
        "decide",
        {"request": second_level_request.pk, "decision": "decline", "note": "We need the log first."},
    )
    # then
    assert response.status_code == 302
    second_level_request.refresh_from_db()
    assert second_level_request.decision == SecondLevelDecision.DECLINED
    assert fresh(ticket).level == Level.FIRST
    assert Comment.objects.get(ticket=ticket, body="We need the log first.").is_internal is False


def test_deciding_a_request_of_another_ticket_is_404(client, personas, ticket, second_level_request):
    # given
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    before = snapshot(ticket)
    # when
    response = post(
        as_user(client, personas.agent_l1),
        other,
        "decide",
        {"request": second_level_request.pk, "decision": "approve", "note": HANDOVER},
    )
    # then
    assert response.status_code == 404
    assert snapshot(ticket) == before


# --- every form: a domain refusal re-renders with status and code, and changes nothing ----


def _resolved(personas: Any, ticket: Ticket) -> None:
    ticket_resolve(ticket=ticket, resolution="Restarted.", by=personas.agent_l1)


def _closed(personas: Any, ticket: Ticket) -> None:
    ticket_resolve(ticket=ticket, resolution="Restarted.", by=personas.agent_l1)
    ticket_confirm(ticket=fresh(ticket), by=personas.agent_l1)


def _taken_by_l2(personas: Any, ticket: Ticket) -> None:
    ticket_take(ticket=ticket, by=personas.agent_l2)


def _nothing(personas: Any, ticket: Ticket) -> None:
    return None


@dataclass(frozen=True)
class Refusal:
    action: str
    data: dict[str, Any]
    status: int
    code: str
    persona: str = "agent_l1"
    given: Callable[[Any, Ticket], None] = _nothing


REFUSALS = {
    "reply-empty": Refusal("reply", {"body": "   "}, 422, "comment.empty"),
    "take-closed": Refusal("take", {}, 409, "ticket.transition_not_allowed", given=_closed),
    "release-not-mine": Refusal("release", {}, 403, "ticket.forbidden", given=_taken_by_l2),
    "assign-by-agent": Refusal("assign", {"assignee": "AGENT_L2"}, 403, "ticket.forbidden"),
    "escalate-short-note": Refusal(
        "escalate", {"to_level": "second", "handover_note": "too short"}, 422, "ticket.handover_note_required"
    ),
    "escalate-dev-no-bug": Refusal(
        "escalate", {"to_level": "development", "handover_note": HANDOVER}, 422, "ticket.bug_reference_required"
    ),
    "wait-resolved": Refusal("wait", {"on": "customer"}, 409, "ticket.transition_not_allowed", given=_resolved),
    "resume-not-waiting": Refusal("resume", {}, 409, "ticket.transition_not_allowed"),
    "time-zero": Refusal("time", {"minutes": "0"}, 422, "time_entry.invalid"),
    "resolve-empty": Refusal("resolve", {"resolution": ""}, 422, "ticket.resolution_required"),
    "reopen-open": Refusal("reopen", {"reason": "Still broken."}, 409, "ticket.transition_not_allowed"),
    "confirm-open": Refusal("confirm", {}, 409, "ticket.transition_not_allowed"),
    "attach-empty": Refusal("attach", {"file": "EMPTY_FILE"}, 422, "attachment.empty"),
    "decide-no-note": Refusal(
        "decide", {"request": "REQUEST", "decision": "approve", "note": ""}, 422, "ticket.decision_note_required"
    ),
}


def _resolve_placeholders(data: dict[str, Any], personas: Any, ticket: Ticket) -> dict[str, Any]:
    resolved = dict(data)
    if resolved.get("assignee") == "AGENT_L2":
        resolved["assignee"] = personas.agent_l2.pk
    if resolved.get("file") == "EMPTY_FILE":
        resolved["file"] = SimpleUploadedFile("empty.txt", b"", content_type="text/plain")
    if resolved.get("request") == "REQUEST":
        resolved["request"] = ticket_request_second_level(ticket=ticket, reason="Please.", by=personas.customer_a).pk
    return resolved


@pytest.mark.parametrize("case", list(REFUSALS.values()), ids=list(REFUSALS))
def test_domain_refusal_shows_message_and_code_and_changes_nothing(client, personas, ticket, case):
    # given
    case.given(personas, fresh(ticket))
    data = _resolve_placeholders(case.data, personas, fresh(ticket))
    before = snapshot(ticket)
    # when
    response = post(as_user(client, getattr(personas, case.persona)), ticket, case.action, data)
    # then
    assert response.status_code == case.status
    html = response.content.decode()
    assert f'data-error-code="{case.code}"' in html
    assert f"<code>{case.code}</code>" in html
    assert "<html" in html  # the full page again, the agent's input kept
    assert snapshot(ticket) == before


def test_too_large_attachment_is_413_and_changes_nothing(client, personas, ticket, settings):
    # given a limit of 4 bytes
    settings.TIERDESK_MAX_ATTACHMENT_BYTES = 4
    before = snapshot(ticket)
    # when
    upload = SimpleUploadedFile("big.bin", b"12345")
    response = post(as_user(client, personas.agent_l1), ticket, "attach", {"file": upload})
    # then
    assert response.status_code == 413
    assert 'data-error-code="attachment.too_large"' in response.content.decode()
    assert snapshot(ticket) == before


def test_refusal_keeps_the_typed_text_and_marks_the_field(client, personas, ticket):
    # when
    response = post(
        as_user(client, personas.agent_l1), ticket, "escalate", {"to_level": "second", "handover_note": "too short"}
    )
    # then
    html = response.content.decode()
    assert ">\ntoo short</textarea>" in html
    form = html[html.index('data-testid="escalate-form"') :]
    assert 'class="field has-error"' in form[: form.index("</form>")]


def test_invalid_input_is_422_with_field_errors_and_changes_nothing(client, personas, ticket):
    # given
    before = snapshot(ticket)
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "time", {"minutes": "twenty"})
    # then
    assert response.status_code == 422
    assert 'data-testid="form-invalid"' in response.content.decode()
    assert snapshot(ticket) == before


def test_missing_version_is_422_and_changes_nothing(client, personas, ticket):
    # given
    before = snapshot(ticket)
    # when
    response = as_user(client, personas.agent_l1).post(action_url(ticket, "reply"), {"body": "Hello"})
    # then
    assert response.status_code == 422
    assert snapshot(ticket) == before


# --- version conflicts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("reply", {"body": "Answer to an old state"}),
        ("take", {}),
        ("resolve", {"resolution": "Fixed."}),
        ("priority", {"urgency": "high", "impact": "low"}),
        ("time", {"minutes": "5"}),
        ("attach", {"file": "FILE"}),
    ],
)
def test_stale_version_is_a_409_conflict_with_a_reload_hint(client, personas, ticket, action, data):
    # given the agent loaded version 1, then a colleague replied (version 2)
    stale = fresh(ticket).version
    ticket_comment_add(ticket=ticket, body="Colleague was quicker.", by=personas.agent_l2)
    before = snapshot(ticket)
    if data.get("file") == "FILE":
        data = {**data, "file": SimpleUploadedFile("a.txt", b"abc")}
    # when
    response = as_user(client, personas.agent_l1).post(action_url(ticket, action), {"version": stale, **data})
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-error-code="ticket.version_conflict"' in html
    assert "changed by someone else" in html
    assert 'data-testid="reload-link"' in html
    assert snapshot(ticket) == before


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_post_answers_with_the_fresh_ticket_fragment(client, personas, ticket):
    # when
    response = post(as_user(client, personas.agent_l1), ticket, "take", headers={"HX-Request": "true"})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket"')
    assert "<html" not in html
    assert 'data-testid="notice"' in html
    assert f'name="version" value="{fresh(ticket).version}"' in html
    assert 'data-testid="release-button"' in html


def test_htmx_refusal_answers_with_the_fragment_and_the_error_status(client, personas, ticket):
    # given
    before = snapshot(ticket)
    # when
    response = post(
        as_user(client, personas.agent_l1), ticket, "resolve", {"resolution": ""}, headers={"HX-Request": "true"}
    )
    # then
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket"')
    assert 'data-error-code="ticket.resolution_required"' in html
    assert snapshot(ticket) == before


def test_forms_post_to_their_action_with_htmx_and_without(client, personas, ticket):
    # when
    html = as_user(client, personas.agent_l1).get(page_url(ticket)).content.decode()
    # then
    url = action_url(ticket, "resolve")
    assert f'action="{url}" hx-post="{url}" hx-target="#ticket"' in html


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_cannot_post_ticket_forms(client, personas, ticket, persona):
    # given
    before = snapshot(ticket)
    # when
    response = post(
        as_user(client, getattr(personas, persona)), ticket, "reply", {"body": "Sneaky", "is_internal": "on"}
    )
    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_customers_are_sent_away_from_the_ticket_page(client, personas, ticket):
    # when
    response = as_user(client, personas.customer_a).get(page_url(ticket))
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client, ticket):
    # given
    before = snapshot(ticket)
    # when
    response = client.post(action_url(ticket, "resolve"), {"version": 1, "resolution": "x"})
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert snapshot(ticket) == before


def test_post_without_csrf_token_is_refused(personas, ticket):
    # given a client that enforces CSRF like a browser
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.agent_l1)
    before = snapshot(ticket)
    # when
    response = client.post(action_url(ticket, "take"), {"version": 1})
    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before
