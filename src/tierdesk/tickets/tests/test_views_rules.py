"""The desk's automation rules pages (/desk/rules/): who may open them (administrators; other staff 403
like the lock-out page), creating and changing a rule in the text syntax with errors next to the
textarea (line numbers, input kept), the version check, switching on and off (page and htmx),
deleting after a confirmation, restoring the shipped rules, firings linked to their tickets, the
help panel, the navigation link, and a query ceiling on the list."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client

from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.automation.seeds import SEED_RULES
from tierdesk.tickets.models import Rule, RuleFiring, Ticket
from tierdesk.tickets.services.rules import rule_create, rule_update, rules_seed
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.tests.rule_support import fire, rule_rows

pytestmark = pytest.mark.usefixtures("no_rules")

NON_ADMIN_STAFF = ("agent_l1", "developer", "case_manager")
CUSTOMERS = ("customer_a", "customer_admin_a")

TAG_P1: dict[str, Any] = {
    "name": "Tag critical tickets",
    "trigger": "event",
    "events": ["created"],
    "conditions_text": "priority = p1",
    "actions_text": "add tag critical",
}


@pytest.fixture
def rule(personas: Any) -> Rule:
    return rule_create(by=personas.admin, **TAG_P1)


@pytest.fixture
def admin_client(client: Client, personas: Any) -> Client:
    client.force_login(personas.admin)
    return client


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Label printer offline")


def form_data(**changes: Any) -> dict[str, Any]:
    """What the browser posts for TAG_P1 (a ticked checkbox sends "on", an unticked one nothing)."""
    data: dict[str, Any] = {**TAG_P1, "description": "", "position": "100", "is_enabled": "on"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- who may open them -------------------------------------------------------------------------------

PAGES = ["/desk/rules/", "/desk/rules/new/", "/desk/rules/{id}/", "/desk/rules/{id}/delete/"]
POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/desk/rules/new/", form_data(name="Another rule")),
    ("/desk/rules/{id}/", form_data(version="1", name="Renamed")),
    ("/desk/rules/{id}/toggle/", {"is_enabled": "0"}),
    ("/desk/rules/{id}/delete/", {}),
    ("/desk/rules/restore/", {}),
]


@pytest.mark.parametrize("path", PAGES)
def test_only_admins_open_the_pages(client, personas, rule, path):
    url = path.format(id=rule.pk)
    # anonymous: to the sign-in page
    response = client.get(url)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")
    # customers: sent home, like from every desk page
    for who in CUSTOMERS:
        client.force_login(getattr(personas, who))
        assert (client.get(url).status_code, client.get(url)["Location"]) == (302, "/")
    # other staff: refused, like the lock-out page
    for who in NON_ADMIN_STAFF:
        client.force_login(getattr(personas, who))
        assert client.get(url).status_code == 403
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[path for path, _ in POSTS])
@pytest.mark.parametrize("who", ["anonymous", *CUSTOMERS, *NON_ADMIN_STAFF])
def test_nobody_but_admins_changes_rules(client, personas, rule, path, data, who):
    # given
    rules_seed()
    Rule.objects.filter(key=SEED_RULES[0]["key"]).delete()  # something for "restore" to do
    before = rule_rows()
    if who != "anonymous":
        client.force_login(getattr(personas, who))
    # when
    response = client.post(path.format(id=rule.pk), data)
    # then
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert rule_rows() == before


def test_the_navigation_shows_rules_to_admins_only(client, personas):
    client.force_login(personas.admin)
    assert 'data-testid="nav-rules"' in client.get("/desk/").content.decode()
    current = client.get("/desk/rules/").content.decode()
    assert 'data-testid="nav-rules" aria-current="page"' in current
    for who in NON_ADMIN_STAFF:
        client.force_login(getattr(personas, who))
        assert 'data-testid="nav-rules"' not in client.get("/desk/").content.decode()


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_rule_with_its_texts_and_figures(admin_client, personas, rule, ticket):
    # given two firings of the rule, one failed, and a disabled time rule before it
    fire(rule, ticket, "s1", minutes_ago=20)
    fire(rule, ticket, "s2", minutes_ago=5, failed=True)
    quiet = rule_create(
        by=personas.admin,
        name="Close quiet tickets",
        trigger="time",
        conditions_text="status = resolved\nworking_days_since_resolved >= 5",
        actions_text="close",
        is_enabled=False,
        position=1,
    )
    # when
    body = page(admin_client.get("/desk/rules/"))
    # then: in running order, with the text forms, the figures and the state
    assert body.index(f'data-testid="rule-row-{quiet.pk}"') < body.index(f'data-testid="rule-row-{rule.pk}"')
    assert (
        f'<pre data-testid="rule-conditions-{quiet.pk}">status = resolved\nworking_days_since_resolved >= 5</pre>'
        in body
    )
    assert f'<pre data-testid="rule-actions-{rule.pk}">add tag critical</pre>' in body
    assert f'<td data-testid="rule-fired-{rule.pk}">2</td>' in body
    assert f'<td data-testid="rule-failed-{rule.pk}">1</td>' in body
    assert f'<td data-testid="rule-fired-{quiet.pk}">0</td>' in body
    assert f'data-testid="rule-row-{quiet.pk}" data-enabled="false"' in body
    assert "When due" in body
    assert "On a change" in body


def test_the_list_has_a_query_ceiling(admin_client, personas, ticket):
    # given 15 rules with firings
    for number in range(15):
        made = rule_create(by=personas.admin, **{**TAG_P1, "name": f"Rule {number:02d}"})
        fire(made, ticket, "s1", minutes_ago=3)
    # when: session, user, count and rows (figures aggregated in the same query)
    with assert_max_queries(4):
        response = admin_client.get("/desk/rules/")
    # then
    assert response.content.decode().count('data-testid="rule-row-') == 15


def test_an_empty_list_says_so(admin_client):
    assert 'data-testid="no-rules"' in admin_client.get("/desk/rules/").content.decode()


# --- creating ---------------------------------------------------------------------------------------


def test_admin_creates_a_rule_from_text(admin_client, personas):
    # given
    data = form_data(
        name="Escalate quiet VIP tickets",
        trigger="time",
        events=["created"],  # ticked, but a time rule has none: ignored
        conditions_text="# VIP first\nlevel = first AND tags contains vip\nminutes_at_level >= 20",
        actions_text='escalate to second\nnotify case_manager "VIP ticket escalated"',
        position="5",
    )
    # when
    response = admin_client.post("/desk/rules/new/", data)
    # then
    rule = Rule.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/desk/rules/{rule.pk}/")
    assert (rule.trigger, rule.events, rule.position, rule.is_enabled) == ("time", [], 5, True)
    assert rule.conditions == [
        {"field": "level", "op": "eq", "value": "first"},
        {"field": "tags", "op": "contains", "value": "vip"},
        {"field": "minutes_at_level", "op": "gte", "value": 20},
    ]
    assert rule.actions[1] == {"type": "notify", "to": "case_manager", "message": "VIP ticket escalated"}
    assert "Rule “Escalate quiet VIP tickets” saved." in page(admin_client.get(response["Location"]))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"conditions_text": "priority = p1\nstatus in (new, open"}, "conditions_text", 'line 2: expected "," or ")"'),
        (
            {"conditions_text": "priority = p1\r\n\r\n# why\r\nstatus = bogus"},
            "conditions_text",
            "line 4: status is one of",
        ),
        ({"actions_text": "add tag vip\nexplode"}, "actions_text", 'line 2: unknown action "explode"'),
        ({"actions_text": "add tag vip\nassign to nobody"}, "actions_text", "line 2: No active staff user “nobody”"),
        ({"actions_text": ""}, "actions_text", "A rule needs at least one action."),
        ({"events": None}, "events", "An event rule needs events"),
        ({"name": ""}, "name", "A rule needs a name"),
    ],
)
def test_an_invalid_rule_is_shown_next_to_its_field_with_the_input_kept(admin_client, changes, field, message):
    # when
    response = admin_client.post("/desk/rules/new/", form_data(**changes))
    # then
    assert response.status_code == 422
    body = page(response)
    # the error is inside the field's own box, after its input (the textarea keeps what was typed)
    start = body.index(f'id="id_{field}')
    end = min(found for found in (body.find("</div>", start), body.find("</fieldset>", start)) if found != -1)
    assert message in body[body.index('<p class="field-error" role="alert">', start) : end]
    typed = form_data(**changes).get(field)
    if field.endswith("_text") and typed:
        assert f">\n{typed}</textarea>" in body
    assert not Rule.objects.exists()


def test_a_form_that_does_not_parse_as_a_form_is_422(admin_client):
    response = admin_client.post("/desk/rules/new/", form_data(position="ten"))
    assert response.status_code == 422
    assert not Rule.objects.exists()


def test_a_duplicate_name_is_shown_next_to_the_name(admin_client, rule):
    response = admin_client.post("/desk/rules/new/", form_data(name="tag critical tickets"))
    assert response.status_code == 409
    assert "A rule with this name exists already." in page(response)
    assert Rule.objects.count() == 1


# --- changing ---------------------------------------------------------------------------------------


def test_the_rule_page_holds_the_texts_the_version_and_the_help(admin_client, rule):
    body = page(admin_client.get(f"/desk/rules/{rule.pk}/"))
    assert '<input type="hidden" name="version" value="1"' in body
    assert ">\npriority = p1</textarea>" in body
    assert ">\nadd tag critical</textarea>" in body
    # the help panel lists fields with operators and values, and action lines
    help_panel = body[body.index('data-testid="rule-help"') :]
    assert "<code>waiting_on</code>" in help_panel
    assert "<code>is not set</code>" in help_panel
    assert "<code>third_party</code>" in help_panel
    assert '<code>notify case_manager "P1 without answer"</code>' in help_panel
    assert "<code>unassign</code>" in help_panel
    assert 'data-testid="no-firings"' in body


def test_admin_changes_a_rule(admin_client, rule):
    data = form_data(
        version="1", conditions_text="priority in (p1, p2)", actions_text="add tag urgent", is_enabled=None
    )
    response = admin_client.post(f"/desk/rules/{rule.pk}/", data)
    assert (response.status_code, response["Location"]) == (302, f"/desk/rules/{rule.pk}/")
    rule.refresh_from_db()
    assert (rule.version, rule.is_enabled) == (2, False)
    assert rule.conditions == [{"field": "priority", "op": "in", "value": ["p1", "p2"]}]
    assert rule.actions == [{"type": "add_tag", "tag": "urgent"}]


def test_an_invalid_change_keeps_the_input_and_the_rule(admin_client, rule):
    before = rule_rows()
    response = admin_client.post(f"/desk/rules/{rule.pk}/", form_data(version="1", conditions_text="level = top"))
    assert response.status_code == 422
    body = page(response)
    assert "line 1: level is one of first, second, development." in body
    assert ">\nlevel = top</textarea>" in body
    assert rule_rows() == before


def test_a_stale_version_shows_the_conflict_and_loses_no_input(admin_client, personas, rule):
    # given somebody else saved the rule meanwhile (version 2)
    rule_update(rule=rule, by=personas.admin, actions_text="add tag someone-else")
    before = rule_rows()
    typed = form_data(version="1", name="Mine", conditions_text="priority = p2", actions_text="add tag mine")
    # when the admin who read version 1 saves
    response = admin_client.post(f"/desk/rules/{rule.pk}/", typed)
    # then nothing is saved, the other change is shown, and the typed text is all there
    assert response.status_code == 409
    body = page(response)
    assert 'data-testid="rule-conflict" data-error-code="rule.version_conflict"' in body
    assert '<pre data-testid="conflict-actions">add tag someone-else</pre>' in body
    assert 'value="Mine"' in body
    assert ">\npriority = p2</textarea>" in body
    assert ">\nadd tag mine</textarea>" in body
    assert rule_rows() == before
    # and the form now carries the stored version: saving again is a deliberate overwrite
    assert '<input type="hidden" name="version" value="2"' in body
    assert admin_client.post(f"/desk/rules/{rule.pk}/", {**typed, "version": "2"}).status_code == 302
    assert Rule.objects.get().actions == [{"type": "add_tag", "tag": "mine"}]


def test_a_rule_without_a_text_form_warns_before_it_is_saved(admin_client, personas):
    # given a rule stored before line breaks were refused (the services refuse them now)
    made = Rule.objects.create(
        name="Two-line note",
        trigger="event",
        events=["created"],
        conditions=[],
        actions=[{"type": "add_note", "text": "First line\nSecond line"}],
    )
    assert 'data-testid="rule-untexted"' in admin_client.get(f"/desk/rules/{made.pk}/").content.decode()


def test_the_rule_page_lists_its_latest_firings_linked_to_the_tickets(admin_client, rule, ticket):
    older = fire(rule, ticket, "s1", minutes_ago=60)
    newer = fire(rule, ticket, "s2", minutes_ago=1, failed=True)
    body = page(admin_client.get(f"/desk/rules/{rule.pk}/"))
    assert body.index(f'data-testid="firing-{newer.pk}"') < body.index(f'data-testid="firing-{older.pk}"')
    assert f'<a href="/desk/tickets/{ticket.number}/">{ticket.reference}</a> Label printer offline' in body
    assert "ticket.transition_not_allowed" in body
    assert "Failed" in body


# --- on and off, delete, restore -----------------------------------------------------------------


def test_toggle_switches_the_rule_to_the_state_asked_for(admin_client, rule):
    # when it is switched off twice (a double click)
    for _ in range(2):
        response = admin_client.post(f"/desk/rules/{rule.pk}/toggle/", {"is_enabled": "0"})
        assert (response.status_code, response["Location"]) == (302, "/desk/rules/")
    # then it is off, and back on when asked
    assert Rule.objects.get().is_enabled is False
    admin_client.post(f"/desk/rules/{rule.pk}/toggle/", {"is_enabled": "1"})
    assert Rule.objects.get().is_enabled is True
    assert "Rule “Tag critical tickets” enabled." in page(admin_client.get("/desk/rules/"))


def test_toggle_through_htmx_answers_with_the_list(admin_client, rule):
    response = admin_client.post(f"/desk/rules/{rule.pk}/toggle/", {"is_enabled": "0"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="rules"')
    assert "<html" not in body
    assert f'data-testid="rule-row-{rule.pk}" data-enabled="false"' in body


def test_a_rule_that_no_longer_validates_can_be_switched_off_but_not_on(admin_client, personas, rule):
    # given the rule assigns to an agent who has left since
    rule_update(rule=rule, by=personas.admin, actions_text="assign to l2")
    personas.agent_l2.is_active = False
    personas.agent_l2.save()
    # when it is switched off: that works, it is exactly when an admin wants it off
    response = admin_client.post(f"/desk/rules/{rule.pk}/toggle/", {"is_enabled": "0"})
    assert response.status_code == 302
    assert Rule.objects.get().is_enabled is False
    # when it is switched on again: refused, with the reason
    admin_client.post(f"/desk/rules/{rule.pk}/toggle/", {"is_enabled": "1"})
    assert "Not saved: No active staff user “l2”" in admin_client.get("/desk/rules/").content.decode()
    assert Rule.objects.get().is_enabled is False


def test_delete_asks_first_then_removes_the_rule_and_its_firings(admin_client, rule, ticket):
    fire(rule, ticket, "s1", minutes_ago=1)
    confirm = page(admin_client.get(f"/desk/rules/{rule.pk}/delete/"))
    assert "Delete the rule “Tag critical tickets” and its record of firings?" in confirm
    assert Rule.objects.exists()
    response = admin_client.post(f"/desk/rules/{rule.pk}/delete/")
    assert (response.status_code, response["Location"]) == (302, "/desk/rules/")
    assert not Rule.objects.exists()
    assert not RuleFiring.objects.exists()
    assert "Rule “Tag critical tickets” deleted." in page(admin_client.get("/desk/rules/"))
    assert admin_client.get(f"/desk/rules/{rule.pk}/").status_code == 404


def test_restore_puts_back_the_deleted_shipped_rules(admin_client, rule):
    # given the shipped rules, one of them deleted and one changed
    rules_seed()
    Rule.objects.filter(key=SEED_RULES[1]["key"]).delete()
    Rule.objects.filter(key=SEED_RULES[0]["key"]).update(position=99)
    # when
    response = admin_client.post("/desk/rules/restore/")
    # then the deleted one is back and the others are left alone
    assert response.status_code == 302
    assert Rule.objects.filter(key__isnull=False).count() == len(SEED_RULES)
    assert Rule.objects.get(key=SEED_RULES[0]["key"]).position == 99
    assert "1 shipped rule restored." in page(admin_client.get("/desk/rules/"))
    admin_client.post("/desk/rules/restore/")
    assert "Every shipped rule is there already." in page(admin_client.get("/desk/rules/"))
