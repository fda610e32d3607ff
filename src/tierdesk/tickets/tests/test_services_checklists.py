"""Checklist services: add, tick done / reopen (who and when), remove, templates (apply by hand
skipping exact duplicates, copied automatically on creation by category), the internal history
rows, version checks and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.core.errors import DomainError
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Category, ChecklistItem, ChecklistTemplate, HistoryEvent, Ticket
from tierdesk.tickets.services import (
    checklist_template_create,
    checklist_template_update,
    ticket_checklist_add,
    ticket_checklist_apply_template,
    ticket_checklist_remove,
    ticket_checklist_toggle,
)
from tierdesk.tickets.services.checklists import MAX_ITEMS_PER_TICKET
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

CHECKLIST_ACTIONS = (
    HistoryAction.CHECKLIST_ITEM_ADDED,
    HistoryAction.CHECKLIST_ITEM_DONE,
    HistoryAction.CHECKLIST_ITEM_REOPENED,
    HistoryAction.CHECKLIST_ITEM_REMOVED,
)


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def texts(ticket: Ticket) -> list[str]:
    return list(ChecklistItem.objects.filter(ticket=ticket).values_list("text", flat=True))


def rows(ticket: Ticket) -> list[tuple[str, str, str, str, bool, str]]:
    return list(
        HistoryEvent.objects.filter(ticket=ticket, action__in=CHECKLIST_ACTIONS)
        .order_by("id")
        .values_list("action", "field", "old_value", "new_value", "is_internal", "note")
    )


def test_add_appends_in_order_bumps_the_version_and_records_internal_rows(personas, ticket):
    version = fresh(ticket).version
    ticket_checklist_add(ticket=ticket, texts=["  Back up the mailbox ", "Swap the disk"], by=personas.agent_l1)
    items = ticket_checklist_add(ticket=ticket, texts=["Test the restore"], by=personas.agent_l2)
    assert texts(ticket) == ["Back up the mailbox", "Swap the disk", "Test the restore"]
    assert items[0].position == 2
    assert items[0].created_by == personas.agent_l2
    assert fresh(ticket).version == version + 2
    assert rows(ticket) == [
        ("checklist_item_added", "checklist", "", "Back up the mailbox", True, ""),
        ("checklist_item_added", "checklist", "", "Swap the disk", True, ""),
        ("checklist_item_added", "checklist", "", "Test the restore", True, ""),
    ]


def test_toggle_records_who_and_when_and_reopen_clears_them(personas, ticket):
    [item] = ticket_checklist_add(ticket=ticket, texts=["Swap the disk"], by=personas.agent_l1)
    done = ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l2)
    stored = ChecklistItem.objects.get(pk=item.pk)
    assert stored.done_by == personas.agent_l2
    assert stored.done_at is not None
    assert done.is_done
    version = fresh(ticket).version
    # ticking a done item again changes nothing (no row, no version)
    ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l1)
    assert fresh(ticket).version == version
    assert ChecklistItem.objects.get(pk=item.pk).done_by == personas.agent_l2
    ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=False, by=personas.agent_l1)
    stored = ChecklistItem.objects.get(pk=item.pk)
    assert stored.done_by is None
    assert stored.done_at is None
    assert [row[0] for row in rows(ticket)] == [
        "checklist_item_added",
        "checklist_item_done",
        "checklist_item_reopened",
    ]
    actors = HistoryEvent.objects.filter(ticket=ticket, action__in=CHECKLIST_ACTIONS[1:]).order_by("id")
    assert [event.actor for event in actors] == [personas.agent_l2, personas.agent_l1]


def test_remove_deletes_the_item_and_keeps_its_text_in_the_history(personas, ticket):
    first, _second = ticket_checklist_add(ticket=ticket, texts=["One", "Two"], by=personas.agent_l1)
    ticket_checklist_remove(ticket=ticket, item_id=first.pk, by=personas.agent_l1)
    assert texts(ticket) == ["Two"]
    assert rows(ticket)[-1] == ("checklist_item_removed", "checklist", "One", "", True, "")


def test_an_item_of_another_ticket_is_not_found(personas, ticket):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    [item] = ticket_checklist_add(ticket=other, texts=["Elsewhere"], by=personas.agent_l1)
    for call in (
        lambda: ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l1),
        lambda: ticket_checklist_remove(ticket=ticket, item_id=item.pk, by=personas.agent_l1),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "checklist.item_not_found"
        assert error.value.http_status == 404
    assert texts(other) == ["Elsewhere"]
    assert not ChecklistItem.objects.get(pk=item.pk).is_done


@pytest.mark.parametrize(
    ("items", "code"),
    [([], "checklist.text_required"), (["  "], "checklist.text_required"), (["x" * 501], "checklist.text_too_long")],
)
def test_add_refuses_bad_texts(personas, ticket, items, code):
    with pytest.raises(DomainError) as error:
        ticket_checklist_add(ticket=ticket, texts=items, by=personas.agent_l1)
    assert error.value.code == code
    assert texts(ticket) == []


def test_a_checklist_has_a_cap(personas, ticket):
    ticket_checklist_add(ticket=ticket, texts=[f"Step {i}" for i in range(MAX_ITEMS_PER_TICKET)], by=personas.agent_l1)
    with pytest.raises(DomainError) as error:
        ticket_checklist_add(ticket=ticket, texts=["One too many"], by=personas.agent_l1)
    assert error.value.code == "checklist.too_many"


def test_a_stale_version_changes_nothing(personas, ticket):
    [item] = ticket_checklist_add(ticket=ticket, texts=["One"], by=personas.agent_l1)
    stale = fresh(ticket).version - 1
    calls = (
        lambda: ticket_checklist_add(ticket=ticket, texts=["Two"], by=personas.agent_l1, expected_version=stale),
        lambda: ticket_checklist_toggle(
            ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l1, expected_version=stale
        ),
        lambda: ticket_checklist_remove(ticket=ticket, item_id=item.pk, by=personas.agent_l1, expected_version=stale),
    )
    for call in calls:
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "ticket.version_conflict"
    assert texts(ticket) == ["One"]
    assert not ChecklistItem.objects.get(pk=item.pk).is_done


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a"])
def test_customers_change_no_checklist(personas, ticket, who):
    user = getattr(personas, who)
    [item] = ticket_checklist_add(ticket=ticket, texts=["One"], by=personas.agent_l1)
    template = checklist_template_create(by=personas.case_manager, name="Onboarding", items=["Account"])
    calls = (
        lambda: ticket_checklist_add(ticket=ticket, texts=["Two"], by=user),
        lambda: ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=user),
        lambda: ticket_checklist_remove(ticket=ticket, item_id=item.pk, by=user),
        lambda: ticket_checklist_apply_template(ticket=ticket, template=template, by=user),
    )
    for call in calls:
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.code == "ticket.forbidden"
    assert texts(ticket) == ["One"]
    assert not ChecklistItem.objects.get(pk=item.pk).is_done


def test_apply_template_copies_its_items_and_skips_exact_duplicates(personas, ticket):
    ticket_checklist_add(ticket=ticket, texts=["Create the account"], by=personas.agent_l1)
    template = checklist_template_create(
        by=personas.case_manager, name="New starter", items=["Create the account", "create the account", "Laptop"]
    )
    added = ticket_checklist_apply_template(ticket=ticket, template=template, by=personas.agent_l1)
    assert [item.text for item in added] == ["create the account", "Laptop"]
    assert texts(ticket) == ["Create the account", "create the account", "Laptop"]
    assert rows(ticket)[-1] == ("checklist_item_added", "checklist", "", "Laptop", True, "from template “New starter”")
    # applying it again adds nothing
    assert ticket_checklist_apply_template(ticket=ticket, template=template, by=personas.agent_l1) == []


def test_an_inactive_template_is_not_applied(personas, ticket):
    template = checklist_template_create(by=personas.admin, name="Old", items=["Fax"], is_active=False)
    with pytest.raises(DomainError) as error:
        ticket_checklist_apply_template(ticket=ticket, template=template, by=personas.agent_l1)
    assert error.value.code == "checklist.template_inactive"
    assert texts(ticket) == []


def test_a_new_ticket_gets_the_active_templates_of_its_category_and_of_any(personas):
    network, printing = Category.objects.create(name="Network"), Category.objects.create(name="Printing")
    checklist_template_create(by=personas.case_manager, name="B network", category=network, items=["Ping", "Trace"])
    checklist_template_create(by=personas.case_manager, name="A always", items=["Ask for a screenshot", "Ping"])
    checklist_template_create(by=personas.case_manager, name="C printing", category=printing, items=["Toner"])
    checklist_template_create(by=personas.case_manager, name="D off", category=network, items=["Old"], is_active=False)
    # when a customer opens a network ticket
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, category=network)
    # then it has the items of "A always" and "B network", in template-name order, without repeats
    assert texts(ticket) == ["Ask for a screenshot", "Ping", "Trace"]
    items = ChecklistItem.objects.filter(ticket=ticket)
    assert all(item.created_by is None for item in items)
    added = HistoryEvent.objects.filter(ticket=ticket, action=HistoryAction.CHECKLIST_ITEM_ADDED)
    assert added.count() == 3
    assert all(row.is_internal and row.actor is None for row in added)
    # and a ticket without a category gets none
    assert texts(make_ticket(by=personas.agent_l1, requester=personas.contact_a)) == []


@pytest.mark.parametrize("who", ["agent_l1", "agent_l2", "customer_a"])
def test_only_administrators_and_case_managers_manage_templates(personas, who):
    with pytest.raises(DomainError) as error:
        checklist_template_create(by=getattr(personas, who), name="Mine", items=["One"])
    assert error.value.code == "checklist.template_forbidden"
    template = checklist_template_create(by=personas.admin, name="Theirs", items=["One"])
    with pytest.raises(DomainError) as error:
        checklist_template_update(template=template, by=getattr(personas, who), name="Mine")
    assert error.value.code == "checklist.template_forbidden"
    assert ChecklistTemplate.objects.get().name == "Theirs"


def test_template_update_replaces_items_and_checks_the_name(personas):
    network = Category.objects.create(name="Network")
    template = checklist_template_create(by=personas.case_manager, name="Starter", items=["One", "Two"])
    checklist_template_create(by=personas.case_manager, name="Other", items=["X"])
    checklist_template_update(template=template, by=personas.admin, items=["Three"], category=network)
    template.refresh_from_db()
    assert list(template.items.values_list("text", flat=True)) == ["Three"]
    assert template.category == network
    for changes, code in (
        ({"name": "other"}, "checklist.template_duplicate"),
        ({"name": " "}, "checklist.template_name_required"),
        ({"items": []}, "checklist.template_items_required"),
        ({"colour": "red"}, "checklist.field_not_editable"),
    ):
        with pytest.raises(DomainError) as error:
            checklist_template_update(template=template, by=personas.admin, **changes)
        assert error.value.code == code
    assert ChecklistTemplate.objects.get(pk=template.pk).name == "Starter"
