"""Links between tickets and child tickets through the services: both sides of every link,
`related` stored once, the refusals (self, twice, contradicting, a second original, nesting),
history rows on every ticket touched, version checks, staff only; and the parent-blocking rule
of ticket_resolve with its override."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from tierdesk.core.errors import DomainError
from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.choices_links import LinkKind, LinkRole, opposite_role, role_of, stored_as
from tierdesk.tickets.models import Category, HistoryEvent, Ticket, TicketLink
from tierdesk.tickets.selectors_links import ticket_relations_for
from tierdesk.tickets.services import (
    ticket_child_create,
    ticket_detach_child,
    ticket_link_add,
    ticket_link_remove,
    ticket_macro_apply,
    ticket_reopen,
    ticket_resolve,
    ticket_set_parent,
    ticket_take,
    ticket_wait,
)
from tierdesk.tickets.services.macros import macro_create
from tierdesk.tickets.services.transitions import ticket_close
from tierdesk.tickets.tests.factories import make_ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def rows(ticket: Ticket, *actions: HistoryAction) -> list[tuple[str, str, str, str, bool]]:
    """The ticket's history rows of these actions: (action, field, old, new, internal)."""
    events = HistoryEvent.objects.filter(ticket=ticket, action__in=actions).order_by("at", "id")
    return [(e.action, e.field, e.old_value, e.new_value, e.is_internal) for e in events]


def code_of(service: Callable[..., Any], **kwargs: Any) -> str:
    """The code of the DomainError `service(**kwargs)` raises."""
    with pytest.raises(DomainError) as caught:
        service(**kwargs)
    return caught.value.code


@pytest.fixture
def pair(personas: Any) -> tuple[Ticket, Ticket]:
    first = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer offline")
    second = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer offline again")
    return first, second


# --- the kinds (pure) -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(LinkRole))
def test_every_role_reads_back_from_its_stored_form(role):
    kind, is_reversed = stored_as(role)
    assert role_of(kind, is_source=not is_reversed) == role
    assert opposite_role(opposite_role(role)) == role


def test_directed_kinds_read_reversed_on_the_other_side():
    assert opposite_role(LinkRole.DUPLICATE_OF) == LinkRole.DUPLICATES
    assert opposite_role(LinkRole.CAUSED_BY) == LinkRole.CAUSED
    assert opposite_role(LinkRole.RELATED) == LinkRole.RELATED


# --- links --------------------------------------------------------------------------------------


def test_a_duplicate_link_shows_on_both_tickets(personas, pair):
    duplicate, original = pair
    # when
    link = ticket_link_add(ticket=duplicate, other=original, kind="duplicate_of", by=personas.agent_l1)
    # then it is stored in its direction and each ticket names it its own way
    assert (link.from_ticket_id, link.to_ticket_id, link.kind) == (duplicate.pk, original.pk, LinkKind.DUPLICATE_OF)
    on_duplicate = ticket_relations_for(user=personas.agent_l1, ticket=fresh(duplicate)).links
    on_original = ticket_relations_for(user=personas.agent_l1, ticket=fresh(original)).links
    assert [(x.role, x.ticket.number) for x in on_duplicate] == [(LinkRole.DUPLICATE_OF, original.number)]
    assert [(x.role, x.ticket.number) for x in on_original] == [(LinkRole.DUPLICATES, duplicate.number)]


def test_a_link_added_from_the_other_side_is_the_same_row(personas, pair):
    # given "first caused second" added on the first ticket
    first, second = pair
    ticket_link_add(ticket=first, other=second, kind="caused", by=personas.agent_l1)
    # then it is stored as "second caused_by first", and adding that again is refused
    assert TicketLink.objects.get().from_ticket_id == second.pk
    assert code_of(ticket_link_add, ticket=second, other=first, kind="caused_by", by=personas.agent_l1) == (
        "link.exists"
    )
    assert TicketLink.objects.count() == 1


def test_related_is_symmetric_and_stored_once(personas, pair):
    first, second = pair
    # when linked from the higher id to the lower
    ticket_link_add(ticket=second, other=first, kind="related", by=personas.agent_l1)
    # then one row from the lower id, seen as "related" from both sides
    link = TicketLink.objects.get()
    assert (link.from_ticket_id, link.to_ticket_id) == (first.pk, second.pk)
    for ticket, other in ((first, second), (second, first)):
        links = ticket_relations_for(user=personas.agent_l1, ticket=fresh(ticket)).links
        assert [(x.role, x.ticket.pk) for x in links] == [(LinkRole.RELATED, other.pk)]
    # and the reverse direction is the same link
    assert code_of(ticket_link_add, ticket=first, other=second, kind="related", by=personas.agent_l1) == "link.exists"


