"""Automatic assignment: a ticket that is new, or entered a level, without an assignee gets one from
its policy (round robin or least loaded), through the tickets' own assign service acting as the
automation user, with one history row "assigned automatically" naming the policy and its mode.

Concurrency: the ticket row, then the policy row, then the chosen agent's presence row are locked
in that order (`SELECT ... FOR UPDATE`; SQLite's IMMEDIATE transactions serialise writers anyway).
The policy lock makes the round-robin cursor a single writer across worker processes; the presence
lock, with the eligibility check repeated under it, keeps an agent who just went on break or whom
another policy just filled up from getting the ticket. A ticket that somebody assigned by hand
meanwhile is left alone: manual assignment always wins."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import AgentProfile, User
from tierdesk.accounts.services import automation_user
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.models import AgentPresence, AssignmentPolicy
from tierdesk.routing.selectors import (
    assignment_is_on,
    is_eligible,
    next_agent,
    policy_for_ticket,
    waiting_ticket_ids,
)
from tierdesk.tickets.choices import Channel, HistoryAction
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.services import ticket_assign

logger = logging.getLogger(__name__)

# Agents found ineligible under their lock before giving up (they changed in the last instant).
MAX_ATTEMPTS = 5
# Tickets handed out at once when an agent becomes available or frees a slot: the queue's head.
WAITING_BATCH = 25


def _note(policy: AssignmentPolicy) -> str:
    # A whole sentence per mode: a mode's label pasted into a sentence does not translate well.
    if policy.mode == AssignmentMode.LEAST_LOADED:
        text = _("Given to the least loaded agent by the assignment policy “%(policy)s”.")
    else:
        text = _("Given to the next agent in turn by the assignment policy “%(policy)s”.")
    return text % {"policy": policy.name}


@transaction.atomic
def ticket_auto_assign(*, ticket_id: int) -> User | None:
    """Give the ticket to the agent its policy picks; None when it has an assignee already, is
    finished, has no policy (or `off`), or nobody is eligible now (it waits in the queue until an
    agent becomes available or frees a slot)."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organisation", "requester")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.assignee_id is not None or ticket.status not in ACTIVE_STATUSES:
        return None
    policy = policy_for_ticket(ticket, lock=True)
    if policy is None or policy.mode == AssignmentMode.OFF:
        return None
    excluded: set[int] = set()
    for _attempt in range(MAX_ATTEMPTS):
        agent = next_agent(policy=policy, ticket=ticket, exclude=frozenset(excluded))
        if agent is None:
            return None
        presence = AgentPresence.objects.select_for_update().filter(user_id=agent.pk).first()
        if presence is not None and is_eligible(policy=policy, ticket=ticket, agent_id=agent.pk):
            break
        excluded.add(agent.pk)
    else:
        return None
    now = timezone.now()
    ticket_assign(
        ticket=ticket,
        assignee=agent,
        by=automation_user(),
        channel=Channel.SYSTEM,
        history_action=HistoryAction.ASSIGNED_AUTOMATICALLY,
        note=_note(policy),
    )
    policy.last_assigned_user, policy.last_assigned_at = agent, now
    policy.save(update_fields=["last_assigned_user", "last_assigned_at"])
    presence.last_assigned_at = now
    presence.save(update_fields=["last_assigned_at"])
    logger.info("ticket %s assigned to %s by policy %s (%s)", ticket.number, agent.username, policy.pk, policy.mode)
    return agent


def tickets_assign_waiting(*, agent_id: int, limit: int = WAITING_BATCH) -> int:
    """An agent became available (or freed a slot): hand out the head of their level's queue of
    unassigned tickets, at most `limit`, by the ordinary policies (so a colleague may get some
    too). One transaction per ticket, so that no lock is held across the batch. Returns how many
    were assigned."""
    profile = (
        AgentProfile.objects.filter(user_id=agent_id, user__presence__status=PresenceStatus.AVAILABLE)
        .only("level")
        .first()
    )
    if profile is None or not assignment_is_on():
        return 0
    assigned = 0
    for ticket_id in waiting_ticket_ids(level=profile.level, limit=limit):
        if ticket_auto_assign(ticket_id=ticket_id) is not None:
            assigned += 1
    return assigned


def tickets_assign_after_release(*, ticket_id: int) -> int:
    """A ticket was resolved or closed: its assignee has a slot free for the waiting tickets."""
    assignee_id = Ticket.objects.filter(pk=ticket_id).values_list("assignee_id", flat=True).first()
    if assignee_id is None:
        return 0
    return tickets_assign_waiting(agent_id=assignee_id)
