"""The automation rules API, /api/v1/rules: a role matrix per endpoint (administrators only; everybody
else 403 before an id is looked at, like the SLA policies), validation with codes and field paths in
JSON and in the text syntax (with line numbers), optimistic locking, the firing figures and firings,
the vocabulary, restoring the shipped rules, a query ceiling on the list, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.automation.actions import ACTION_TYPES
from tierdesk.tickets.automation.fields import FIELDS
from tierdesk.tickets.automation.seeds import SEED_RULES
from tierdesk.tickets.automation.syntax import parse_actions
from tierdesk.tickets.models import Rule, RuleFiring, Ticket
from tierdesk.tickets.services.rules import rule_create
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.tests.rule_support import fire, rule_rows

pytestmark = pytest.mark.usefixtures("no_rules")

TAG_P1 = {
    "name": "Tag critical tickets",
    "trigger": "event",
    "events": ["created"],
    "conditions": [{"field": "priority", "op": "eq", "value": "p1"}],
    "actions": [{"type": "add_tag", "tag": "critical"}],
}


@pytest.fixture
def rule(personas: Any) -> Rule:
    return rule_create(by=personas.admin, **TAG_P1)


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Scanner jams on tray 2")


def admin_only(who: str, success: int) -> int:
    return {"anonymous": 401, "admin": success}.get(who, 403)


# --- the role matrix ------------------------------------------------------------------------------

# (method, path with {id} for the fixture rule, body, status for the admin)
ENDPOINTS: list[tuple[str, str, Any, int]] = [
    ("GET", "/rules", None, 200),
    ("POST", "/rules", {**TAG_P1, "name": "Another rule"}, 201),
    ("GET", "/rules/vocabulary", None, 200),
    ("POST", "/rules/seed", None, 200),
    ("GET", "/rules/{id}", None, 200),
    ("PATCH", "/rules/{id}", {"is_enabled": False}, 200),
    ("DELETE", "/rules/{id}", None, 204),
    ("GET", "/rules/{id}/firings", None, 200),
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "success"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_every_endpoint_is_for_admins_only(personas, rule, who, method, path, body, success):
    # given
    before = rule_rows()
    # when
    response = send(client_for(getattr(personas, who)), method, path.format(id=rule.pk), body)
    # then
    expected = admin_only(who, success)
    assert response.status_code == expected, response.content
    if expected != success:
        assert rule_rows() == before
        assert response.json()["code"] == ("auth.required" if who == "anonymous" else "rule.forbidden")


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "customer_admin_a"])
def test_others_are_refused_before_the_id_is_looked_at(personas, who):
    # an unknown id is 403 too: nothing about which rules exist leaks
    response = send(client_for(getattr(personas, who)), "GET", "/rules/999999")
    assert (response.status_code, response.json()["code"]) == (403, "rule.forbidden")


def test_an_unknown_rule_is_404_for_admins(personas):
    client = client_for(personas.admin)
    for method in ("GET", "PATCH", "DELETE"):
        response = send(client, method, "/rules/999999", {} if method == "PATCH" else None)
        assert (response.status_code, response.json()["code"]) == (404, "rule.not_found")
    response = send(client, "GET", "/rules/999999/firings")
    assert (response.status_code, response.json()["code"]) == (404, "rule.not_found")


def test_a_bearer_token_of_an_admin_works_and_one_of_an_agent_does_not(personas, rule):
    assert send(token_client(personas.admin), "GET", "/rules").status_code == 200
    assert send(token_client(personas.agent_l1), "GET", "/rules").status_code == 403


# --- reading ----------------------------------------------------------------------------------------


def test_a_rule_reads_with_its_texts_and_figures(personas, rule, ticket):
    # given two firings, one failed
    fire(rule, ticket, "s1", minutes_ago=30)
    latest = fire(rule, ticket, "s2", minutes_ago=5, failed=True)
    # when
    body = send(client_for(personas.admin), "GET", f"/rules/{rule.pk}").json()
    # then
    assert body == {
        "id": rule.pk,
        "key": None,
        "name": "Tag critical tickets",
        "description": "",
        "trigger": "event",
        "events": ["created"],
        "conditions": [{"field": "priority", "op": "eq", "value": "p1"}],
        "actions": [{"type": "add_tag", "tag": "critical"}],
        "conditions_text": "priority = p1",
        "actions_text": "add tag critical",
        "is_enabled": True,
        "position": 100,
        "version": 1,
        "firing_count": 2,
        "failed_count": 1,
        "last_fired_at": body["last_fired_at"],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["last_fired_at"].startswith(RuleFiring.objects.get(pk=latest.pk).fired_at.strftime("%Y-%m-%dT%H:%M"))


def test_the_list_is_in_running_order_and_paginated(personas):
    # given three rules at positions 30, 10, 20
    for name, position in (("Third", 30), ("First", 10), ("Second", 20)):
        rule_create(by=personas.admin, **{**TAG_P1, "name": name, "position": position})
    # when
    body = send(client_for(personas.admin), "GET", "/rules?limit=2&offset=1").json()
    # then
    assert (body["count"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [item["name"] for item in body["items"]] == ["Second", "Third"]


def test_the_list_has_a_query_ceiling_whatever_the_number_of_rules_and_firings(personas, ticket):
    # given 12 rules with two firings each
    for number in range(12):
        made = rule_create(by=personas.admin, **{**TAG_P1, "name": f"Rule {number:02d}"})
        fire(made, ticket, "s1", minutes_ago=10)
        fire(made, ticket, "s2", minutes_ago=5, failed=True)
    client = client_for(personas.admin)
    # when: session, user, count, rows (with the figures aggregated in the same query)
    with assert_max_queries(4):
        response = send(client, "GET", "/rules")
    # then
    items = response.json()["items"]
    assert len(items) == 12
    assert {(item["firing_count"], item["failed_count"]) for item in items} == {(2, 1)}


def test_firings_are_the_latest_first_with_the_ticket(personas, rule, ticket):
    # given
    older = fire(rule, ticket, "state-a", minutes_ago=60)
    newer = fire(rule, ticket, "state-b", minutes_ago=1, failed=True)
    client = client_for(personas.admin)
    # when
    body = send(client, "GET", f"/rules/{rule.pk}/firings").json()
    limited = send(client, "GET", f"/rules/{rule.pk}/firings?limit=1").json()
    # then
    assert [(item["id"], item["state_key"], item["outcome"]) for item in body] == [
        (newer.pk, "state-b", "failed"),
        (older.pk, "state-a", "done"),
    ]
    assert body[0]["ticket_number"] == ticket.number
    assert body[0]["ticket_reference"] == ticket.reference
    assert body[0]["detail"] == "ticket.transition_not_allowed: closed already"
    assert [item["id"] for item in limited] == [newer.pk]
    assert send(client, "GET", f"/rules/{rule.pk}/firings?limit=0").status_code == 422


@pytest.mark.parametrize(
    ("part", "field"),
    [
        ({"actions": [{"type": "add_note", "text": "Line one\nLine two"}]}, "actions[0].text"),
        ({"conditions": [{"field": "category", "op": "eq", "value": "Print\ning"}]}, "conditions[0].value"),
    ],
)
def test_a_line_break_in_a_rule_text_is_refused(personas, part, field):
    # given a text of two lines, which JSON can hold and the line-based text syntax cannot
    body = {**TAG_P1, **part}
    # when
    response = send(client_for(personas.admin), "POST", "/rules", body)
    # then
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == ("rule.invalid", field)


# --- creating -----------------------------------------------------------------------------------


def test_admin_creates_a_rule_in_the_text_syntax(personas):
    # given
    body = {
        "name": "Escalate quiet VIP tickets",
        "trigger": "time",
        "conditions_text": "# VIP customers wait less\nlevel = first AND tags contains vip\n\nminutes_at_level >= 20",
        "actions_text": 'escalate to second\nnotify case_manager "VIP ticket escalated"',
        "position": 5,
    }
    # when
    response = send(client_for(personas.admin), "POST", "/rules", body)
    # then
    assert response.status_code == 201, response.json()
    rule = Rule.objects.get()
    assert rule.conditions == [
        {"field": "level", "op": "eq", "value": "first"},
        {"field": "tags", "op": "contains", "value": "vip"},
        {"field": "minutes_at_level", "op": "gte", "value": 20},
    ]
    assert rule.actions == [
        {"type": "escalate", "to_level": "second"},
        {"type": "notify", "to": "case_manager", "message": "VIP ticket escalated"},
    ]
    assert response.json()["conditions_text"] == "level = first\ntags contains vip\nminutes_at_level >= 20"
    assert (response.json()["id"], response.json()["firing_count"], rule.created_by) == (rule.pk, 0, personas.admin)


def test_a_rule_without_conditions_applies_to_every_ticket(personas):
    body = {"name": "Note every ticket", "trigger": "event", "events": ["created"], "actions_text": "add note hello"}
    response = send(client_for(personas.admin), "POST", "/rules", body)
    assert response.status_code == 201, response.json()
    assert (response.json()["conditions"], response.json()["conditions_text"]) == ([], "")


RULE_ERRORS: list[tuple[dict[str, Any], str, str, str]] = [
    # (changes to TAG_P1, code, field, words of the message)
    ({"name": " "}, "rule.invalid", "name", "name"),
    ({"trigger": "sometimes"}, "rule.invalid", "trigger", "event or time"),
    ({"events": []}, "rule.invalid", "events", "needs events"),
    ({"events": ["exploded"]}, "rule.invalid", "events", "needs events"),
    ({"trigger": "time", "events": []}, "rule.invalid", "conditions", "time rule needs a condition"),
    ({"position": 10_001}, "rule.invalid", "position", "0 to 10000"),
    (
        {"conditions": [{"field": "colour", "op": "eq", "value": "red"}]},
        "rule.invalid",
        "conditions[0].field",
        "colour",
    ),
    ({"conditions": [{"field": "level", "op": "gt", "value": "first"}]}, "rule.invalid", "conditions[0].op", "level"),
    (
        {"conditions": [{"field": "level", "op": "eq", "value": "first"}, {"field": "status", "op": "eq", "value": 3}]},
        "rule.invalid",
        "conditions[1].value",
        "status is one of",
    ),
    ({"conditions": {"field": "level"}}, "invalid", "conditions", "list"),
    ({"actions": []}, "rule.invalid", "actions", "at least one action"),
    ({"actions": [{"type": "explode"}]}, "rule.invalid", "actions[0].type", "Unknown action"),
    ({"actions": [{"type": "notify", "to": "user:nobody"}]}, "rule.invalid", "actions[0].to", "nobody"),
    ({"actions": [{"type": "assign", "user": "anna"}]}, "rule.invalid", "actions[0].user", "anna"),  # a customer
    ({"name": "x" * 201}, "invalid", "name", "200"),
]


@pytest.mark.parametrize(("changes", "code", "field", "words"), RULE_ERRORS)
def test_create_refuses_a_bad_rule_naming_the_field(personas, changes, code, field, words):
    # when
    response = send(client_for(personas.admin), "POST", "/rules", {**TAG_P1, **changes})
    # then
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert words in response.json()["message"]
    assert not Rule.objects.exists()


TEXT_ERRORS: list[tuple[dict[str, Any], str, str]] = [
    # (text fields, field, message): syntax problems and vocabulary problems both name the line
    ({"conditions_text": "level = first\nstatus in (new, open"}, "conditions_text", 'line 2: expected "," or ")"'),
    ({"conditions_text": "level = first\n\n# comment\nstatus = bogus"}, "conditions_text", "line 4: status is one"),
    ({"conditions_text": "level = first AND colour = red"}, "conditions_text", "line 1: Unknown field “colour”"),
    ({"actions_text": "add tag vip\nexplode now"}, "actions_text", 'line 2: unknown action "explode"'),
    ({"actions_text": "add tag vip\nescalate to first"}, "actions_text", "line 2: Escalate to second or development"),
    ({"actions_text": "# nothing yet"}, "actions_text", "A rule needs at least one action."),
]


@pytest.mark.parametrize(("texts", "field", "message"), TEXT_ERRORS)
def test_text_errors_name_the_text_field_and_the_line(personas, texts, field, message):
    # given
    body = {"name": "Typed rule", "trigger": "event", "events": ["created"], "actions_text": "add tag vip", **texts}
    # when
    response = send(client_for(personas.admin), "POST", "/rules", body)
    # then
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == ("rule.invalid", field)
    assert response.json()["message"].startswith(message)
    assert not Rule.objects.exists()


def test_json_and_text_of_the_same_part_are_refused_together(personas):
    response = send(client_for(personas.admin), "POST", "/rules", {**TAG_P1, "conditions_text": "level = first"})
    assert (response.status_code, response.json()["code"]) == (422, "rule.invalid")
    assert response.json()["field"] == "conditions_text"


def test_a_second_rule_of_the_same_name_is_a_conflict(personas, rule):
    response = send(client_for(personas.admin), "POST", "/rules", {**TAG_P1, "name": "TAG CRITICAL TICKETS"})
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "rule.duplicate_name",
        "name",
    )
    assert Rule.objects.count() == 1


# --- changing and deleting --------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_and_bumps_the_version(personas, rule):
    # when
    response = send(
        client_for(personas.admin),
        "PATCH",
        f"/rules/{rule.pk}",
        {"version": 1, "actions_text": "add tag critical\nset priority p1", "is_enabled": False},
    )
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["version"], body["is_enabled"], body["name"]) == (2, False, "Tag critical tickets")
    assert body["actions_text"] == "add tag critical\nset priority p1"
    assert Rule.objects.get().conditions == [{"field": "priority", "op": "eq", "value": "p1"}]


def test_a_stale_version_is_a_conflict_and_changes_nothing(personas, rule):
    # given somebody else changed the rule (version 2)
    client = client_for(personas.admin)
    assert send(client, "PATCH", f"/rules/{rule.pk}", {"version": 1, "position": 5}).status_code == 200
    before = rule_rows()
    # when a writer who read version 1 saves
    response = send(client, "PATCH", f"/rules/{rule.pk}", {"version": 1, "name": "Renamed"})
    # then
    assert (response.status_code, response.json()["code"]) == (409, "rule.version_conflict")
    assert rule_rows() == before


def test_patch_without_a_version_overwrites(personas, rule):
    send(client_for(personas.admin), "PATCH", f"/rules/{rule.pk}", {"position": 5})
    response = send(client_for(personas.admin), "PATCH", f"/rules/{rule.pk}", {"position": 7})
    assert (response.status_code, response.json()["version"], response.json()["position"]) == (200, 3, 7)


@pytest.mark.parametrize(
    ("body", "code", "field", "words"),
    [
        ({"conditions_text": "level = fifth"}, "rule.invalid", "conditions_text", "line 1: level is one of"),
        ({"conditions": [{"field": "level", "op": "eq"}]}, "rule.invalid", "conditions[0].value", "level is one"),
        ({"trigger": "time"}, "rule.invalid", "events", "time rule runs when due"),
        ({"name": None}, "invalid", "name", "null"),
        ({"colour": "red"}, "invalid", "colour", "Extra inputs"),
    ],
)
def test_patch_refuses_a_bad_change_and_keeps_the_rule(personas, rule, body, code, field, words):
    before = rule_rows()
    response = send(client_for(personas.admin), "PATCH", f"/rules/{rule.pk}", body)
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert words in response.json()["message"]
    assert rule_rows() == before


def test_delete_removes_the_rule_with_its_firings(personas, rule, ticket):
    fire(rule, ticket, "s1", minutes_ago=1)
    response = send(client_for(personas.admin), "DELETE", f"/rules/{rule.pk}")
    assert (response.status_code, response.content) == (204, b"")
    assert not Rule.objects.exists()
    assert not RuleFiring.objects.exists()


# --- the shipped rules and the vocabulary ------------------------------------------------------------


def test_seed_puts_back_the_missing_shipped_rules_once(personas):
    client = client_for(personas.admin)
    # when
    first = send(client, "POST", "/rules/seed")
    again = send(client, "POST", "/rules/seed")
    # then
    assert first.status_code == 200
    assert [item["key"] for item in first.json()] == [seed["key"] for seed in SEED_RULES]
    assert first.json()[0]["conditions_text"].startswith("priority = p1\n")
    assert (again.status_code, again.json()) == (200, [])
    assert Rule.objects.count() == len(SEED_RULES)


def test_the_vocabulary_lists_every_field_and_action_the_validators_know(personas):
    # when
    body = send(client_for(personas.admin), "GET", "/rules/vocabulary").json()
    # then
    assert [field["name"] for field in body["fields"]] == list(FIELDS)
    assert [action["type"] for action in body["actions"]] == list(ACTION_TYPES)
    level = next(field for field in body["fields"] if field["name"] == "level")
    assert level == {
        "name": "level",
        "kind": "choice",
        "ops": ["eq", "ne", "in", "not_in"],
        "operators": ["=", "!=", "in", "not in"],
        "values": ["first", "second", "development"],
        "optional": False,
        "clock": None,
        "help": "The level the ticket is at.",
    }
    assignee = next(field for field in body["fields"] if field["name"] == "assignee")
    assert assignee["ops"][-2:] == ["is_set", "is_not_set"]
    clocks = {field["name"]: field["clock"] for field in body["fields"] if field["clock"]}
    assert clocks["working_days_since_resolved"] == "working_days"
    assert clocks["minutes_at_level"] == "business_minutes"
    escalate = next(action for action in body["actions"] if action["type"] == "escalate")
    assert (escalate["parameter"], escalate["values"], escalate["examples"]) == (
        "to_level",
        ["second", "development"],
        ["escalate to second"],
    )
    assign = next(action for action in body["actions"] if action["type"] == "assign")
    assert assign["examples"] == ["assign to username", "unassign"]
    assert body["notify_targets"] == [
        "case_manager",
        "assignee",
        "role:agent",
        "role:case_manager",
        "role:admin",
        "user:<username>",
    ]
    assert body["triggers"] == ["event", "time"]
    assert "created" in body["events"]
    # and every example line parses back to an action of its own type
    for action in body["actions"]:
        assert {parsed["type"] for line in action["examples"] for parsed in parse_actions(line)} == {action["type"]}


def test_the_openapi_document_lists_the_rules_endpoints(db):
    document = send(client_for(None), "GET", "/openapi.json").json()["paths"]
    assert set(document["/api/v1/rules"]) == {"get", "post"}
    assert set(document["/api/v1/rules/{rule_id}"]) == {"get", "patch", "delete"}
    assert set(document["/api/v1/rules/{rule_id}/firings"]) == {"get"}
    assert set(document["/api/v1/rules/vocabulary"]) == {"get"}
    assert set(document["/api/v1/rules/seed"]) == {"post"}
