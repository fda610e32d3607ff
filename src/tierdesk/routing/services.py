"""Write paths of routing: presence (set by the agent, a case manager, or the agent's sign-out;
every change logged with its instant) and the assignment policies (administrators). Automatic
assignment itself is services_assignment.py."""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import Level
from tierdesk.accounts.models import User
from tierdesk.core.events import publish
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.errors import PolicyExists, PolicyInvalid, PresenceInvalid, RoutingForbidden
from tierdesk.routing.events import PresenceChanged
from tierdesk.routing.models import MAX_OPEN_TICKETS_LIMIT, AgentPresence, AssignmentPolicy, PresenceChange
from tierdesk.routing.permissions import can_manage_policies, can_set_presence
from tierdesk.tickets.models import Category

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 200
MAX_NAME_LENGTH = 100
# What policy_update may change: policy_create's fields.
POLICY_FIELDS = frozenset({"name", "level", "category_id", "mode", "max_open_tickets", "respect_language", "is_active"})

# --- presence ----------------------------------------------------------------------------------


def _status(value: str) -> PresenceStatus:
    try:
        return PresenceStatus(value)
    except ValueError:
        raise PresenceInvalid(
            _("Unknown presence %(value)s; choose one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(PresenceStatus.values)},
            field="status",
        ) from None


@transaction.atomic
def presence_set(*, by: User, agent: User, status: str, reason: str = "") -> AgentPresence:
    """Set the agent's presence. A change is logged (PresenceChange) and announced after commit
    (PresenceChanged: becoming available hands the agent waiting tickets); the same status and
    reason again changes nothing."""
    if not can_set_presence(by, agent):
        raise RoutingForbidden(_("You may only change your own presence."))
    new = _status(status)
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise PresenceInvalid(
            _("The reason is too long (at most %(max)d characters).") % {"max": MAX_REASON_LENGTH}, field="reason"
        )
    now = timezone.now()
    AgentPresence.objects.get_or_create(user=agent, defaults={"status": PresenceStatus.OFFLINE, "changed_at": now})
    # Under the row lock: automatic assignment locks it too before handing this agent a ticket.
    presence = AgentPresence.objects.select_for_update().get(user=agent)
    old = PresenceStatus(presence.status)
    if old == new and presence.reason == reason:
        return presence
    presence.status, presence.reason, presence.changed_at = new, reason, now
    presence.save(update_fields=["status", "reason", "changed_at"])
    change = PresenceChange.objects.create(
        user=agent, status=new, previous_status=old, reason=reason, changed_by=by, at=now
    )
    publish(PresenceChanged(user_id=agent.pk, old=old, new=new, change_id=change.pk))
    return presence


def presence_sign_out(*, user: User) -> None:
    """Signing out makes the agent offline (signing in does not make them available: they say so)."""
    if AgentPresence.objects.filter(user=user).exclude(status=PresenceStatus.OFFLINE).exists():
        presence_set(by=user, agent=user, status=PresenceStatus.OFFLINE, reason=_("Signed out"))


# --- assignment policies -----------------------------------------------------------------------


def _require_admin(by: Any) -> None:
    if not can_manage_policies(by):
        raise RoutingForbidden(_("Only administrators may manage assignment policies."))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check and convert the policy fields given (all or a PATCH's subset)."""
    cleaned = dict(values)
    if "name" in values:
        name = str(values["name"]).strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise PolicyInvalid(
                _("Give the policy a name (at most %(max)d characters).") % {"max": MAX_NAME_LENGTH}, field="name"
            )
        cleaned["name"] = name
    if "level" in values and values["level"] not in Level.values:
        raise PolicyInvalid(_("%(value)r is not a level.") % {"value": values["level"]}, field="level")
    if "mode" in values and values["mode"] not in AssignmentMode.values:
        raise PolicyInvalid(
            _("Unknown mode %(value)s; choose one of: %(choices)s.")
            % {"value": values["mode"], "choices": ", ".join(AssignmentMode.values)},
            field="mode",
        )
    if "max_open_tickets" in values:
        maximum = values["max_open_tickets"]
        if not isinstance(maximum, int) or not 1 <= maximum <= MAX_OPEN_TICKETS_LIMIT:
            raise PolicyInvalid(
                _("The maximum of open tickets is a number from 1 to %(max)d.") % {"max": MAX_OPEN_TICKETS_LIMIT},
                field="max_open_tickets",
            )
    if "category_id" in values:
        category_id = cleaned.pop("category_id")
        category = None
        if category_id is not None:
            category = Category.objects.filter(pk=category_id).first()
            if category is None:
                raise PolicyInvalid(_("No such category."), field="category_id")
        cleaned["category"] = category
    return cleaned


def _save(policy: AssignmentPolicy, *, update_fields: list[str] | None = None) -> None:
    """Save; a second policy for the same level (and category) is a conflict, not a server error."""
    try:
        with transaction.atomic():
            policy.save(update_fields=update_fields)
    except IntegrityError:
        raise PolicyExists(
            _("This level (and category) has an assignment policy already; change that one."), field="level"
        ) from None


@transaction.atomic
def policy_create(
    *,
    by: User,
    name: str,
    level: str,
    category_id: int | None = None,
    mode: str = AssignmentMode.ROUND_ROBIN,
    max_open_tickets: int = 10,
    respect_language: bool = True,
    is_active: bool = True,
) -> AssignmentPolicy:
    _require_admin(by)
    fields = _clean(
        {
            "name": name,
            "level": level,
            "category_id": category_id,
            "mode": mode,
            "max_open_tickets": max_open_tickets,
            "respect_language": bool(respect_language),
            "is_active": bool(is_active),
        }
    )
    policy = AssignmentPolicy(**fields)
    _save(policy)
    logger.info("assignment policy %s created by %s", policy.pk, by.username)
    return policy


@transaction.atomic
def policy_update(*, by: User, policy: AssignmentPolicy, **changes: Any) -> AssignmentPolicy:
    """Change the given fields (a PATCH). Changing level or category keeps the cursor: it names
    an agent, and the next turn simply goes to the first eligible agent after them."""
    _require_admin(by)
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise PolicyInvalid(_("Unknown field %(field)s.") % {"field": sorted(unknown)[0]}, field=sorted(unknown)[0])
    policy = AssignmentPolicy.objects.select_for_update().get(pk=policy.pk)
    cleaned = _clean(changes)
    for field, value in cleaned.items():
        setattr(policy, field, value)
    _save(policy, update_fields=[*cleaned, "updated_at"])
    return policy


@transaction.atomic
def policy_delete(*, by: User, policy: AssignmentPolicy) -> None:
    _require_admin(by)
    AssignmentPolicy.objects.filter(pk=policy.pk).delete()
    logger.info("assignment policy %s deleted by %s", policy.pk, by.username)
