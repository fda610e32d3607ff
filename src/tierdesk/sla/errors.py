"""Error codes of the sla domain (calendars and SLA policies). Tests assert these codes, never the messages."""

from __future__ import annotations

from tierdesk.core.errors import Conflict, NotFound, ValidationFailed


class CalendarNotFound(NotFound):
    code = "calendar.not_found"


class NoDefaultCalendar(NotFound):
    code = "calendar.no_default"


class CalendarInvalid(ValidationFailed):
    """A calendar input that breaks a rule; `code` is one of the calendar.* codes below."""

    code = "calendar.invalid"


class DefaultCalendarConflict(Conflict):
    """Another admin made another calendar the default at the same moment."""

    code = "calendar.default_conflict"


NAME_REQUIRED = "calendar.name_required"
NAME_TAKEN = "calendar.name_taken"
UNKNOWN_TIME_ZONE = "calendar.unknown_time_zone"
UNKNOWN_COUNTRY = "calendar.unknown_country"
UNKNOWN_SUBDIVISION = "calendar.unknown_subdivision"
TOO_LONG = "calendar.too_long"
INVALID_WEEKDAY = "calendar.invalid_weekday"
INVALID_TIME = "calendar.invalid_time"
CLOSES_BEFORE_OPENS = "calendar.closes_before_opens"
OVERLAPPING_HOURS = "calendar.overlapping_hours"
DUPLICATE_CLOSED_DAY = "calendar.duplicate_closed_day"
DEFAULT_REQUIRED = "calendar.default_required"
DEFAULT_WITHOUT_HOURS = "calendar.default_without_hours"
DEFAULT_NOT_DELETABLE = "calendar.default_not_deletable"
NO_OPENING_HOURS = "calendar.no_opening_hours"
BEYOND_HORIZON = "calendar.beyond_horizon"
RANGE_TOO_LONG = "calendar.range_too_long"
OUT_OF_RANGE = "calendar.out_of_range"
IN_USE = "calendar.in_use"


class SlaPolicyNotFound(NotFound):
    code = "sla_policy.not_found"


class SlaPolicyInvalid(ValidationFailed):
    """A policy input that breaks a rule; `code` is one of the sla_policy.* codes below."""

    code = "sla_policy.invalid"


class SlaPolicyConflict(Conflict):
    """Another admin made another policy the default, or took the organisation, at the same moment."""

    code = "sla_policy.conflict"


class SlaUnavailable(ValueError):
    """A policy cannot give deadlines (no target for the priority, a calendar never open, or a
    deadline beyond the horizon); the caller falls back to its wall-clock deadlines."""


POLICY_NAME_REQUIRED = "sla_policy.name_required"
POLICY_NAME_TAKEN = "sla_policy.name_taken"
POLICY_TOO_LONG = "sla_policy.too_long"
POLICY_UNKNOWN_CALENDAR = "sla_policy.unknown_calendar"
POLICY_UNKNOWN_ORGANISATION = "sla_policy.unknown_organisation"
POLICY_ORGANISATION_TAKEN = "sla_policy.organisation_taken"
POLICY_WARNING_PERCENT = "sla_policy.invalid_warning_percent"
POLICY_TARGETS_INCOMPLETE = "sla_policy.targets_incomplete"
POLICY_INVALID_TARGET = "sla_policy.invalid_target"
POLICY_IN_USE = "sla_policy.in_use"
