"""HTTP endpoints of routing: presence (staff: their own, the list of colleagues; case managers
set anyone's) and the assignment policies (staff read them, administrators change them).
Customers and other non-staff get 403 before any id is looked at.

Parse -> selector/service -> output schema; who may do what is decided by permissions and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller
from tierdesk.accounts.api_base import ERRORS, PageParams, paginate
from tierdesk.accounts.models import User
from tierdesk.routing.errors import RoutingForbidden
from tierdesk.routing.permissions import can_have_presence, can_manage_policies, can_see_policies, can_see_presence
from tierdesk.routing.schemas import (
    AssignmentPolicyIn,
    AssignmentPolicyOut,
    AssignmentPolicyPage,
    AssignmentPolicyPatch,
    PresenceFilter,
    PresenceIn,
    PresenceOut,
    PresencePage,
)
from tierdesk.routing.selectors import (
    agent_get_for,
    policy_get_for,
    policy_list_for,
    presence_list_for,
    presence_of,
    presence_rows,
)
from tierdesk.routing.services import policy_create, policy_delete, policy_update, presence_set

router = Router(tags=["routing"])

PRESENCE = {200: PresenceOut, **ERRORS}
POLICY = {200: AssignmentPolicyOut, **ERRORS}


def _staff(request: HttpRequest) -> User:
    user = caller(request)
    if not can_see_presence(user):
        raise RoutingForbidden(_("Only staff members have a presence."))
    return user


def _present(request: HttpRequest) -> User:
    """A staff member who can be present (not the automation user, which never signs in)."""
    user = _staff(request)
    if not can_have_presence(user):
        raise RoutingForbidden(_("This account has no presence."))
    return user


def _policy_reader(request: HttpRequest) -> User:
    user = caller(request)
    if not can_see_policies(user):
        raise RoutingForbidden(_("Only staff members see assignment policies."))
    return user


def _policy_admin(request: HttpRequest) -> User:
    user = caller(request)
    if not can_manage_policies(user):
        raise RoutingForbidden(_("Only administrators may manage assignment policies."))
    return user


# --- presence ----------------------------------------------------------------------------------


@router.get("/presence/me", response=PRESENCE, summary="My presence (staff)")
def presence_me(request: HttpRequest) -> Any:
    return presence_of(user=_present(request))


@router.put(
    "/presence/me",
    response=PRESENCE,
    summary="Set my presence (staff); becoming available hands me waiting tickets",
)
def presence_me_set(request: HttpRequest, payload: PresenceIn) -> Any:
    user = _present(request)
    presence_set(by=user, agent=user, status=payload.status, reason=payload.reason)
    return presence_of(user=user)


@router.get("/presence", response={200: PresencePage, **ERRORS}, summary="Colleagues' presence (staff)")
def presence_list(request: HttpRequest, params: Query[PageParams], filters: Query[PresenceFilter]) -> Any:
    page = paginate(presence_list_for(user=_staff(request), status=filters.status, level=filters.level), params)
    return {**page, "items": presence_rows(page["items"])}


@router.put(
    "/presence/{int:user_id}",
    response=PRESENCE,
    summary="Set a colleague's presence (case managers, admins; agents only their own)",
)
def presence_set_for(request: HttpRequest, user_id: int, payload: PresenceIn) -> Any:
    user = _staff(request)
    agent = agent_get_for(user=user, agent_id=user_id)
    presence_set(by=user, agent=agent, status=payload.status, reason=payload.reason)
    return presence_of(user=agent)


# --- assignment policies -----------------------------------------------------------------------


@router.get(
    "/assignment-policies", response={200: AssignmentPolicyPage, **ERRORS}, summary="Assignment policies (staff)"
)
def policies_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(policy_list_for(user=_policy_reader(request)), params)


@router.post("/assignment-policies", response={201: AssignmentPolicyOut, **ERRORS}, summary="New policy (admins)")
def policies_create(request: HttpRequest, payload: AssignmentPolicyIn) -> Any:
    user = _policy_admin(request)
    policy = policy_create(by=user, **payload.model_dump())
    return Status(201, policy_get_for(user=user, policy_id=policy.pk))


@router.get("/assignment-policies/{int:policy_id}", response=POLICY, summary="One policy (staff)")
def policies_get(request: HttpRequest, policy_id: int) -> Any:
    return policy_get_for(user=_policy_reader(request), policy_id=policy_id)


@router.patch("/assignment-policies/{int:policy_id}", response=POLICY, summary="Change a policy (admins)")
def policies_update(request: HttpRequest, policy_id: int, payload: AssignmentPolicyPatch) -> Any:
    user = _policy_admin(request)
    policy = policy_update(by=user, policy=policy_get_for(user=user, policy_id=policy_id), **payload.changes())
    return policy_get_for(user=user, policy_id=policy.pk)


@router.delete("/assignment-policies/{int:policy_id}", response={204: None, **ERRORS}, summary="Delete (admins)")
def policies_delete(request: HttpRequest, policy_id: int) -> Any:
    user = _policy_admin(request)
    policy_delete(by=user, policy=policy_get_for(user=user, policy_id=policy_id))
    return Status(204, None)
