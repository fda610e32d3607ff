"""Routing state for tests, built through the services (presence log and policy checks hold)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tierdesk.accounts.choices import Level, Role
from tierdesk.accounts.models import AgentProfile, User
from tierdesk.accounts.tests.factories import AgentFactory
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.routing.services import policy_create, presence_set


def make_agent(
    username: str,
    *,
    level: str = Level.FIRST,
    languages: Sequence[str] = (),
    channels: Sequence[str] = (),
    status: str | None = PresenceStatus.AVAILABLE,
    role: str = Role.AGENT,
) -> User:
    """A staff member with an agent profile; present with `status` (None: never set, offline)."""
    agent = AgentFactory.create(username=username, role=role, profile__level=level)
    AgentProfile.objects.filter(user=agent).update(languages=list(languages), channels=list(channels))
    if status is not None:
        presence_set(by=agent, agent=agent, status=status)
    return agent


def make_policy(by: User, **fields: Any) -> AssignmentPolicy:
    values: dict[str, Any] = {
        "name": "First level desk",
        "level": Level.FIRST,
        "mode": AssignmentMode.ROUND_ROBIN,
        "max_open_tickets": 1000,
        "respect_language": False,
    }
    return policy_create(by=by, **{**values, **fields})
