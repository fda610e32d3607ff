"""The tickets API, part 1: create, the queue (filters, pagination, order, query ceiling),
one ticket (customer-safe view, ETag) and edits with optimistic concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Category, Ticket
from tierdesk.tickets.selectors import QUEUE_ORDER
from tierdesk.tickets.services import ticket_assign, ticket_escalate, ticket_update
from tierdesk.tickets.tests.api_support import INTERNAL_TICKET_KEYS, expected_status, ticket_state
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas):
    """A ticket of customer_a (org A), tagged, and assigned to L1."""
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, tags=["printer"])
    return ticket_assign(ticket=ticket, assignee=personas.agent_l1, by=personas.agent_l1)


# --- create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_create_roles(personas, who):
    user = getattr(personas, who)
    expected = {"anonymous": 401}.get(who, 201)
    # staff open tickets for a contact; customers always for themselves
    payload = {"subject": "Scanner jams"}
    if who in ("agent_l1", "case_manager", "admin"):
        payload["requester"] = personas.contact_b.pk
    # when
    response = send(client_for(user), "POST", "/tickets", payload)
    # then
    assert response.status_code == expected
    assert Ticket.objects.filter(subject="Scanner jams").count() == (1 if expected == 201 else 0)


def test_session_post_without_csrf_token_creates_nothing(personas):
    # given a browser session that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.customer_a)
    # when
    response = send(client, "POST", "/tickets", {"subject": "Scanner jams"})
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf_failed"
    assert not Ticket.objects.exists()


def test_customer_creates_for_themself_whatever_the_input_says(personas):
    # given a customer admin naming another contact of their organisation as requester
    payload = {"subject": "Scanner jams", "requester": personas.contact_a2.pk, "urgency": "high", "impact": "high"}
    # when
    response = send(client_for(personas.customer_admin_a), "POST", "/tickets", payload)
    # then the ticket is theirs, in their organisation, through the portal
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.requester == personas.customer_admin_a.contact
    assert ticket.organisation == personas.org_a
    assert ticket.channel == "portal"
    assert ticket.priority == "p1"
    assert response.headers["ETag"] == '"1"'


def test_customer_cannot_name_another_organisation(personas):
    # when
    response = send(
        client_for(personas.customer_a), "POST", "/tickets", {"subject": "X", "organisation": personas.org_b.pk}
    )
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "organisation.not_found"
    assert not Ticket.objects.exists()


def test_agent_creates_for_a_caller_through_the_api(personas):
    # given a category and a token (an integration)
    category = Category.objects.create(name="Printing")
    payload = {
        "subject": "  Printer offline  ",
        "description": "Since the update",
        "requester": personas.contact_b.pk,
        "category": category.pk,
        "tags": ["Printer", "printer", "floor-2"],
    }
    # when
    response = send(token_client(personas.agent_l1), "POST", "/tickets", payload)
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["subject"] == "Printer offline"
    assert body["organisation"] == {"id": personas.org_b.pk, "name": "Fjordline Office Services"}
    assert body["requester"] == {"id": personas.contact_b.pk, "name": "Ola Nordby", "email": "ola@fjordline.example"}
    assert body["category"] == {"id": category.pk, "name": "Printing"}
    assert body["tags"] == ["floor-2", "printer"]
    assert body["channel"] == "api"
    assert body["status"] == "new"
    assert body["version"] == 1


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"subject": "   "}, 422, "ticket.subject_required", "subject"),
        ({}, 422, "invalid", "subject"),
        ({"subject": "x" * 251}, 422, "invalid", "subject"),
        ({"subject": "X", "urgency": "extreme"}, 422, "invalid", "urgency"),
        ({"subject": "X", "category": 999999}, 422, "ticket.invalid_category", "category"),
        ({"subject": "X", "tags": [f"t{n}" for n in range(21)]}, 422, "invalid", "tags"),
        ({"subject": "X"}, 422, "ticket.organisation_required", "organisation"),
        ({"subject": "X", "requester": 999999}, 404, "contact.not_found", None),
        ({"subject": ["X"]}, 422, "invalid", "subject"),
    ],
)
def test_create_invalid_changes_nothing(personas, payload, status, code, field):
    # when an agent sends bad input
    response = send(client_for(personas.agent_l1), "POST", "/tickets", payload)
    # then
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    assert not Ticket.objects.exists()


def test_create_requester_of_other_organisation_is_invalid(personas):
    payload = {"subject": "X", "requester": personas.contact_b.pk, "organisation": personas.org_a.pk}
    response = send(client_for(personas.agent_l1), "POST", "/tickets", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "ticket.requester_mismatch"
    assert not Ticket.objects.exists()


def test_validation_error_body_keeps_ninjas_detail(personas):
    body = send(client_for(personas.agent_l1), "POST", "/tickets", {"subject": "X", "impact": "huge"}).json()
    assert body["code"] == "invalid"
    assert body["field"] == "impact"
    assert body["detail"][0]["loc"] == ["body", "payload", "impact"]
    assert body["detail"][0]["type"] == "enum"


# --- the queue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("customer_b", 1),
        ("customer_a2", 0),
        ("customer_a", 1),
        ("customer_admin_a", 2),
        ("agent_l1", 3),
        ("case_manager", 3),
        ("admin", 3),
    ],
)
def test_list_is_scoped(personas, who, count):
    # given tickets of customer_a, customer_admin_a's colleague and org B
    make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    make_ticket(by=personas.agent_l1, requester=personas.customer_admin_a.contact)
    make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    # when
    body = send(client_for(getattr(personas, who)), "GET", "/tickets").json()
    # then
    assert body["count"] == count
    assert len(body["items"]) == count


def test_list_anonymous_is_401(personas):
    assert send(client_for(personas.anonymous), "GET", "/tickets").status_code == 401


def test_list_is_in_queue_order_and_paginated(personas):
    # given tickets of several priorities, created in a shuffled order
    for urgency, impact in [("low", "low"), ("high", "high"), ("medium", "low"), ("high", "high"), ("low", "medium")]:
        make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency=urgency, impact=impact)
    expected = list(Ticket.objects.order_by(*QUEUE_ORDER).values_list("number", flat=True))
    client = client_for(personas.agent_l1)
    # when
    first = send(client, "GET", "/tickets?limit=2").json()
    rest = send(client, "GET", "/tickets?limit=2&offset=2").json()
    # then
    assert [first["count"], first["limit"], first["offset"]] == [5, 2, 0]
    assert [rest["count"], rest["limit"], rest["offset"]] == [5, 2, 2]
    assert [t["number"] for t in first["items"] + rest["items"]] == expected[:4]
    assert [t["priority"] for t in first["items"]] == ["p1", "p1"]


def test_list_default_and_maximum_limit(personas):
    make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    client = client_for(personas.agent_l1)
    assert send(client, "GET", "/tickets").json()["limit"] == 50
    assert send(client, "GET", "/tickets?limit=1000").json()["limit"] == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=-5", "offset=-1", "limit=abc", "organisation=abc", "mine=maybe"])
def test_list_invalid_paging_or_filter_is_422(personas, query):
    response = send(client_for(personas.agent_l1), "GET", f"/tickets?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "query",
    [
        "limit=5&limit=10",
        "status[]=open",
        "q=a&q=b",
        "organisation__name=Harbour",
        "requester__user__password__startswith=md5",
        "order_by=-id",
        "unknown=1",
        "q=%27%22%3B--",
    ],
)
def test_list_arrayified_or_unknown_params_do_not_crash(personas, query):
    make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    # when
    response = send(client_for(personas.customer_b), "GET", f"/tickets?{query}")
    # then unknown lookups are ignored, never applied, and the scope holds
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_with_nul_in_the_text_is_a_clear_400(personas):
    # PostgreSQL text cannot hold NUL; the request is refused before any query (core middleware)
    response = send(client_for(personas.agent_l1), "GET", "/tickets?q=%00%27%22")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def _numbers(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {item["number"] for item in response.json()["items"]}


def test_list_filters(personas):
    # given a variety of tickets
    a_new = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Mail bounces")
    a_taken = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    ticket_assign(ticket=a_taken, assignee=personas.agent_l1, by=personas.agent_l1)
    b_second = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    ticket_escalate(ticket=b_second, to_level="second", handover_note="Needs the L2 team.", by=personas.agent_l2)
    b_cm = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    ticket_assign(ticket=b_cm, assignee=personas.case_manager, by=personas.case_manager)
    client = client_for(personas.agent_l1)
    l1, cm = personas.agent_l1.pk, personas.case_manager.pk
    org_a, org_b = personas.org_a.pk, personas.org_b.pk
    # when / then
    assert _numbers(send(client, "GET", "/tickets?status=new")) == {a_new.number}
    assert _numbers(send(client, "GET", "/tickets?status=new&status=open")) == {
        a_new.number,
        a_taken.number,
        b_second.number,
        b_cm.number,
    }
    assert _numbers(send(client, "GET", "/tickets?level=second")) == {b_second.number}
    assert _numbers(send(client, "GET", "/tickets?priority=p1")) == {a_taken.number}
    assert _numbers(send(client, "GET", f"/tickets?organisation={org_b}")) == {b_second.number, b_cm.number}
    assert _numbers(send(client, "GET", f"/tickets?organisation={org_a},{org_b}")) == {
        a_new.number,
        a_taken.number,
        b_second.number,
        b_cm.number,
    }
    assert _numbers(send(client, "GET", f"/tickets?assignee={l1}&assignee={cm}")) == {a_taken.number, b_cm.number}
    assert _numbers(send(client, "GET", "/tickets?assignee=none")) == {a_new.number, b_second.number}
    assert _numbers(send(client, "GET", f"/tickets?assignee=none,{cm}")) == {a_new.number, b_second.number, b_cm.number}
    assert _numbers(send(client, "GET", "/tickets?mine=true")) == {a_taken.number}
    assert _numbers(send(client, "GET", "/tickets?q=bounces")) == {a_new.number}
    assert _numbers(send(client, "GET", f"/tickets?q=%23{b_cm.number}")) == {b_cm.number}
    assert _numbers(send(client, "GET", f"/tickets?q=bounces&organisation={org_b}")) == set()


def test_list_mine_for_a_customer_admin_is_what_they_requested(personas):
    own = make_ticket(by=personas.agent_l1, requester=personas.customer_admin_a.contact)
    make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    numbers = _numbers(send(client_for(personas.customer_admin_a), "GET", "/tickets?mine=true"))
    assert numbers == {own.number}


@pytest.mark.parametrize("who", ["agent_l1", "customer_admin_a"])
def test_list_has_a_query_ceiling(personas, who):
    client = client_for(getattr(personas, who))
    category = Category.objects.create(name="Network")
    for rows in (3, 30):
        # given more and more assigned, categorised tickets
        for _ in range(rows):
            ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, category=category)
            ticket_assign(ticket=ticket, assignee=personas.agent_l1, by=personas.agent_l1)
        # (auth, contact scope, count, page, assignees by prefetch, session/token bookkeeping;
        # staff 4 more: the SLA policies of the page with calendars, targets, hours, closed days;
        # the custom field values of the page, one prefetch)
        # when / then the number of queries stays the same
        with assert_max_queries(12 if who == "agent_l1" else 8):
            response = send(client, "GET", "/tickets?limit=200")
        assert response.json()["count"] in (3, 33)


def test_customer_list_rows_hide_internal_fields(personas, ticket):
    item = send(client_for(personas.customer_a), "GET", "/tickets").json()["items"][0]
    assert INTERNAL_TICKET_KEYS.isdisjoint(item)
    assert "email" not in item["requester"]
    assert item["assignee_name"] == "l1"


# --- one ticket -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_get_roles(personas, ticket, who):
    expected = expected_status(who, ok=200, customer=200)
    response = send(client_for(getattr(personas, who)), "GET", f"/tickets/{ticket.number}")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "ticket.not_found"
        assert set(response.json()) == {"code", "message"}


@pytest.mark.parametrize("number", ["999999", "abc", "-1", "0", "1e9", "%20", "99999999999999999999999"])
def test_get_unknown_or_malformed_number_is_404(personas, number):
    response = send(client_for(personas.agent_l1), "GET", f"/tickets/{number}")
    assert response.status_code == 404
    assert response.json()["code"] == "ticket.not_found"


def test_staff_see_internal_fields(personas, ticket):
    ticket_escalate(
        ticket=ticket,
        to_level="development",
        handover_note="Crash in the driver.",
        by=personas.agent_l2,
        bug_key="DEV-7",
    )
    # when
    response = send(client_for(personas.agent_l2), "GET", f"/tickets/{ticket.number}")
    # then
    body = response.json()
    assert body["bug_key"] == "DEV-7"
    assert body["tags"] == ["printer"]
    assert body["level"] == "development"
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_customer_view_hides_internal_fields(personas, ticket):
    ticket_escalate(
        ticket=ticket,
        to_level="development",
        handover_note="Crash in the driver.",
        by=personas.agent_l2,
        bug_key="DEV-7",
    )
    ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    personas.agent_l2.first_name, personas.agent_l2.last_name = "Lena", "Visser"
    personas.agent_l2.save(update_fields=["first_name", "last_name"])
    # when
    body = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}").json()
    # then
    assert INTERNAL_TICKET_KEYS.isdisjoint(body)
    assert body["assignee_name"] == "Lena Visser"
    assert "DEV-7" not in str(body)
    assert "l2@example.org" not in str(body)
    assert body["requester"] == {"id": personas.contact_a.pk, "name": "Anna Vermeulen"}


# --- edits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_patch_roles(personas, ticket, who):
    expected = expected_status(who, ok=200, customer=403)
    before = ticket_state(ticket)
    # when
    payload = {"subject": "Printer on fire", "version": ticket.version}
    response = send(client_for(getattr(personas, who)), "PATCH", f"/tickets/{ticket.number}", payload)
    # then
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["subject"] == "Printer on fire"
        assert response.json()["version"] == ticket.version + 1
    else:
        assert ticket_state(ticket) == before


def test_patch_changes_fields_and_recomputes_priority(personas, ticket):
    category = Category.objects.create(name="Hardware")
    payload = {
        "version": ticket.version,
        "description": "Paper tray 2",
        "urgency": "high",
        "impact": "high",
        "category": category.pk,
        "tags": ["hardware"],
    }
    # when
    response = send(client_for(personas.agent_l1), "PATCH", f"/tickets/{ticket.number}", payload)
    # then
    body = response.json()
    assert response.status_code == 200
    assert body["description"] == "Paper tray 2"
    assert body["priority"] == "p1"
    assert body["category"] == {"id": category.pk, "name": "Hardware"}
    assert body["tags"] == ["hardware"]
    assert body["subject"] == "Printer is offline"
    assert response.headers["ETag"] == f'"{body["version"]}"'


def test_patch_clears_category(personas):
    category = Category.objects.create(name="Hardware")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, category=category)
    body = send(
        client_for(personas.agent_l1), "PATCH", f"/tickets/{ticket.number}", {"category": None, "version": 1}
    ).json()
    assert body["category"] is None


def test_patch_with_if_match_header(personas, ticket):
    client = client_for(personas.agent_l1)
    etag = send(client, "GET", f"/tickets/{ticket.number}").headers["ETag"]
    # when
    response = send(client, "PATCH", f"/tickets/{ticket.number}", {"subject": "Via header"}, If_Match=etag)
    # then
    assert response.status_code == 200
    assert response.json()["subject"] == "Via header"


def test_patch_stale_version_is_409_and_changes_nothing(personas, ticket):
    # given someone else edited the ticket after we read it
    read_version = ticket.version
    ticket_update(ticket=ticket, by=personas.agent_l2, subject="Edited by L2")
    before = ticket_state(ticket)
    # when we save with the version we read
    payload = {"subject": "Mine", "version": read_version}
    response = send(client_for(personas.agent_l1), "PATCH", f"/tickets/{ticket.number}", payload)
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.version_conflict"
    assert ticket_state(ticket) == before


def test_patch_stale_if_match_is_409(personas, ticket):
    response = send(
        client_for(personas.agent_l1), "PATCH", f"/tickets/{ticket.number}", {"subject": "Mine"}, If_Match='W/"1"'
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.version_conflict"


@pytest.mark.parametrize(
    ("payload", "headers", "code", "field"),
    [
        ({"subject": "No version"}, {}, "ticket.version_required", "version"),
        ({"subject": "Bad header"}, {"If_Match": "*"}, "ticket.invalid_if_match", "If-Match"),
        ({"subject": None, "version": 2}, {}, "invalid", "subject"),
        ({"subject": "", "version": 2}, {}, "ticket.subject_required", "subject"),
        ({"status": "closed", "version": 2}, {}, "invalid", "status"),
        ({"assignee": None, "version": 2}, {}, "invalid", "assignee"),
        ({"urgency": "extreme", "version": 2}, {}, "invalid", "urgency"),
        ({"category": 999999, "version": 2}, {}, "ticket.invalid_category", "category"),
        ({"version": 0}, {}, "invalid", "version"),
        ({"version": "two"}, {}, "invalid", "version"),
    ],
)
def test_patch_invalid_changes_nothing(personas, ticket, payload, headers, code, field):
    before = ticket_state(ticket)
    # when
    response = send(client_for(personas.agent_l1), "PATCH", f"/tickets/{ticket.number}", payload, **headers)
    # then
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    assert ticket_state(ticket) == before


def test_patch_unknown_ticket_is_404(personas):
    response = send(client_for(personas.agent_l1), "PATCH", "/tickets/999999", {"subject": "X", "version": 1})
    assert response.status_code == 404


def test_due_date_order_breaks_priority_ties(personas):
    # given two tickets of the same priority, the later one due first
    first = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    second = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    Ticket.objects.filter(pk=second.pk).update(due_at=timezone.now())
    Ticket.objects.filter(pk=first.pk).update(due_at=timezone.now() + timedelta(days=1))
    # when
    body = send(client_for(personas.agent_l1), "GET", "/tickets").json()
    # then
    assert [item["number"] for item in body["items"]] == [second.number, first.number]