def test_the_database_refuses_related_twice_a_self_link_and_a_second_original(personas, pair):
    first, second = pair
    third = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Third")
    TicketLink.objects.create(from_ticket=first, to_ticket=second, kind=LinkKind.RELATED)
    TicketLink.objects.create(from_ticket=first, to_ticket=second, kind=LinkKind.DUPLICATE_OF)
    refused = (
        (second, first, LinkKind.RELATED),
        (first, first, LinkKind.CAUSED_BY),
        (first, third, LinkKind.DUPLICATE_OF),
    )
    for source, target, kind in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            TicketLink.objects.create(from_ticket=source, to_ticket=target, kind=kind)


def test_no_self_link(personas, pair):
    ticket = pair[0]
    assert code_of(ticket_link_add, ticket=ticket, other=ticket, kind="related", by=personas.agent_l1) == "link.self"
    assert not TicketLink.objects.exists()
    assert fresh(ticket).version == 1


def test_different_kinds_between_one_pair_are_allowed(personas, pair):
    first, second = pair
    ticket_link_add(ticket=first, other=second, kind="related", by=personas.agent_l1)
    ticket_link_add(ticket=first, other=second, kind="caused_by", by=personas.agent_l1)
    roles = {x.role for x in ticket_relations_for(user=personas.agent_l1, ticket=fresh(second)).links}
    assert roles == {LinkRole.RELATED, LinkRole.CAUSED}


def test_the_opposite_directed_link_is_refused(personas, pair):
    first, second = pair
    ticket_link_add(ticket=first, other=second, kind="caused_by", by=personas.agent_l1)
    assert code_of(ticket_link_add, ticket=second, other=first, kind="caused_by", by=personas.agent_l1) == (
        "link.contradicts"
    )


def test_a_ticket_duplicates_one_original_at_most(personas, pair):
    duplicate, original = pair
    another = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer still offline")
    ticket_link_add(ticket=duplicate, other=original, kind="duplicate_of", by=personas.agent_l1)
    # when the same ticket is marked a duplicate of a third one (from that one's side)
    # then
    assert (
        code_of(ticket_link_add, ticket=another, other=duplicate, kind="duplicates", by=personas.agent_l1)
        == "link.one_original"
    )
    # while an original may have several duplicates
    ticket_link_add(ticket=another, other=original, kind="duplicate_of", by=personas.agent_l1)
    assert TicketLink.objects.filter(to_ticket=original).count() == 2


def test_unknown_kind_is_refused(personas, pair):
    first, second = pair
    assert code_of(ticket_link_add, ticket=first, other=second, kind="blocks", by=personas.agent_l1) == (
        "link.invalid_kind"
    )


def test_linking_writes_history_on_both_tickets_and_bumps_both_versions(personas, pair):
    duplicate, original = pair
    # when
    ticket_link_add(ticket=duplicate, other=original, kind="duplicate_of", by=personas.agent_l2, expected_version=1)
    # then
    assert rows(duplicate, HistoryAction.LINKED) == [("linked", "duplicate_of", "", f"#{original.number}", True)]
    assert rows(original, HistoryAction.LINKED) == [("linked", "duplicates", "", f"#{duplicate.number}", True)]
    assert (fresh(duplicate).version, fresh(original).version) == (2, 2)
    assert HistoryEvent.objects.filter(action=HistoryAction.LINKED, actor=personas.agent_l2).count() == 2


def test_removing_a_link_from_either_side_writes_history_on_both(personas, pair):
    duplicate, original = pair
    ticket_link_add(ticket=duplicate, other=original, kind="duplicate_of", by=personas.agent_l1)
    # when removed from the original's side, as listed there
    ticket_link_remove(ticket=fresh(original), other=duplicate, kind="duplicates", by=personas.agent_l1)
    # then
    assert not TicketLink.objects.exists()
    assert rows(duplicate, HistoryAction.UNLINKED) == [("unlinked", "duplicate_of", f"#{original.number}", "", True)]
    assert rows(original, HistoryAction.UNLINKED) == [("unlinked", "duplicates", f"#{duplicate.number}", "", True)]


def test_removing_a_link_that_is_not_there_is_not_found(personas, pair):
    first, second = pair
    ticket_link_add(ticket=first, other=second, kind="duplicate_of", by=personas.agent_l1)
    # the same pair, the wrong direction
    assert (
        code_of(ticket_link_remove, ticket=first, other=second, kind="duplicates", by=personas.agent_l1)
        == "link.not_found"
    )
    assert TicketLink.objects.count() == 1


