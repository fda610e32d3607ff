"""Following a ticket through the services: who may add and remove whom, the history rows
(internal for colleagues), version checks, and the followers an internal note's @mentions add
(a public reply's @names do nothing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from tierdesk.accounts.tests.factories import AgentFactory, ContactFactory
from tierdesk.core.errors import DomainError
from tierdesk.core.events import _handlers, subscribe
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.events import StaffMentioned
from tierdesk.tickets.models import Comment, HistoryEvent, Ticket, TicketWatcher
from tierdesk.tickets.services import ticket_comment_add, ticket_unwatch, ticket_watch
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    """Anna's ticket (organisation A)."""
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def followers(ticket: Ticket) -> list[tuple[str | None, str | None]]:
    rows = TicketWatcher.objects.filter(ticket=ticket).select_related("user", "contact")
    return [(row.user.username if row.user else None, row.contact.name if row.contact else None) for row in rows]


def watcher_rows(ticket: Ticket) -> list[tuple[str, str, str, bool, str]]:
    rows = HistoryEvent.objects.filter(
        ticket=ticket, action__in=[HistoryAction.WATCHER_ADDED, HistoryAction.WATCHER_REMOVED]
    ).order_by("id")
    return [(row.action, row.old_value, row.new_value, row.is_internal, str(row.actor)) for row in rows]


def code_of(service: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(DomainError) as caught:
        service(**kwargs)
    return caught.value.code


# --- staff ---------------------------------------------------------------------------------------


def test_an_agent_follows_and_unfollows_with_internal_history_and_new_versions(personas, ticket):
    version = ticket.version
    # when
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l1, expected_version=version)
    # then
    assert followers(ticket) == [("l1", None)]
    assert fresh(ticket).version == version + 1
    # when
    ticket_unwatch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l1, expected_version=version + 1)
    # then
    assert followers(ticket) == []
    assert fresh(ticket).version == version + 2
    assert watcher_rows(ticket) == [
        ("watcher_added", "", "l1", True, "l1"),
        ("watcher_removed", "l1", "", True, "l1"),
    ]


def test_staff_add_a_colleague_and_a_contact_of_the_organisation(personas, ticket):
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l2)
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    assert followers(ticket) == [("l2", None), (None, "Bram de Wit")]
    # a colleague's row is internal, a contact's is public
    assert watcher_rows(ticket) == [
        ("watcher_added", "", "l2", True, "l1"),
        ("watcher_added", "", "Bram de Wit", False, "l1"),
    ]
    assert TicketWatcher.objects.get(ticket=ticket, contact=personas.contact_a2).added_by == personas.agent_l1
    # and a colleague removes them again
    ticket_unwatch(ticket=ticket, by=personas.case_manager, contact=personas.contact_a2)
    ticket_unwatch(ticket=ticket, by=personas.case_manager, user=personas.agent_l2)
    assert followers(ticket) == []


@pytest.mark.parametrize(
    ("target", "code"),
    [
        (lambda p: {"contact": p.contact_b}, "watcher.foreign_contact"),  # another organisation's contact
        (lambda p: {"contact": p.contact_a}, "watcher.is_requester"),  # gets the updates already
        (lambda p: {"user": p.customer_a2}, "watcher.not_staff"),  # a customer's login as "staff"
        (lambda p: {}, "watcher.target"),
        (lambda p: {"user": p.agent_l2, "contact": p.contact_a2}, "watcher.target"),
    ],
)
def test_staff_cannot_add_who_may_not_follow(personas, ticket, target, code):
    before = fresh(ticket).version
    assert code_of(ticket_watch, ticket=ticket, by=personas.agent_l1, **target(personas)) == code
    assert (followers(ticket), fresh(ticket).version) == ([], before)


def test_inactive_colleagues_and_contacts_without_address_cannot_follow(personas, ticket):
    gone = AgentFactory.create(username="gone", is_active=False)
    silent = ContactFactory.create(organisation=personas.org_a, name="Dirk Silent", email="")
    inactive = ContactFactory.create(organisation=personas.org_a, name="Eva Left", is_active=False)
    assert code_of(ticket_watch, ticket=ticket, by=personas.agent_l1, user=gone) == "watcher.not_staff"
    assert code_of(ticket_watch, ticket=ticket, by=personas.agent_l1, contact=silent) == "watcher.no_email"
    assert code_of(ticket_watch, ticket=ticket, by=personas.agent_l1, contact=inactive) == "watcher.foreign_contact"


def test_following_twice_is_a_conflict_and_unfollowing_a_stranger_not_found(personas, ticket):
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l1)
    version = fresh(ticket).version
    assert code_of(ticket_watch, ticket=ticket, by=personas.agent_l2, user=personas.agent_l1) == "watcher.exists"
    assert code_of(ticket_unwatch, ticket=ticket, by=personas.agent_l1, user=personas.agent_l2) == "watcher.not_found"
    assert fresh(ticket).version == version


def test_a_stale_version_changes_nothing(personas, ticket):
    stale = ticket.version
    ticket_watch(ticket=ticket, by=personas.agent_l2, user=personas.agent_l2)
    code = code_of(ticket_watch, ticket=ticket, by=personas.agent_l1, user=personas.agent_l1, expected_version=stale)
    assert code == "ticket.version_conflict"
    code = code_of(ticket_unwatch, ticket=ticket, by=personas.agent_l1, user=personas.agent_l2, expected_version=stale)
    assert code == "ticket.version_conflict"
    assert followers(ticket) == [("l2", None)]


