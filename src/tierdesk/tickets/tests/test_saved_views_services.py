"""Saved views through the services and selectors: cleaning of filters, columns and sort, who may
change which view, reordering, custom-field filters, the view condition agreeing with
ticket_list_for, and the sidebar's counts (correct, and one query for every view)."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.core.errors import DomainError
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.choices import Level, Priority
from tierdesk.tickets.models import SavedView, Ticket
from tierdesk.tickets.selectors import TicketFilter, ticket_list_for
from tierdesk.tickets.selectors_views import (
    ViewSpec,
    saved_view_get_for,
    saved_views_for,
    ticket_filter_from,
    view_condition,
    view_counts,
    view_tickets,
)
from tierdesk.tickets.services import ticket_assign, ticket_escalate, ticket_resolve, ticket_update, ticket_wait
from tierdesk.tickets.services.custom_fields import custom_field_create, ticket_custom_fields_set
from tierdesk.tickets.services.views import (
    saved_view_create,
    saved_view_delete,
    saved_view_reorder,
    saved_view_update,
)
from tierdesk.tickets.tests.factories import make_ticket


def code_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value.code


@pytest.fixture
def tickets(personas: Any) -> dict[str, Ticket]:
    """A spread of tickets over status, level, priority, organisation and assignee."""
    p = personas
    made = {
        "new_a": make_ticket(by=p.agent_l1, requester=p.contact_a, subject="Label printer offline"),
        "mine_a": make_ticket(by=p.agent_l1, requester=p.contact_a, subject="Shared drive full", urgency="high"),
        "waiting_b": make_ticket(by=p.agent_l1, requester=p.contact_b, subject="Scanner profile"),
        "second_b": make_ticket(by=p.agent_l1, requester=p.contact_b, subject="VPN drops hourly", impact="high"),
        "resolved_a": make_ticket(by=p.agent_l1, requester=p.contact_a, subject="Password reset"),
    }
    ticket_assign(ticket=made["mine_a"], assignee=p.agent_l1, by=p.case_manager)
    ticket_wait(ticket=made["waiting_b"], on="customer", by=p.agent_l1)
    ticket_escalate(
        ticket=made["second_b"], to_level=Level.SECOND, handover_note="Tried the usual steps.", by=p.agent_l1
    )
    ticket_assign(ticket=made["second_b"], assignee=p.agent_l2, by=p.case_manager)
    ticket_resolve(ticket=made["resolved_a"], resolution="Reset with the user.", by=p.agent_l1)
    ticket_update(ticket=made["new_a"], by=p.agent_l1, tags=["printer"])
    return {key: Ticket.objects.get(pk=t.pk) for key, t in made.items()}


# --- create and clean ---------------------------------------------------------------------------


def test_create_cleans_and_appends_to_the_owners_list(personas: Any) -> None:
    # given one view already
    saved_view_create(by=personas.agent_l1, name="First")
    # when a second is created with messy but valid filters
    view = saved_view_create(
        by=personas.agent_l1,
        name="  Open P1  ",
        filters={"status": ["open", "new", "open"], "priority": ["p1"], "q": "  vpn ", "mine": False},
        columns=["subject", "number"],
        sort_field="created_at",
        sort_direction="desc",
    )
    # then it is stored cleaned, last in the list
    view.refresh_from_db()
    assert view.name == "Open P1"
    assert view.filters == {"status": ["new", "open"], "priority": ["p1"], "q": "vpn"}
    assert view.columns == ["subject", "number"]
    assert (view.sort_field, view.sort_direction, view.position) == ("created_at", "desc", 1)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"name": "  "}, "saved_view.name_required"),
        ({"name": "x" * 101}, "saved_view.name_too_long"),
        ({"filters": {"status": ["nonsense"]}}, "saved_view.invalid_filters"),
        ({"filters": {"subject__icontains": "x"}}, "saved_view.invalid_filters"),
        ({"filters": {"organisation_ids": [1, "2"]}}, "saved_view.invalid_filters"),
        ({"filters": {"mine": "yes"}}, "saved_view.invalid_filters"),
        ({"filters": {"cf_Bad-Key": "x"}}, "saved_view.invalid_filters"),
        ({"filters": ["status"]}, "saved_view.invalid_filters"),
        ({"columns": []}, "saved_view.invalid_columns"),
        ({"columns": ["number", "password"]}, "saved_view.invalid_columns"),
        ({"columns": ["number", "number"]}, "saved_view.invalid_columns"),
        ({"sort_field": "description"}, "saved_view.invalid_sort"),
        ({"sort_direction": "sideways"}, "saved_view.invalid_sort"),
        ({"filters": {"cf_nosuchfield": "x"}}, "custom_field.invalid_filter"),
    ],
)
def test_create_refuses_invalid_input_with_a_code(personas: Any, kwargs: dict[str, Any], code: str) -> None:
    args = {"by": personas.agent_l1, "name": "View", **kwargs}
    assert code_of(saved_view_create, **args) == code
    assert SavedView.objects.count() == 0


def test_names_are_unique_per_owner_only(personas: Any) -> None:
    saved_view_create(by=personas.agent_l1, name="Mine")
    assert code_of(saved_view_create, by=personas.agent_l1, name="Mine") == "saved_view.duplicate_name"
    # a colleague may use the same name
    saved_view_create(by=personas.agent_l2, name="Mine")
    # and renaming onto an existing name is refused too
    other = saved_view_create(by=personas.agent_l1, name="Other")
    assert code_of(saved_view_update, view=other, by=personas.agent_l1, name="Mine") == "saved_view.duplicate_name"


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "anonymous"])
def test_only_staff_have_views(personas: Any, who: str) -> None:
    user = getattr(personas, who)
    assert code_of(saved_view_create, by=user, name="Sneaky") == "saved_view.forbidden"
    saved_view_create(by=personas.agent_l1, name="Team queue", is_shared=True)
    assert list(saved_views_for(user=user)) == []


# --- who sees and changes what ------------------------------------------------------------------


def test_staff_see_their_own_views_and_the_shared_ones(personas: Any) -> None:
    p = personas
    own = saved_view_create(by=p.agent_l1, name="Own")
    shared = saved_view_create(by=p.agent_l2, name="Second level queue", is_shared=True)
    private = saved_view_create(by=p.agent_l2, name="Private")
    assert [v.pk for v in saved_views_for(user=p.agent_l1)] == [own.pk, shared.pk]
    with pytest.raises(DomainError) as caught:
        saved_view_get_for(user=p.agent_l1, view_id=private.pk)
    assert caught.value.code == "saved_view.not_found"
    # not even an administrator reads a colleague's personal view
    with pytest.raises(DomainError):
        saved_view_get_for(user=p.admin, view_id=private.pk)


def test_a_shared_view_is_changed_by_its_owner_or_an_administrator_only(personas: Any) -> None:
    p = personas
    shared = saved_view_create(by=p.agent_l2, name="Second level queue", is_shared=True)
    # an agent and a case manager may not
    for colleague in (p.agent_l1, p.case_manager):
        assert code_of(saved_view_update, view=shared, by=colleague, name="Hijacked") == "saved_view.forbidden"
        assert code_of(saved_view_delete, view=shared, by=colleague) == "saved_view.forbidden"
    shared.refresh_from_db()
    assert shared.name == "Second level queue"
    # the owner and an administrator may
    saved_view_update(view=shared, by=p.agent_l2, filters={"level": ["second"]})
    saved_view_update(view=shared, by=p.admin, name="L2 queue", columns=["number", "subject"])
    shared.refresh_from_db()
    assert (shared.name, shared.filters, shared.columns) == ("L2 queue", {"level": ["second"]}, ["number", "subject"])
    saved_view_delete(view=shared, by=p.admin)
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_update_refuses_fields_that_are_not_editable(personas: Any) -> None:
    view = saved_view_create(by=personas.agent_l1, name="Mine")
    assert code_of(saved_view_update, view=view, by=personas.agent_l1, owner=personas.agent_l2) == (
        "saved_view.field_not_editable"
    )


def test_reorder_puts_own_views_in_the_given_order(personas: Any) -> None:
    p = personas
    a, b, c = (saved_view_create(by=p.agent_l1, name=name) for name in ("A", "B", "C"))
    shared = saved_view_create(by=p.agent_l2, name="Theirs", is_shared=True)
    saved_view_reorder(by=p.agent_l1, view_ids=[c.pk, a.pk, b.pk])
    assert [v.pk for v in saved_views_for(user=p.agent_l1)] == [c.pk, a.pk, b.pk, shared.pk]
    # a missing, repeated or foreign id is refused and nothing moves
    for ids in ([c.pk, a.pk], [c.pk, a.pk, b.pk, b.pk], [c.pk, a.pk, b.pk, shared.pk]):
        assert code_of(saved_view_reorder, by=p.agent_l1, view_ids=ids) == "saved_view.invalid_order"
    assert [v.pk for v in saved_views_for(user=p.agent_l1)][:3] == [c.pk, a.pk, b.pk]


# --- the view's tickets -------------------------------------------------------------------------


FILTER_CASES = [
    {},
    {"status": ["new", "open"]},
    {"level": ["second"]},
    {"priority": ["p2", "p3"]},
    {"unassigned": True},
    {"mine": True},
    {"q": "vpn"},
    {"status": ["waiting"], "level": ["first"]},
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_view_condition_matches_ticket_list_for(personas: Any, tickets: dict[str, Ticket], filters: dict) -> None:
    """The counts' SQL condition and the board's filter must never drift apart."""
    user = personas.agent_l1
    expected = set(ticket_list_for(user=user, filters=ticket_filter_from(filters)).values_list("pk", flat=True))
    got = set(Ticket.objects.filter(view_condition(user=user, filters=filters)).values_list("pk", flat=True))
    assert got == expected


def test_organisation_assignee_and_number_filters(personas: Any, tickets: dict[str, Ticket]) -> None:
    p = personas
    by_org = TicketFilter(organisation_ids=(p.org_b.pk,))
    assert set(ticket_list_for(user=p.agent_l1, filters=by_org)) == {tickets["waiting_b"], tickets["second_b"]}
    spec = ViewSpec(filters={"assignee_ids": [p.agent_l2.pk], "unassigned": False})
    assert list(view_tickets(user=p.agent_l1, spec=spec)) == [tickets["second_b"]]
    spec = ViewSpec(filters={"q": f"#{tickets['resolved_a'].number}"})
    assert list(view_tickets(user=p.agent_l1, spec=spec)) == [tickets["resolved_a"]]


@pytest.mark.parametrize("field", ["number", "created_at", "updated_at", "due_at", "priority"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_view_tickets_are_sorted_by_the_allow_listed_field(
    personas: Any, tickets: dict[str, Ticket], field: str, direction: str
) -> None:
    rows = list(view_tickets(user=personas.agent_l1, spec=ViewSpec(sort_field=field, sort_direction=direction)))
    key_fields = {"priority": ("priority", "due_at", "created_at", "id")}.get(field, (field, "id"))

    def key(t: Ticket) -> tuple:
        # None first ascending (SQLite), last ascending (PostgreSQL): compare where both agree.
        return tuple(
            (getattr(t, f) is None, getattr(t, f) or 0) if f == "due_at" else getattr(t, f) for f in key_fields
        )

    comparable = [t for t in rows if field != "due_at" or t.due_at is not None]
    assert comparable == sorted(comparable, key=key, reverse=direction == "desc")
    assert len(rows) == len(tickets)


def test_custom_field_filters_narrow_the_view(personas: Any, tickets: dict[str, Ticket]) -> None:
    p = personas
    custom_field_create(by=p.admin, key="site", label="Site", field_type="text")
    ticket_custom_fields_set(ticket=tickets["new_a"], values={"site": "Rotterdam"}, by=p.agent_l1)
    ticket_custom_fields_set(ticket=tickets["waiting_b"], values={"site": "Bergen"}, by=p.agent_l1)
    view = saved_view_create(by=p.agent_l1, name="Rotterdam", filters={"cf_site": "Rotterdam"})
    assert list(view_tickets(user=p.agent_l1, spec=ViewSpec.of(view))) == [tickets["new_a"]]
    assert view_counts(user=p.agent_l1, views=[view]) == {view.pk: 1}


# --- counts -------------------------------------------------------------------------------------


def test_counts_of_custom_field_views_read_the_definitions_once(personas: Any, tickets: dict[str, Ticket]) -> None:
    p = personas
    custom_field_create(by=p.admin, key="site", label="Site", field_type="text")
    custom_field_create(by=p.admin, key="floor", label="Floor", field_type="number")
    ticket_custom_fields_set(ticket=tickets["new_a"], values={"site": "Rotterdam", "floor": 3}, by=p.agent_l1)
    ticket_custom_fields_set(ticket=tickets["waiting_b"], values={"site": "Bergen", "floor": 1}, by=p.agent_l1)
    filters = [
        {"cf_site": "Rotterdam"},
        {"cf_site": "Bergen"},
        {"cf_floor": "3"},
        {"cf_floor": "1"},
        {"cf_site": "Oslo"},
    ]
    views = [saved_view_create(by=p.agent_l1, name=f"site {i}", filters=f) for i, f in enumerate(filters)]
    # when / then: the definitions of all views' fields, then the one aggregate, however many views
    with assert_max_queries(2):
        counts = view_counts(user=p.agent_l1, views=views)
    assert [counts[view.pk] for view in views] == [1, 1, 1, 1, 0]


def test_counts_are_right_and_take_one_query_for_all_views(personas: Any, tickets: dict[str, Ticket]) -> None:
    p = personas
    specs = {
        "all": {},
        "open work": {"status": ["new", "open"]},
        "second": {"level": ["second"]},
        "unassigned": {"unassigned": True},
        "mine": {"mine": True},
        "org b": {"organisation_ids": [p.org_b.pk]},
        "p1": {"priority": [Priority.P1]},
    }
    views = [saved_view_create(by=p.agent_l1, name=name, filters=f) for name, f in specs.items()]
    with assert_max_queries(1):
        counts = view_counts(user=p.agent_l1, views=views)
    for view in views:
        expected = Ticket.objects.filter(view_condition(user=p.agent_l1, filters=view.filters)).count()
        assert counts[view.pk] == expected
    assert counts[views[0].pk] == 5
    assert counts[views[2].pk] == 1
    assert counts[views[4].pk] == 1  # "mine" is the viewer's: agent_l1 has mine_a
    # a shared "mine" view counts the viewer's own tickets
    assert view_counts(user=p.agent_l2, views=[views[4]]) == {views[4].pk: 1}
