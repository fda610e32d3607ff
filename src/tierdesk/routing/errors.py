"""Error codes of the routing domain; tests assert these codes, not messages."""

from __future__ import annotations

from tierdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class RoutingForbidden(Forbidden):
    code = "routing.forbidden"


class AgentNotFound(NotFound):
    code = "routing.agent_not_found"


class PresenceInvalid(ValidationFailed):
    code = "routing.presence_invalid"


class PolicyNotFound(NotFound):
    code = "routing.policy_not_found"


class PolicyInvalid(ValidationFailed):
    code = "routing.policy_invalid"


class PolicyExists(Conflict):
    """A level (or a level and category) has one policy at most."""

    code = "routing.policy_exists"
