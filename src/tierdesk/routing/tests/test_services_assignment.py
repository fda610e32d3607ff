"""Automatic assignment (services_assignment.ticket_auto_assign): round-robin fairness over 100
tickets and its respect of availability, level, channels, languages and the maximum of open
tickets; least loaded; manual assignment never overwritten; the one history row it writes."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tierdesk.accounts.choices import AUTOMATION_USERNAME, Level, Role
from tierdesk.accounts.models import User
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.models import AgentPresence, AssignmentPolicy
from tierdesk.routing.services import presence_set
from tierdesk.routing.services_assignment import ticket_auto_assign
from tierdesk.routing.tests.factories import make_agent, make_policy
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.models import Category, HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_assign, ticket_create, ticket_escalate, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.usefixtures("no_rules")


def new_ticket(personas: Any, **fields: Any) -> Ticket:
    fields.setdefault("requester", personas.contact_a)
    return make_ticket(by=personas.agent_l1, **fields)


def assign_new(personas: Any, **fields: Any) -> User | None:
    return ticket_auto_assign(ticket_id=new_ticket(personas, **fields).pk)


def auto_rows() -> list[str]:
    """The assignees named by the "assigned automatically" rows, in the order they were written."""
    rows = HistoryEvent.objects.filter(action=HistoryAction.ASSIGNED_AUTOMATICALLY).order_by("id")
    return list(rows.values_list("new_value", flat=True))


# --- round robin: fairness ---------------------------------------------------------------------


@pytest.mark.parametrize("agent_count", [3, 7])
def test_round_robin_gives_each_of_n_agents_100_over_n_plus_or_minus_one(personas: Any, agent_count: int) -> None:
    # given N available first-level agents and a round-robin policy
    agents = [make_agent(f"rr{i}") for i in range(agent_count)]
    make_policy(personas.admin)
    # when 100 new tickets are assigned one after the other
    winners = [assign_new(personas, subject=f"Printer {i}") for i in range(100)]
    # then each agent got 100/N tickets, give or take one
    counts = Counter(winner.username for winner in winners if winner is not None)
    assert sum(counts.values()) == 100
    assert set(counts) == {agent.username for agent in agents}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(abs(count - 100 / agent_count) <= 1 for count in counts.values())
    # and strictly in turn: the same order every round
    names = [agent.username for agent in agents]
    assert auto_rows() == (names * 100)[:100]
    assert Counter(Ticket.objects.values_list("assignee__username", flat=True)) == counts


def test_round_robin_over_100_respects_availability_as_it_changes(personas: Any) -> None:
    # given four available agents
    _, b, c, _ = (make_agent(name) for name in ("ada", "bo", "cy", "dee"))
    make_policy(personas.admin)
    phases: list[tuple[set[str], list[str]]] = []

    def run(count: int) -> None:
        available = set(
            AgentPresence.objects.filter(status=PresenceStatus.AVAILABLE).values_list("user__username", flat=True)
        )
        phases.append((available, [assign_new(personas).username for _ in range(count)]))  # type: ignore[union-attr]

    # when 40 tickets come in, then b goes to lunch, 30 more, then c signs off and b is back, 30 more
    run(40)
    presence_set(by=b, agent=b, status=PresenceStatus.LUNCH, reason="Canteen")
    run(30)
    presence_set(by=c, agent=c, status=PresenceStatus.OFFLINE)
    presence_set(by=b, agent=b, status=PresenceStatus.AVAILABLE)
    run(30)
    # then in every phase only the available agents got tickets, evenly (give or take one)
    assert [available for available, _ in phases] == [
        {"ada", "bo", "cy", "dee"},
        {"ada", "cy", "dee"},
        {"ada", "bo", "dee"},
    ]
    for available, winners in phases:
        counts = Counter(winners)
        assert set(counts) == available
        assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(len(winners) for _, winners in phases) == 100
    assert Ticket.objects.filter(assignee__isnull=True).count() == 0


def test_round_robin_turn_survives_an_agent_leaving_the_rotation(personas: Any) -> None:
    a, b, c = (make_agent(name) for name in ("ann", "ben", "cat"))
    make_policy(personas.admin)
    assert [assign_new(personas) for _ in range(2)] == [a, b]
    # the next in turn (cat) goes on a break: the turn passes to ann, not back to ben
    presence_set(by=c, agent=c, status=PresenceStatus.BREAK)
    assert [assign_new(personas) for _ in range(3)] == [a, b, a]


# --- availability, level, channels, languages, maximum -----------------------------------------


@pytest.mark.parametrize(
    "status", [PresenceStatus.BREAK, PresenceStatus.LUNCH, PresenceStatus.MEETING, PresenceStatus.OFFLINE]
)
def test_agents_who_are_not_available_are_never_chosen(personas: Any, status: str) -> None:
    away = make_agent("away", status=status)
    here = make_agent("here")
    make_agent("never-set", status=None)  # signed in or not: no presence row is offline
    make_policy(personas.admin)
    assert {assign_new(personas) for _ in range(6)} == {here}
    assert not Ticket.objects.filter(assignee=away).exists()


def test_nobody_available_leaves_the_ticket_unassigned(personas: Any) -> None:
    make_agent("away", status=PresenceStatus.BREAK)
    make_policy(personas.admin)
    ticket = new_ticket(personas)
    assert ticket_auto_assign(ticket_id=ticket.pk) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.status == Status.NEW
    assert auto_rows() == []


def test_agents_at_their_maximum_of_open_tickets_get_no_more(personas: Any) -> None:
    # given two agents and a maximum of two open tickets each
    a, b = make_agent("ann"), make_agent("ben")
    make_policy(personas.admin, max_open_tickets=2)
    # when five tickets come in
    winners = [assign_new(personas) for _ in range(5)]
    # then each has two, and the fifth waits
    assert winners == [a, b, a, b, None]
    # when ann resolves one, she has room again; finished tickets do not count
    ticket_resolve(ticket=Ticket.objects.filter(assignee=a).earliest("id"), by=a, resolution="Driver reinstalled.")
    assert ticket_auto_assign(ticket_id=Ticket.objects.get(assignee__isnull=True).pk) == a


def test_only_agents_of_the_tickets_level_are_chosen(personas: Any) -> None:
    first = make_agent("first")
    second = make_agent("second", level=Level.SECOND)
    make_policy(personas.admin)
    make_policy(personas.admin, name="Second level desk", level=Level.SECOND)
    assert {assign_new(personas) for _ in range(4)} == {first}
    # an escalated ticket enters second level unassigned and goes to a second-level agent
    ticket = new_ticket(personas)
    ticket_escalate(ticket=ticket, to_level=Level.SECOND, handover_note="Needs the database team.", by=first)
    assert ticket_auto_assign(ticket_id=ticket.pk) == second


def test_inactive_staff_customers_and_the_automation_user_are_never_chosen(personas: Any) -> None:
    gone = make_agent("gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    robot = make_agent(AUTOMATION_USERNAME, role=Role.CASE_MANAGER, status=None)
    AgentPresence.objects.create(user=robot, status=PresenceStatus.AVAILABLE, changed_at=gone.date_joined)
    here = make_agent("here")
    make_policy(personas.admin)
    assert {assign_new(personas) for _ in range(4)} == {here}


def test_agents_who_list_channels_get_only_tickets_of_those_channels(personas: Any) -> None:
    phone_only = make_agent("phone-only", channels=[Channel.PHONE])
    mail_and_phone = make_agent("mail-and-phone", channels=[Channel.EMAIL, Channel.PHONE])
    everything = make_agent("everything")  # lists no channels: handles all
    make_policy(personas.admin)
    mail = {assign_new(personas, channel=Channel.EMAIL) for _ in range(4)}
    portal = {assign_new(personas, channel=Channel.PORTAL) for _ in range(3)}
    phone = {assign_new(personas, channel=Channel.PHONE) for _ in range(6)}
    assert mail == {mail_and_phone, everything}
    assert portal == {everything}
    assert phone == {phone_only, mail_and_phone, everything}


def test_speakers_of_the_customers_language_come_first(personas: Any) -> None:
    # contact_b writes Norwegian; contact_a English
    norwegian = make_agent("nora", languages=["nb", "en"])
    english = make_agent("eric", languages=["en"])
    make_agent("nolang")  # lists no language
    make_policy(personas.admin, respect_language=True)
    assert {assign_new(personas, requester=personas.contact_b) for _ in range(4)} == {norwegian}
    assert {assign_new(personas, requester=personas.contact_a) for _ in range(4)} == {norwegian, english}


def test_the_organisations_language_counts_when_there_is_no_requester(personas: Any) -> None:
    dutch = make_agent("daan", languages=["nl"])
    make_agent("eric", languages=["en"])
    make_policy(personas.admin, respect_language=True)
    # org_a's language is Dutch
    ticket = ticket_create(by=personas.agent_l1, organisation=personas.org_a, subject="Scanner jammed")
    assert ticket_auto_assign(ticket_id=ticket.pk) == dutch


def test_when_no_speaker_is_eligible_anybody_eligible_gets_the_ticket(personas: Any) -> None:
    norwegian = make_agent("nora", languages=["nb"])
    english = make_agent("eric", languages=["en"])
    make_policy(personas.admin, respect_language=True)
    presence_set(by=norwegian, agent=norwegian, status=PresenceStatus.MEETING)
    assert assign_new(personas, requester=personas.contact_b) == english


def test_without_respect_for_language_the_turn_decides(personas: Any) -> None:
    norwegian = make_agent("nora", languages=["nb"])
    english = make_agent("eric", languages=["en"])
    make_policy(personas.admin, respect_language=False)
    assert [assign_new(personas, requester=personas.contact_b) for _ in range(2)] == [norwegian, english]


# --- least loaded ------------------------------------------------------------------------------


def test_least_loaded_picks_the_agent_with_the_fewest_open_tickets(personas: Any) -> None:
    a, b, c = (make_agent(name) for name in ("ann", "ben", "cat"))
    for agent, load in ((a, 3), (b, 1), (c, 2)):
        for _ in range(load):
            ticket_assign(ticket=new_ticket(personas), assignee=agent, by=personas.case_manager)
    make_policy(personas.admin, mode=AssignmentMode.LEAST_LOADED)
    # ben (1) gets one; then ben and cat have two each, and cat, never given one by routing,
    # waited longest; then ben (2); then all have three, and ann waited longest.
    assert [assign_new(personas) for _ in range(4)] == [b, c, b, a]


def test_least_loaded_breaks_ties_by_the_longest_since_the_last_assignment(personas: Any) -> None:
    a, b = make_agent("ann"), make_agent("ben")
    make_policy(personas.admin, mode=AssignmentMode.LEAST_LOADED)
    first = assign_new(personas)  # ann (by id: neither ever got one)
    second = assign_new(personas)  # ben, who has fewer
    # both have one; ann waited longest since her last one
    ticket_resolve(ticket=Ticket.objects.get(assignee=a), by=a, resolution="Cable replaced.")
    ticket_resolve(ticket=Ticket.objects.get(assignee=b), by=b, resolution="Cable replaced.")
    assert (first, second, assign_new(personas)) == (a, b, a)


# --- policies ----------------------------------------------------------------------------------


def test_a_categorys_policy_wins_over_its_levels(personas: Any) -> None:
    printing = Category.objects.create(name="Printing")
    network = Category.objects.create(name="Network")
    a, b = make_agent("ann"), make_agent("ben")
    make_policy(personas.admin, mode=AssignmentMode.ROUND_ROBIN)
    make_policy(personas.admin, name="Printing queue", category_id=printing.pk, mode=AssignmentMode.LEAST_LOADED)
    make_policy(personas.admin, name="Network by hand", category_id=network.pk, mode=AssignmentMode.OFF)
    assert assign_new(personas, category=network) is None
    assert assign_new(personas, category=printing) == a  # least loaded: tie, by id
    assert assign_new(personas, category=printing) == b
    assert assign_new(personas) == a  # the level's round robin has its own turn
    notes = list(
        HistoryEvent.objects.filter(action=HistoryAction.ASSIGNED_AUTOMATICALLY).order_by("id").values_list("note")
    )
    expected = "Given to the least loaded agent by the assignment policy “Printing queue”."
    assert [note for (note,) in notes][:1] == [expected]


def test_no_policy_an_inactive_one_or_off_assigns_nobody(personas: Any) -> None:
    make_agent("ann")
    assert assign_new(personas) is None
    policy = make_policy(personas.admin, is_active=False)
    assert assign_new(personas) is None
    AssignmentPolicy.objects.filter(pk=policy.pk).update(is_active=True, mode=AssignmentMode.OFF)
    assert assign_new(personas) is None
    assert auto_rows() == []


# --- manual assignment, history ------------------------------------------------------------------


def test_a_ticket_assigned_by_hand_is_never_taken_away(personas: Any) -> None:
    make_agent("ann")
    make_policy(personas.admin)
    ticket = new_ticket(personas)
    ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    assert ticket_auto_assign(ticket_id=ticket.pk) is None
    ticket.refresh_from_db()
    assert ticket.assignee == personas.agent_l2
    assert auto_rows() == []


def test_a_case_manager_can_reassign_an_automatically_assigned_ticket(personas: Any) -> None:
    ann = make_agent("ann")
    make_policy(personas.admin)
    ticket = new_ticket(personas)
    assert ticket_auto_assign(ticket_id=ticket.pk) == ann
    ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    assert ticket_auto_assign(ticket_id=ticket.pk) is None  # a rerun of the task changes nothing
    ticket.refresh_from_db()
    assert ticket.assignee == personas.agent_l2


def test_finished_tickets_are_not_assigned(personas: Any) -> None:
    make_agent("ann")
    make_policy(personas.admin)
    ticket = new_ticket(personas)
    ticket_resolve(ticket=ticket, by=personas.agent_l1, resolution="Solved on the phone.")
    assert ticket_auto_assign(ticket_id=ticket.pk) is None
    assert ticket_auto_assign(ticket_id=999999) is None


def test_the_history_says_assigned_automatically_by_the_policy_in_one_row(personas: Any) -> None:
    ann = make_agent("ann")
    policy = make_policy(personas.admin, name="Morning desk")
    ticket = new_ticket(personas)
    ticket_auto_assign(ticket_id=ticket.pk)
    rows = HistoryEvent.objects.filter(ticket=ticket, field="assignee")
    assert rows.count() == 1
    row = rows.get()
    assert row.action == HistoryAction.ASSIGNED_AUTOMATICALLY
    assert row.actor is not None
    assert row.actor.username == AUTOMATION_USERNAME
    assert (row.channel, row.old_value, row.new_value) == (Channel.SYSTEM, "", "ann")
    assert row.note == "Given to the next agent in turn by the assignment policy “Morning desk”."
    assert not row.is_internal
    ticket.refresh_from_db()
    assert ticket.assignee == ann
    assert ticket.status == Status.OPEN
    policy.refresh_from_db()
    assert policy.last_assigned_user == ann
    assert policy.last_assigned_at is not None
    assert AgentPresence.objects.get(user=ann).last_assigned_at == policy.last_assigned_at


def test_choosing_an_agent_is_a_fixed_number_of_queries_however_many_agents(personas: Any) -> None:
    for i in range(30):
        make_agent(f"agent{i}", languages=["en"])
    make_policy(personas.admin, respect_language=True)
    for _ in range(20):  # load on everyone
        assign_new(personas)
    ticket = new_ticket(personas)
    with assert_max_queries(16):
        assert ticket_auto_assign(ticket_id=ticket.pk) is not None