def test_a_stale_version_links_nothing(personas, pair):
    first, second = pair
    ticket_take(ticket=first, by=personas.agent_l1)  # version 2 now
    assert (
        code_of(ticket_link_add, ticket=first, other=second, kind="related", by=personas.agent_l1, expected_version=1)
        == "ticket.version_conflict"
    )
    assert not TicketLink.objects.exists()
    assert not HistoryEvent.objects.filter(action=HistoryAction.LINKED).exists()
    assert fresh(second).version == 1


def test_customers_may_not_link(personas, pair):
    first, second = pair
    assert (
        code_of(ticket_link_add, ticket=first, other=second, kind="related", by=personas.customer_a)
        == "ticket.forbidden"
    )
    assert not TicketLink.objects.exists()


def test_tickets_of_two_organisations_may_be_linked_by_staff(personas, pair):
    theirs = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Same outage")
    ticket_link_add(ticket=pair[0], other=theirs, kind="caused_by", by=personas.agent_l1)
    assert TicketLink.objects.filter(from_ticket=pair[0], to_ticket=theirs).exists()


# --- child tickets --------------------------------------------------------------------------------


def test_a_child_inherits_organisation_requester_category_urgency_and_impact(personas):
    category = Category.objects.create(name="Network")
    parent = make_ticket(
        by=personas.agent_l1, requester=personas.contact_a, category=category, urgency="high", impact="high"
    )
    # when
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 12", expected_version=1)
    # then
    child = fresh(child)
    assert child.parent_id == parent.pk
    assert (child.organisation_id, child.requester_id, child.category_id) == (
        personas.org_a.pk,
        personas.contact_a.pk,
        category.pk,
    )
    assert (child.urgency, child.impact, child.priority, child.status) == ("high", "high", "p1", Status.NEW)
    assert child.version == 1
    assert rows(child, HistoryAction.CREATED, HistoryAction.CHANGED) == [
        ("created", "", "", str(child.number), False),
        ("changed", "parent", "", f"#{parent.number}", True),
    ]
    assert rows(parent, HistoryAction.CHILD_ADDED) == [("child_added", "children", "", f"#{child.number}", True)]
    assert fresh(parent).version == 2


def test_a_child_may_belong_to_another_organisation(personas):
    # given a provider-wide outage as parent, a child for a customer of another organisation
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Mail relay down")
    # when
    child = ticket_child_create(
        parent=parent, by=personas.agent_l1, subject="Mail relay down at Fjordline", requester=personas.contact_b
    )
    # then the requester's organisation wins, and the parent's requester is not carried over
    assert (child.organisation_id, child.requester_id) == (personas.org_b.pk, personas.contact_b.pk)
    # and the other organisation's customers see the child, not the parent
    assert ticket_relations_for(user=personas.customer_b, ticket=fresh(child)).parent is None
    assert ticket_relations_for(user=personas.agent_l1, ticket=fresh(child)).parent.pk == parent.pk
    assert ticket_relations_for(user=personas.customer_a, ticket=fresh(parent)).children == []