def test_the_database_holds_one_row_per_follower_and_exactly_one_kind(personas, ticket):
    TicketWatcher.objects.create(ticket=ticket, user=personas.agent_l1)
    for row in (
        {"user": personas.agent_l1},
        {"user": personas.agent_l2, "contact": personas.contact_a2},
        {},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            TicketWatcher.objects.create(ticket=ticket, **row)
    TicketWatcher.objects.create(ticket=ticket, contact=personas.contact_a2)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketWatcher.objects.create(ticket=ticket, contact=personas.contact_a2)


# --- customers -----------------------------------------------------------------------------------


def test_a_customer_admin_follows_and_unfollows_themself(personas, ticket):
    cora = personas.customer_admin_a.contact
    ticket_watch(ticket=ticket, by=personas.customer_admin_a, contact=cora, channel="portal")
    assert followers(ticket) == [(None, "Cora Jansen")]
    ticket_unwatch(ticket=ticket, by=personas.customer_admin_a, contact=cora, channel="portal")
    assert followers(ticket) == []
    assert watcher_rows(ticket) == [
        ("watcher_added", "", "Cora Jansen", False, "cora"),
        ("watcher_removed", "Cora Jansen", "", False, "cora"),
    ]


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("customer_admin_a", lambda p: {"contact": p.contact_a2}, "ticket.forbidden"),  # somebody else
        ("customer_admin_a", lambda p: {"user": p.agent_l1}, "ticket.forbidden"),
        ("customer_a2", lambda p: {"contact": p.contact_a2}, "ticket.forbidden"),  # cannot see the ticket
        ("customer_b", lambda p: {"contact": p.contact_b}, "ticket.forbidden"),
        ("customer_a", lambda p: {"contact": p.contact_a}, "watcher.is_requester"),
    ],
)
def test_customers_follow_only_themselves_on_tickets_they_see(personas, ticket, who, target, code):
    before = fresh(ticket).version
    assert code_of(ticket_watch, ticket=ticket, by=getattr(personas, who), **target(personas)) == code
    assert (followers(ticket), fresh(ticket).version) == ([], before)


def test_a_customer_cannot_remove_another_follower(personas, ticket):
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    code = code_of(ticket_unwatch, ticket=ticket, by=personas.customer_admin_a, contact=personas.contact_a2)
    assert code == "ticket.forbidden"
    assert followers(ticket) == [(None, "Bram de Wit")]


# --- @mentions -----------------------------------------------------------------------------------


@pytest.fixture
def mentioned() -> Iterator[list[StaffMentioned]]:
    """The StaffMentioned events delivered (after commit) to a subscriber."""
    seen: list[StaffMentioned] = []

    def handler(event: StaffMentioned) -> None:
        seen.append(event)

    subscribe(StaffMentioned)(handler)
    yield seen
    _handlers[StaffMentioned].remove(handler)


@pytest.fixture
def note(django_capture_on_commit_callbacks: Any) -> Callable[..., Comment]:
    """ticket_comment_add, with its events delivered as a real commit would."""

    def add(**kwargs: Any) -> Comment:
        with django_capture_on_commit_callbacks(execute=True):
            return ticket_comment_add(**kwargs)

    return add


def test_an_internal_note_mentioning_colleagues_makes_them_followers_and_tells_them(personas, ticket, mentioned, note):
    personas.agent_l1.watched_tickets.create(ticket=ticket)  # the author follows already
    version = fresh(ticket).version
    # when
    added = note(
        ticket=ticket,
        body="@L2 and @cm, see the log. Also @l1 (me), @nobody, and mail anna@harbour.example. @l2 again.",
        by=personas.agent_l1,
        is_internal=True,
        expected_version=version,
    )
    # then both colleagues follow, each with an internal history row, in one version step
    assert followers(ticket) == [("l1", None), ("l2", None), ("cm", None)]
    assert watcher_rows(ticket) == [
        ("watcher_added", "", "l2", True, "l1"),
        ("watcher_added", "", "cm", True, "l1"),
    ]
    assert fresh(ticket).version == version + 1
    assert mentioned == [
        StaffMentioned(
            ticket_id=ticket.pk, comment_id=added.pk, user_ids=(personas.agent_l2.pk, personas.case_manager.pk)
        )
    ]


def test_a_mentioned_follower_is_told_again_but_not_added_twice(personas, ticket, mentioned, note):
    ticket_watch(ticket=ticket, by=personas.agent_l2, user=personas.agent_l2)
    added = note(ticket=ticket, body="@l2 over to you", by=personas.agent_l1, is_internal=True)
    assert followers(ticket) == [("l2", None)]
    assert mentioned == [StaffMentioned(ticket_id=ticket.pk, comment_id=added.pk, user_ids=(personas.agent_l2.pk,))]


def test_inactive_colleagues_and_customers_are_not_mentioned(personas, ticket, mentioned, note):
    AgentFactory.create(username="retired", is_active=False)
    note(ticket=ticket, body="@retired @anna @cora", by=personas.agent_l1, is_internal=True)
    assert followers(ticket) == []
    assert mentioned == []


@pytest.mark.parametrize("who", ["agent_l1", "customer_a"])
def test_a_public_reply_mentions_nobody(personas, ticket, mentioned, note, who):
    # Customers must not be able to page staff by name, and a staff reply goes to the customer.
    note(ticket=ticket, body="@l2 @cm please help", by=getattr(personas, who))
    assert followers(ticket) == []
    assert mentioned == []
    assert Comment.objects.filter(ticket=ticket).count() == 1
