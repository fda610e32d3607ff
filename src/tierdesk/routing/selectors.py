"""Reads of the routing domain: presence for colleagues, assignment policies, and the agents a
policy may hand a ticket to, in the order it would choose them (all computed in one SQL query).

Who is eligible (docs/ARCHITECTURE.md, "Routing"): an active staff member, not the automation
user, with an agent profile at the policy's level, presence `available`, who handles the ticket's
channel (or lists no channels: all), and has fewer open tickets than the policy's maximum. With
`respect_language`, agents who list the customer's language come first; when none of them is
eligible, the others are (a ticket is better answered in English than not at all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import staff_users
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.errors import AgentNotFound, PolicyNotFound
from tierdesk.routing.models import AgentPresence, AssignmentPolicy
from tierdesk.routing.permissions import can_have_presence, can_see_policies, can_see_presence
from tierdesk.routing.sql import JsonListHas
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import ACTIVE_STATUSES

# --- presence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Presence:
    """An agent's presence as shown: offline (and never changed) when the agent has no row yet."""

    user: User
    status: str
    reason: str
    changed_at: datetime | None


def _presence(user: User, row: AgentPresence | None) -> Presence:
    if row is None:
        return Presence(user=user, status=PresenceStatus.OFFLINE, reason="", changed_at=None)
    return Presence(user=user, status=row.status, reason=row.reason, changed_at=row.changed_at)


def _presence_of(user: User) -> Presence:
    try:
        row: AgentPresence | None = user.presence  # type: ignore[attr-defined]
    except AgentPresence.DoesNotExist:
        row = None
    return _presence(user, row)


def presence_of(*, user: User) -> Presence:
    """The caller's own presence (one query)."""
    return _presence(user, AgentPresence.objects.filter(user=user).first())


def staff_with_presence() -> QuerySet[User]:
    """Every staff member who can be present, with presence and agent profile joined."""
    return staff_users().select_related("presence")


def presence_list_for(*, user: Any, status: str | None = None, level: str | None = None) -> QuerySet[User]:
    """Colleagues and their presence for staff (by user name); nobody else sees any."""
    if not can_see_presence(user):
        return User.objects.none()
    users = staff_with_presence().order_by("username", "id")
    if status == PresenceStatus.OFFLINE:
        users = users.filter(Q(presence__isnull=True) | Q(presence__status=PresenceStatus.OFFLINE))
    elif status:
        users = users.filter(presence__status=status)
    if level:
        users = users.filter(agent__level=level)
    return users


def presence_rows(users: QuerySet[User] | list[User]) -> list[Presence]:
    """The presence of users read with `staff_with_presence` (no further query)."""
    return [_presence_of(user) for user in users]


def agent_get_for(*, user: Any, agent_id: Any) -> User:
    """A staff member whose presence the caller may see; unknown and unseen look the same."""
    try:
        agent = staff_with_presence().get(pk=int(agent_id)) if can_see_presence(user) else None
    except (User.DoesNotExist, ValueError, TypeError):
        agent = None
    if agent is None or not can_have_presence(agent):
        raise AgentNotFound(_("No such agent."))
    return agent


# --- policies ----------------------------------------------------------------------------------


def policy_list_for(*, user: Any) -> QuerySet[AssignmentPolicy]:
    if not can_see_policies(user):
        return AssignmentPolicy.objects.none()
    return AssignmentPolicy.objects.select_related("category", "last_assigned_user").order_by(
        "level", F("category__name").asc(nulls_first=True), "id"
    )


def policy_get_for(*, user: Any, policy_id: Any) -> AssignmentPolicy:
    try:
        return policy_list_for(user=user).get(pk=int(policy_id))
    except (AssignmentPolicy.DoesNotExist, ValueError, TypeError):
        raise PolicyNotFound(_("No such assignment policy.")) from None


def assignment_is_on() -> bool:
    """Whether any policy assigns automatically: without one, ticket events need no task."""
    return AssignmentPolicy.objects.filter(is_active=True).exclude(mode=AssignmentMode.OFF).exists()


def policy_for_ticket(ticket: Ticket, *, lock: bool = False) -> AssignmentPolicy | None:
    """The active policy of the ticket's category at its level, else its level's general one.

    With `lock`, the row is read `FOR UPDATE`: the round-robin cursor is read and moved under it."""
    policies = AssignmentPolicy.objects.filter(is_active=True, level=ticket.level).filter(
        Q(category__isnull=True) | Q(category_id=ticket.category_id)
    )
    if lock:
        policies = policies.select_for_update(of=("self",))
    # The category's own policy first (nulls last), then the level's general one.
    return policies.order_by(F("category_id").asc(nulls_last=True)).first()


