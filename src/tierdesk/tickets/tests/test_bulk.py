"""Bulk actions on a selection of tickets: each action through the service (a history row on
every ticket), all or nothing (a refusal half-way leaves every ticket as it was, with no
events), the limits of a selection, the endpoint's role matrix, and queries that grow linearly."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tierdesk.accounts.tests.api_support import ROLES, client_for, send
from tierdesk.core.errors import DomainError
from tierdesk.tickets.choices import Priority, Status
from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.services import (
    macro_create,
    ticket_assign,
    ticket_bulk_apply,
    ticket_resolve,
    ticket_update,
    ticket_wait,
)
from tierdesk.tickets.services.bulk import BulkFailed
from tierdesk.tickets.tests.api_support import ticket_state
from tierdesk.tickets.tests.factories import make_ticket


def three(personas: Any, **kwargs: Any) -> list[Ticket]:
    return [
        make_ticket(by=personas.customer_a, requester=personas.contact_a, subject=f"Scanner {i} jams", **kwargs)
        for i in range(3)
    ]


def numbers(tickets: list[Ticket]) -> list[int]:
    return [t.number for t in tickets]


def states(tickets: list[Ticket]) -> list[dict[str, Any]]:
    return [ticket_state(t) for t in tickets]


def history_fields(ticket: Ticket) -> list[str]:
    return list(ticket.history.order_by("pk").values_list("field", flat=True))


# --- each action, on three tickets ---------------------------------------------------------------


def _assign(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    return {"assignee": p.agent_l2.pk}


def _wait(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    return {"on": "customer", "note": "Asked for the model number"}


def _resume(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    for t in ts:
        ticket_wait(ticket=t, on="third_party", by=p.agent_l1)
    return {"note": "Vendor answered"}


def _resolve(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    return {"resolution": "Firmware updated on every unit."}


def _reopen(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    for t in ts:
        ticket_resolve(ticket=t, resolution="Replaced the roller.", by=p.agent_l1)
    return {"reason": "The jam is back after a day."}


def _priority(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    return {"priority": "p1"}


def _add_tags(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    return {"tags": ["Hardware", "floor-2"]}


def _remove_tags(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    for t in ts:
        ticket_update(ticket=t, by=p.agent_l1, tags=["hardware", "floor-2"])
    return {"tags": ["floor-2"]}


def _macro(p: Any, ts: list[Ticket]) -> dict[str, Any]:
    macro = macro_create(by=p.case_manager, name="Looking", language="en", body="Dear {customer_name}, on it.")
    return {"macro": macro.pk}


def _check_assign(p: Any, t: Ticket) -> None:
    assert t.assignee_id == p.agent_l2.pk
    assert "assignee" in history_fields(t)


def _check_wait(p: Any, t: Ticket) -> None:
    assert (t.status, t.waiting_on) == (Status.WAITING, "customer")
    assert t.paused_at is not None


def _check_open(p: Any, t: Ticket) -> None:
    assert t.status == Status.OPEN
    assert history_fields(t)[-1] == "status"


def _check_resolve(p: Any, t: Ticket) -> None:
    assert (t.status, t.resolution) == (Status.RESOLVED, "Firmware updated on every unit.")


def _check_priority(p: Any, t: Ticket) -> None:
    assert t.priority == Priority.P1
    assert "priority" in history_fields(t)


def _check_add_tags(p: Any, t: Ticket) -> None:
    assert sorted(t.tags.values_list("name", flat=True)) == ["floor-2", "hardware"]
    assert history_fields(t)[-1] == "tags"


def _check_remove_tags(p: Any, t: Ticket) -> None:
    assert list(t.tags.values_list("name", flat=True)) == ["hardware"]
    assert history_fields(t)[-1] == "tags"


def _check_macro(p: Any, t: Ticket) -> None:
    assert Comment.objects.filter(ticket=t, body="Dear Anna Vermeulen, on it.").count() == 1
    assert "macro" in history_fields(t)


ACTIONS = {
    "assign": (_assign, _check_assign),
    "wait": (_wait, _check_wait),
    "resume": (_resume, _check_open),
    "resolve": (_resolve, _check_resolve),
    "reopen": (_reopen, _check_open),
    "set_priority": (_priority, _check_priority),
    "add_tags": (_add_tags, _check_add_tags),
    "remove_tags": (_remove_tags, _check_remove_tags),
    "apply_macro": (_macro, _check_macro),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_changes_every_ticket_with_its_own_history(personas, action):
    # given three tickets in the state the action starts from
    tickets = three(personas)
    prepare, check = ACTIONS[action]
    params = prepare(personas, tickets)
    before = {t.pk: (t.history.count(), Ticket.objects.get(pk=t.pk).version) for t in tickets}
    # when the case manager applies it to the selection
    result = ticket_bulk_apply(by=personas.case_manager, numbers=numbers(tickets), action=action, params=params)
    # then each ticket changed through its own service: new version, new history rows by that user
    assert [t.number for t in result] == sorted(numbers(tickets))
    for ticket in tickets:
        fresh = Ticket.objects.get(pk=ticket.pk)
        check(personas, fresh)
        history_count, version = before[ticket.pk]
        assert fresh.version > version
        new_rows = fresh.history.order_by("pk")[history_count:]
        assert new_rows, action
        assert {row.actor_id for row in new_rows} == {personas.case_manager.pk}


def test_the_selection_is_changed_in_number_order_whatever_order_it_is_given(personas):
    # given
    tickets = three(personas)
    # when
    result = ticket_bulk_apply(
        by=personas.agent_l1, numbers=numbers(tickets)[::-1], action="assign", params={"assignee": personas.agent_l1.pk}
    )
    # then
    assert [t.number for t in result] == sorted(numbers(tickets))


# --- all or nothing ------------------------------------------------------------------------------


def test_a_resolve_that_fails_half_way_leaves_nothing_changed(personas, django_capture_on_commit_callbacks):
    # given three tickets, the second resolved already, one of them with a tag and an assignee
    tickets = three(personas)
    ticket_assign(ticket=tickets[0], assignee=personas.agent_l1, by=personas.agent_l1)
    ticket_resolve(ticket=tickets[1], resolution="Done before.", by=personas.agent_l1)
    before = states(tickets)
    # when resolving all three (the first succeeds before the second refuses)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(BulkFailed) as raised:
        ticket_bulk_apply(
            by=personas.agent_l1, numbers=numbers(tickets), action="resolve", params={"resolution": "All fixed."}
        )
    # then nothing changed on any ticket, nothing is sent, and the error names the ticket and why
    assert states(tickets) == before
    assert callbacks == []
    error = raised.value
    assert (error.code, error.number, error.cause_code) == (
        "bulk.failed",
        tickets[1].number,
        "ticket.transition_not_allowed",
    )
    assert f"#{tickets[1].number}" in str(error.message)
    assert error.cause_message in str(error.message)


def test_a_wait_where_the_third_is_resolved_changes_none(personas, django_capture_on_commit_callbacks):
    # given
    tickets = three(personas)
    ticket_resolve(ticket=tickets[2], resolution="Done before.", by=personas.agent_l1)
    before = states(tickets)
    # when
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(BulkFailed) as raised:
        ticket_bulk_apply(by=personas.agent_l1, numbers=numbers(tickets), action="wait", params={"on": "customer"})
    # then
    assert states(tickets) == before
    assert callbacks == []
    assert raised.value.number == tickets[2].number


def test_an_agent_assigning_to_a_colleague_fails_the_whole_selection(personas):
    # given
    tickets = three(personas)
    before = states(tickets)
    # when
    with pytest.raises(BulkFailed) as raised:
        ticket_bulk_apply(
            by=personas.agent_l1, numbers=numbers(tickets), action="assign", params={"assignee": personas.agent_l2.pk}
        )
    # then
    assert states(tickets) == before
    assert (raised.value.number, raised.value.cause_code) == (min(numbers(tickets)), "ticket.forbidden")


def test_events_go_out_after_commit_once_per_ticket(personas, django_capture_on_commit_callbacks):
    # given
    tickets = three(personas)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        ticket_bulk_apply(
            by=personas.agent_l1, numbers=numbers(tickets), action="resolve", params={"resolution": "All fixed."}
        )
        # then nothing was delivered inside the transaction...
        assert callbacks == []
    # ...and each ticket's status change was queued for after the commit
    assert len(callbacks) >= 3


# --- the selection ---------------------------------------------------------------------------------


def test_unknown_numbers_are_named_and_nothing_changes(personas):
    # given
    tickets = three(personas)
    before = states(tickets)
    unknown = max(numbers(tickets)) + 1000
    # when
    with pytest.raises(DomainError) as raised:
        ticket_bulk_apply(
            by=personas.agent_l1, numbers=[*numbers(tickets), unknown], action="set_priority", params={"priority": "p1"}
        )
    # then
    assert raised.value.code == "bulk.not_found"
    assert f"#{unknown}" in str(raised.value.message)
    assert states(tickets) == before


@pytest.mark.parametrize(("count", "code"), [(0, "bulk.empty"), (101, "bulk.too_many")], ids=["none", "more than 100"])
def test_selection_sizes_outside_1_to_100_are_refused(personas, count, code):
    with pytest.raises(DomainError) as raised:
        ticket_bulk_apply(
            by=personas.agent_l1, numbers=list(range(1, count + 1)), action="set_priority", params={"priority": "p1"}
        )
    assert raised.value.code == code


def test_duplicates_bad_actions_and_bad_params_are_refused_before_any_change(personas):
    # given
    tickets = three(personas)
    before = states(tickets)
    cases = [
        ([tickets[0].number, tickets[0].number], "set_priority", {"priority": "p1"}, "bulk.duplicate_numbers"),
        (numbers(tickets), "split", {}, "bulk.invalid_action"),
        (numbers(tickets), "merge", {}, "bulk.invalid_params"),
        (numbers(tickets), "merge", {"into": 999_999}, "ticket.unknown_number"),
        (numbers(tickets), "set_priority", {"priority": "urgent"}, "bulk.invalid_params"),
        (numbers(tickets), "wait", {"on": "moon"}, "bulk.invalid_params"),
        (numbers(tickets), "resolve", {"resolution": "  "}, "bulk.invalid_params"),
        (numbers(tickets), "add_tags", {"tags": []}, "bulk.invalid_params"),
        (numbers(tickets), "assign", {"assignee": personas.customer_a.pk}, "user.not_found"),
        (numbers(tickets), "apply_macro", {"macro": 999_999}, "macro.not_found"),
    ]
    for selection, action, params, code in cases:
        # when / then
        with pytest.raises(DomainError) as raised:
            ticket_bulk_apply(by=personas.agent_l1, numbers=selection, action=action, params=params)
        assert raised.value.code == code, (action, params)
    assert states(tickets) == before


def test_customers_cannot_change_tickets_in_bulk(personas):
    tickets = three(personas)
    before = states(tickets)
    with pytest.raises(DomainError) as raised:
        ticket_bulk_apply(by=personas.customer_a, numbers=numbers(tickets), action="reopen", params={"reason": "No."})
    assert raised.value.code == "bulk.forbidden"
    assert states(tickets) == before


# --- the endpoint ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_bulk_endpoint_roles(personas, who):
    # given
    tickets = three(personas)
    before = states(tickets)
    body = {"numbers": numbers(tickets), "action": "set_priority", "params": {"priority": "p2"}}
    # when
    response = send(client_for(getattr(personas, who)), "POST", "/tickets/bulk", body)
    # then
    expected = {"anonymous": 401, "agent_l1": 200, "case_manager": 200, "admin": 200}.get(who, 403)
    assert response.status_code == expected, response.content
    if expected != 200:
        assert states(tickets) == before
        return
    after = {t.pk: Ticket.objects.get(pk=t.pk) for t in tickets}
    assert response.json() == {
        "action": "set_priority",
        "tickets": [
            {"number": t.number, "version": after[t.pk].version} for t in sorted(tickets, key=lambda t: t.number)
        ],
    }
    assert {t.priority for t in after.values()} == {Priority.P2}


def test_bulk_endpoint_failure_names_the_ticket_and_changes_nothing(personas):
    # given
    tickets = three(personas)
    ticket_resolve(ticket=tickets[1], resolution="Done before.", by=personas.agent_l1)
    before = states(tickets)
    body = {"numbers": numbers(tickets), "action": "resolve", "params": {"resolution": "All fixed."}}
    # when
    response = send(client_for(personas.agent_l1), "POST", "/tickets/bulk", body)
    # then
    assert response.status_code == 409
    payload = response.json()
    assert (payload["code"], payload["number"], payload["reason_code"]) == (
        "bulk.failed",
        tickets[1].number,
        "ticket.transition_not_allowed",
    )
    assert states(tickets) == before


def test_bulk_endpoint_agent_assigning_to_others_is_refused_whole(personas):
    tickets = three(personas)
    before = states(tickets)
    body = {"numbers": numbers(tickets), "action": "assign", "params": {"assignee": personas.agent_l2.pk}}
    response = send(client_for(personas.agent_l1), "POST", "/tickets/bulk", body)
    assert response.status_code == 409
    assert response.json()["reason_code"] == "ticket.forbidden"
    assert states(tickets) == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"numbers": [], "action": "resume"}, 422, "invalid"),
        ({"numbers": list(range(1, 102)), "action": "resume"}, 422, "invalid"),
        ({"numbers": [1, 1], "action": "resume"}, 422, "invalid"),
        ({"numbers": [1], "action": "merge"}, 422, "invalid"),
        ({"numbers": [1], "action": "set_priority", "params": {"priority": "urgent"}}, 422, "invalid"),
        ({"numbers": [1], "action": "resolve", "params": {}}, 422, "invalid"),
        ({"numbers": [1], "action": "assign", "params": {"assignee": 1, "extra": 2}}, 422, "invalid"),
        ({"numbers": [1], "action": "add_tags", "params": {"tags": "vip"}}, 422, "invalid"),
        ({"numbers": [999_999], "action": "resume"}, 404, "bulk.not_found"),
    ],
    ids=["empty", "101", "duplicate", "merge", "bad priority", "no resolution", "extra param", "tags text", "unknown"],
)
def test_bulk_endpoint_validation(personas, body, status, code):
    tickets = three(personas)
    before = states(tickets)
    response = send(client_for(personas.case_manager), "POST", "/tickets/bulk", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert states(tickets) == before


# --- queries -------------------------------------------------------------------------------------


def test_queries_grow_linearly_with_the_selection(personas):
    # given selections of 2, 4 and 6 like tickets
    def queries_for(count: int) -> int:
        selection = [make_ticket(by=personas.customer_a, requester=personas.contact_a) for _ in range(count)]
        with CaptureQueriesContext(connection) as ctx:
            ticket_bulk_apply(
                by=personas.case_manager,
                numbers=numbers(selection),
                action="assign",
                params={"assignee": personas.agent_l2.pk},
            )
        return len(ctx.captured_queries)

    # when
    two, four, six = queries_for(2), queries_for(4), queries_for(6)
    # then each further ticket costs the same, and not much
    per_ticket = (four - two) // 2
    assert six - four == four - two
    assert per_ticket <= 20
