"""Presence (services.presence_set, presence_sign_out): who may set whose presence, every change
logged with its instant and author, signing out makes an agent offline, signing in does not make
them available, and becoming available is announced after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.choices import Role
from tierdesk.accounts.services import automation_user
from tierdesk.core.events import subscribe
from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.errors import PresenceInvalid, RoutingForbidden
from tierdesk.routing.events import PresenceChanged
from tierdesk.routing.models import AgentPresence, PresenceChange
from tierdesk.routing.selectors import presence_of
from tierdesk.routing.services import presence_set, presence_sign_out

published: list[PresenceChanged] = []


@subscribe(PresenceChanged)
def _remember(event: PresenceChanged) -> None:
    published.append(event)


@pytest.fixture(autouse=True)
def _clear_published() -> None:
    published.clear()


def log(user: Any) -> list[tuple[str, str, str, str]]:
    rows = PresenceChange.objects.filter(user=user).order_by("at", "id")
    return [(row.previous_status, row.status, row.reason, getattr(row.changed_by, "username", "")) for row in rows]


def test_an_agent_sets_their_presence_and_every_change_is_logged_with_its_instant(personas: Any) -> None:
    agent = personas.agent_l1
    assert presence_of(user=agent).status == PresenceStatus.OFFLINE  # never set
    presence_set(by=agent, agent=agent, status=PresenceStatus.AVAILABLE)
    presence_set(by=agent, agent=agent, status=PresenceStatus.LUNCH, reason="  Canteen  ")
    presence_set(by=agent, agent=agent, status=PresenceStatus.LUNCH, reason="Canteen")  # the same: no change
    presence_set(by=agent, agent=agent, status=PresenceStatus.AVAILABLE)
    assert log(agent) == [
        ("offline", "available", "", "l1"),
        ("available", "lunch", "Canteen", "l1"),
        ("lunch", "available", "", "l1"),
    ]
    instants = list(PresenceChange.objects.filter(user=agent).order_by("id").values_list("at", flat=True))
    assert instants == sorted(instants)
    current = AgentPresence.objects.get(user=agent)
    assert (current.status, current.reason, current.changed_at) == ("available", "", instants[-1])


def test_a_case_manager_sets_a_colleagues_presence_an_agent_may_not(personas: Any) -> None:
    presence_set(by=personas.case_manager, agent=personas.agent_l1, status=PresenceStatus.OFFLINE, reason="Left")
    presence_set(by=personas.case_manager, agent=personas.agent_l1, status=PresenceStatus.MEETING, reason="Training")
    # a new reason alone is a change too
    assert log(personas.agent_l1) == [("offline", "offline", "Left", "cm"), ("offline", "meeting", "Training", "cm")]
    with pytest.raises(RoutingForbidden) as refused:
        presence_set(by=personas.agent_l2, agent=personas.agent_l1, status=PresenceStatus.AVAILABLE)
    assert refused.value.code == "routing.forbidden"
    assert AgentPresence.objects.get(user=personas.agent_l1).status == PresenceStatus.MEETING


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a"])
def test_customers_have_no_presence(personas: Any, who: str) -> None:
    customer = getattr(personas, who)
    with pytest.raises(RoutingForbidden):
        presence_set(by=customer, agent=customer, status=PresenceStatus.AVAILABLE)
    with pytest.raises(RoutingForbidden):
        presence_set(by=personas.admin, agent=customer, status=PresenceStatus.AVAILABLE)
    assert not AgentPresence.objects.exists()


def test_the_automation_user_has_no_presence(personas: Any) -> None:
    robot = automation_user()
    with pytest.raises(RoutingForbidden):
        presence_set(by=personas.admin, agent=robot, status=PresenceStatus.AVAILABLE)


@pytest.mark.parametrize(("status", "reason"), [("asleep", ""), ("", ""), ("break", "x" * 201)])
def test_invalid_presence_is_refused_with_a_code(personas: Any, status: str, reason: str) -> None:
    with pytest.raises(PresenceInvalid) as refused:
        presence_set(by=personas.agent_l1, agent=personas.agent_l1, status=status, reason=reason)
    assert refused.value.code == "routing.presence_invalid"
    assert not PresenceChange.objects.exists()


def test_changes_are_announced_after_commit_only(personas: Any, committed: Callable[[], Any]) -> None:
    agent = personas.agent_l1
    with committed():
        presence_set(by=agent, agent=agent, status=PresenceStatus.AVAILABLE)
        assert published == []  # not before the commit
    change = PresenceChange.objects.get(user=agent)
    assert published == [PresenceChanged(user_id=agent.pk, old="offline", new="available", change_id=change.pk)]


def test_signing_in_does_not_make_an_agent_available_signing_out_makes_them_offline(personas: Any) -> None:
    agent = personas.agent_l1
    client = Client()
    client.force_login(agent)  # the sign-in itself (with its signals); the form may ask for a second factor
    assert presence_of(user=agent).status == PresenceStatus.OFFLINE
    presence_set(by=agent, agent=agent, status=PresenceStatus.AVAILABLE)
    # when the agent signs out
    assert client.post("/logout/").status_code == 302
    # then they are offline, and the log says why
    assert presence_of(user=agent).status == PresenceStatus.OFFLINE
    assert log(agent)[-1] == ("available", "offline", "Signed out", "l1")


def test_signing_out_while_offline_or_as_a_customer_writes_nothing(personas: Any) -> None:
    presence_sign_out(user=personas.agent_l1)
    presence_sign_out(user=personas.customer_a)
    assert not PresenceChange.objects.exists()
    assert personas.customer_a.role == Role.CUSTOMER