# --- who gets the ticket -------------------------------------------------------------------------


def ticket_language(ticket: Ticket) -> str:
    """The language the customer is answered in: the requester's, else the organisation's."""
    if ticket.requester is not None:
        return str(ticket.requester.language)
    return str(ticket.organisation.language)


def with_open_tickets(users: QuerySet[User]) -> QuerySet[User]:
    """Adds `open_tickets`: how many unfinished tickets each user is assigned.

    A count per user in a correlated subquery, read off the (assignee, status) index; a join with
    GROUP BY would walk every ticket of every candidate (bench/workspace.py: 50 agents with 1,800
    open tickets each, 440 ms per pick on SQLite and 70 ms on PostgreSQL that way)."""
    open_of_user = (
        Ticket.objects.filter(assignee_id=OuterRef("pk"), status__in=sorted(ACTIVE_STATUSES))
        .order_by()
        .values("assignee_id")
        # COUNT(*), not COUNT(id): the id is not in the index, and PostgreSQL would read every
        # open ticket's row to count it (165 ms instead of 11 ms for 51 agents, bench/workspace.py).
        .annotate(n=Count("*"))
        .values("n")
    )
    return users.annotate(open_tickets=Coalesce(Subquery(open_of_user, output_field=IntegerField()), 0))


def eligible_agents(*, policy: AssignmentPolicy, channel: str) -> QuerySet[User]:
    """Agents the policy may give a ticket of `channel` to now, annotated with `open_tickets`."""
    agents = staff_users().filter(
        Q(agent__channels=[]) | Q(JsonListHas("agent__channels", channel)),
        agent__level=policy.level,
        presence__status=PresenceStatus.AVAILABLE,
    )
    # (the django-stubs plugin does not see annotations as lookups)
    return with_open_tickets(agents).filter(open_tickets__lt=policy.max_open_tickets)  # type: ignore[misc]


def agents_in_turn(
    *, policy: AssignmentPolicy, channel: str, language: str, exclude: frozenset[int] = frozenset()
) -> QuerySet[User]:
    """The eligible agents in the order the policy's mode picks them: the first one gets the ticket.

    Round robin: the first agent (by id) after the policy's cursor, wrapping around. Least loaded:
    the fewest open tickets, then the longest since routing last gave them one. Speakers of the
    customer's language come before everyone else when the policy respects language."""
    agents = eligible_agents(policy=policy, channel=channel)
    if exclude:
        agents = agents.exclude(pk__in=exclude)
    order: list[Any] = []
    if policy.respect_language:
        agents = agents.annotate(
            speaks=Case(
                When(JsonListHas("agent__languages", language), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        order.append(F("speaks").desc())
    if policy.mode == AssignmentMode.LEAST_LOADED:
        order += ["open_tickets", F("presence__last_assigned_at").asc(nulls_first=True), "id"]
    else:
        cursor = policy.last_assigned_user_id
        after_cursor = Case(When(pk__gt=cursor, then=Value(0)), default=Value(1), output_field=IntegerField())
        order += [after_cursor, "id"] if cursor is not None else ["id"]
    return agents.order_by(*order)


def next_agent(*, policy: AssignmentPolicy, ticket: Ticket, exclude: frozenset[int] = frozenset()) -> User | None:
    """The agent the policy picks for the ticket now, or None when nobody is eligible (one query)."""
    return agents_in_turn(
        policy=policy, channel=ticket.channel, language=ticket_language(ticket), exclude=exclude
    ).first()


def is_eligible(*, policy: AssignmentPolicy, ticket: Ticket, agent_id: int) -> bool:
    return eligible_agents(policy=policy, channel=ticket.channel).filter(pk=agent_id).exists()


def waiting_ticket_ids(*, level: str, limit: int) -> list[int]:
    """The unassigned, unfinished tickets of a level, head of the queue first (priority, deadline, age)."""
    return list(
        Ticket.objects.filter(level=level, assignee__isnull=True, status__in=sorted(ACTIVE_STATUSES))
        .order_by("priority", F("due_at").asc(nulls_last=True), "created_at", "id")
        .values_list("id", flat=True)[:limit]
    )