def test_an_organisation_without_requester_does_not_take_the_parents_requester(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Router", organisation=personas.org_b)
    assert (child.organisation_id, child.requester_id) == (personas.org_b.pk, None)


def test_customers_may_not_open_child_tickets(personas):
    parent = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    assert code_of(ticket_child_create, parent=parent, by=personas.customer_a, subject="Mine too") == "ticket.forbidden"
    assert Ticket.objects.count() == 1


def test_a_child_under_a_stale_parent_is_not_opened(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_take(ticket=parent, by=personas.agent_l1)
    assert (
        code_of(ticket_child_create, parent=parent, by=personas.agent_l1, subject="Workstation 3", expected_version=1)
        == "ticket.version_conflict"
    )
    assert Ticket.objects.count() == 1


def test_a_resolved_parent_takes_no_open_child(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_resolve(ticket=parent, resolution="Fixed at the source.", by=personas.agent_l1)
    loose = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Workstation 4")
    # when / then: neither a new child nor an open ticket moved under it
    assert (
        code_of(ticket_child_create, parent=fresh(parent), by=personas.agent_l1, subject="Workstation 3")
        == "ticket.parent_inactive"
    )
    assert code_of(ticket_set_parent, ticket=loose, parent=fresh(parent), by=personas.agent_l1) == (
        "ticket.parent_inactive"
    )
    # but a resolved ticket may be filed under it
    ticket_resolve(ticket=loose, resolution="Same fix.", by=personas.agent_l1)
    ticket_set_parent(ticket=fresh(loose), parent=fresh(parent), by=personas.agent_l1)
    assert fresh(loose).parent_id == parent.pk


def test_set_parent_moves_a_ticket_and_writes_history_on_all_three(personas):
    old = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Old parent")
    new = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="New parent")
    child = ticket_child_create(parent=old, by=personas.agent_l1, subject="Workstation 7")
    # when
    ticket_set_parent(ticket=child, parent=new, by=personas.agent_l2, expected_version=1)
    # then
    assert fresh(child).parent_id == new.pk
    assert rows(child, HistoryAction.CHANGED)[-1] == ("changed", "parent", f"#{old.number}", f"#{new.number}", True)
    assert rows(old, HistoryAction.CHILD_REMOVED) == [("child_removed", "children", f"#{child.number}", "", True)]
    assert rows(new, HistoryAction.CHILD_ADDED) == [("child_added", "children", "", f"#{child.number}", True)]
    assert (fresh(child).version, fresh(old).version, fresh(new).version) == (2, 3, 2)


def test_setting_the_same_parent_again_changes_nothing(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 1")
    ticket_set_parent(ticket=child, parent=fresh(parent), by=personas.agent_l1)
    assert (fresh(child).version, fresh(parent).version) == (1, 2)


def test_a_ticket_cannot_be_its_own_parent(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    assert code_of(ticket_set_parent, ticket=ticket, parent=ticket, by=personas.agent_l1) == "ticket.parent_self"
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(parent=ticket)


def test_cycles_are_refused_because_children_go_one_level_deep(personas):
    # given A with child B
    a = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="A")
    b = ticket_child_create(parent=a, by=personas.agent_l1, subject="B")
    c = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="C")
    before = (fresh(a).version, fresh(b).version, fresh(c).version)
    # when A is put under its own child: refused
    assert code_of(ticket_set_parent, ticket=fresh(a), parent=b, by=personas.agent_l1) == "ticket.parent_nested"
    # nor may a child get children (C under B), or a parent become a child (A under C)
    assert code_of(ticket_set_parent, ticket=c, parent=fresh(b), by=personas.agent_l1) == "ticket.parent_nested"
    assert code_of(ticket_child_create, parent=fresh(b), by=personas.agent_l1, subject="D") == "ticket.parent_nested"
    assert code_of(ticket_set_parent, ticket=fresh(a), parent=c, by=personas.agent_l1) == "ticket.parent_nested"
    # then nothing changed
    assert (fresh(a).version, fresh(b).version, fresh(c).version) == before
    assert (fresh(a).parent_id, fresh(c).parent_id) == (None, None)


def test_taking_a_ticket_out_of_its_parent_from_either_side(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    first = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 1")
    second = ticket_child_create(parent=fresh(parent), by=personas.agent_l1, subject="Workstation 2")
    # when: from the child's side, then from the parent's
    ticket_set_parent(ticket=first, parent=None, by=personas.agent_l1, expected_version=1)
    ticket_detach_child(ticket=fresh(parent), child=second, by=personas.agent_l1, expected_version=4)
    # then
    assert list(Ticket.objects.filter(parent=parent)) == []
    assert [row[2] for row in rows(parent, HistoryAction.CHILD_REMOVED)] == [f"#{first.number}", f"#{second.number}"]
    assert rows(second, HistoryAction.CHANGED)[-1] == ("changed", "parent", f"#{parent.number}", "", True)


def test_detaching_a_ticket_that_is_no_child_is_refused(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    stranger = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    assert code_of(ticket_detach_child, ticket=parent, child=stranger, by=personas.agent_l1) == "ticket.not_a_child"
    assert code_of(ticket_detach_child, ticket=parent, child=parent, by=personas.agent_l1) == "ticket.not_a_child"


def test_a_stale_child_version_moves_nothing(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    child = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_take(ticket=child, by=personas.agent_l1)
    assert (
        code_of(ticket_set_parent, ticket=child, parent=parent, by=personas.agent_l1, expected_version=1)
        == "ticket.version_conflict"
    )
    assert fresh(child).parent_id is None
    assert fresh(parent).version == 1


# --- the parent-blocking rule ----------------------------------------------------------------------


@pytest.fixture
def family(personas: Any) -> tuple[Ticket, Ticket, Ticket]:
    """A parent with two open children (numbers in creation order)."""
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Network down on floor 3")
    first = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    second = ticket_child_create(parent=fresh(parent), by=personas.agent_l1, subject="Workstation 32")
    return fresh(parent), first, second


def test_a_parent_with_open_children_is_not_resolved(personas, family):
    parent, first, second = family
    # when
    with pytest.raises(DomainError) as caught:
        ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1)
    # then the refusal names the open children and the override
    error = caught.value
    assert (error.code, error.http_status, error.field) == ("ticket.open_children", 409, "despite_open_children")
    assert f"#{first.number}, #{second.number}" in error.message
    assert fresh(parent).status == Status.NEW
    assert fresh(parent).version == parent.version


def test_waiting_children_block_too_and_resolved_or_closed_do_not(personas, family):
    parent, first, second = family
    ticket_resolve(ticket=first, resolution="Cable replaced.", by=personas.agent_l1)
    ticket_wait(ticket=second, on="customer", by=personas.agent_l1)
    with pytest.raises(DomainError) as caught:
        ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1)
    assert f"#{second.number}" in caught.value.message
    assert f"#{first.number}" not in caught.value.message
    # when the last one is resolved and closed
    ticket_resolve(ticket=fresh(second), resolution="Rebooted.", by=personas.agent_l1)
    ticket_close(ticket=fresh(second), by=personas.agent_l1)
    # then the parent resolves
    assert ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1).status == Status.RESOLVED


def test_resolving_the_children_then_the_parent_works(personas, family):
    parent, first, second = family
    for child in (first, second):
        ticket_resolve(ticket=child, resolution="Port re-patched.", by=personas.agent_l1)
    resolved = ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1)
    assert resolved.status == Status.RESOLVED
    assert not HistoryEvent.objects.filter(ticket=parent, field="open_children").exists()


def test_the_override_resolves_and_is_recorded_internally(personas, family):
    parent, first, second = family
    # when
    ticket_resolve(
        ticket=parent,
        resolution="Switch replaced.",
        by=personas.agent_l2,
        expected_version=parent.version,
        despite_open_children=True,
    )
    # then
    assert fresh(parent).status == Status.RESOLVED
    assert fresh(first).status == Status.NEW  # the children are left as they are
    override = HistoryEvent.objects.get(ticket=parent, field="open_children")
    numbers = f"#{first.number}, #{second.number}"
    assert (override.action, override.new_value, override.is_internal, override.actor) == (
        HistoryAction.RESOLVED,
        numbers,
        True,
        personas.agent_l2,
    )
    assert numbers in override.note
    # the public status row carries the resolution only
    status_row = HistoryEvent.objects.get(ticket=parent, field="status", action=HistoryAction.RESOLVED)
    assert (status_row.note, status_row.is_internal) == ("Switch replaced.", False)


def test_the_override_without_open_children_records_nothing_extra(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_resolve(ticket=ticket, resolution="Done.", by=personas.agent_l1, despite_open_children=True)
    assert not HistoryEvent.objects.filter(ticket=ticket, field="open_children").exists()


def test_an_already_resolved_parent_says_so_rather_than_naming_children(personas, family):
    parent, _first, _second = family
    ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1, despite_open_children=True)
    assert code_of(ticket_resolve, ticket=fresh(parent), resolution="Again", by=personas.agent_l1) == (
        "ticket.transition_not_allowed"
    )


def test_a_resolved_parent_closes_whatever_its_children_do(personas, family):
    # given a parent resolved by override while its children are open
    parent, first, _second = family
    ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1, despite_open_children=True)
    # when the auto-close rule (or an agent) closes it
    closed = ticket_close(ticket=fresh(parent), by=personas.agent_l1)
    # then it closes: the decision was taken when it was resolved
    assert closed.status == Status.CLOSED
    assert fresh(first).status == Status.NEW


def test_a_reopened_parent_is_blocked_again(personas, family):
    parent, first, second = family
    for child in (first, second):
        ticket_resolve(ticket=child, resolution="Port re-patched.", by=personas.agent_l1)
    ticket_resolve(ticket=parent, resolution="Switch replaced.", by=personas.agent_l1)
    ticket_reopen(ticket=fresh(parent), reason="Floor 3 is down again.", by=personas.agent_l1)
    ticket_reopen(ticket=fresh(first), reason="Workstation 31 again.", by=personas.agent_l1)
    assert code_of(ticket_resolve, ticket=fresh(parent), resolution="Again", by=personas.agent_l1) == (
        "ticket.open_children"
    )


def test_a_resolving_macro_obeys_the_rule(personas, family):
    parent, _first, _second = family
    macro = macro_create(by=personas.admin, name="Solved", language="en", body="Solved for you.", set_status="resolved")
    assert code_of(ticket_macro_apply, ticket=parent, macro=macro, by=personas.agent_l1) == "ticket.open_children"
    assert fresh(parent).status == Status.NEW
