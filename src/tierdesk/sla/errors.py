"""Error codes of the sla domain (calendars). Tests assert these codes, never the messages."""

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
