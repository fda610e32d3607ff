"""What a saved view may hold, as pure rules (no ORM): its filters (the TicketFilter fields and
custom-field filters `cf_<key>`), its columns (an ordered pick from an allow-list) and its sort
(an allow-listed field and a direction, each mapped to an ORDER BY that an index serves).

Everything a view stores passes through `clean_filters`, `clean_columns` and `clean_sort`, for
the desk's forms and the API alike, so no caller can store free-form lookups or column names.

Error codes: saved_view.invalid_filters, saved_view.invalid_columns, saved_view.invalid_sort."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.choices import Level, Priority, Status

# Column key -> header; the order here is the order offered in the forms.
COLUMNS: dict[str, Promise] = {
    "number": gettext_lazy("Number"),
    "subject": gettext_lazy("Subject"),
    "organisation": gettext_lazy("Organisation"),
    "requester": gettext_lazy("Requester"),
    "status": gettext_lazy("Status"),
    "level": gettext_lazy("Level"),
    "priority": gettext_lazy("Priority"),
    "assignee": gettext_lazy("Assignee"),
    "category": gettext_lazy("Category"),
    "tags": gettext_lazy("Tags"),
    "due_at": gettext_lazy("Due"),
    "created_at": gettext_lazy("Created"),
    "updated_at": gettext_lazy("Updated"),
}
DEFAULT_COLUMNS: tuple[str, ...] = ("number", "subject", "organisation", "status", "priority", "assignee", "due_at")

# Sort key -> the ORDER BY (ascending). Each ends in a unique column so that pages never overlap,
# and each matches an index of the ticket table (ticket_queue_idx, number's unique index,
# ticket_created_idx, ticket_updated_idx, ticket_due_idx), read backwards for "desc".
SORTS: dict[str, tuple[str, ...]] = {
    "priority": ("priority", "due_at", "created_at", "id"),  # the queue order
    "number": ("number",),
    "created_at": ("created_at", "id"),
    "updated_at": ("updated_at", "id"),
    "due_at": ("due_at", "id"),
}
SORT_LABELS: dict[str, Promise] = {
    "priority": gettext_lazy("Priority (queue order)"),
    "number": gettext_lazy("Number"),
    "created_at": gettext_lazy("Created"),
    "updated_at": gettext_lazy("Updated"),
    "due_at": gettext_lazy("Due"),
}
ASC, DESC = "asc", "desc"
DIRECTIONS = (ASC, DESC)
DEFAULT_SORT = ("priority", ASC)

MAX_IDS = 100
MAX_QUERY_LENGTH = 200
MAX_CUSTOM_FIELD_FILTERS = 20
MAX_CUSTOM_FIELD_VALUES = 50
MAX_CUSTOM_FIELD_TEXT = 200
CUSTOM_FIELD_PREFIX = "cf_"
CUSTOM_FIELD_KEY = re.compile(r"^cf_[a-z0-9_]{1,60}$")

CHOICE_FILTERS: dict[str, frozenset[str]] = {
    "status": frozenset(Status.values),
    "level": frozenset(Level.values),
    "priority": frozenset(Priority.values),
}
ID_FILTERS = ("organisation_ids", "assignee_ids")
FLAG_FILTERS = ("unassigned", "mine")
FILTER_KEYS = frozenset({*CHOICE_FILTERS, *ID_FILTERS, *FLAG_FILTERS, "q"})


def _invalid(message: str, key: str) -> ValidationFailed:
    return ValidationFailed(message, code="saved_view.invalid_filters", field=f"filters.{key}")


def _choices(key: str, value: Any) -> list[str]:
    allowed = CHOICE_FILTERS[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise _invalid(
            _("%(key)s must be a list of: %(values)s.") % {"key": key, "values": ", ".join(sorted(allowed))}, key
        )
    return sorted(set(value))


def _ids(key: str, value: Any) -> list[int]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_IDS
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise _invalid(_("%(key)s must be a list of at most %(count)d ids.") % {"key": key, "count": MAX_IDS}, key)
    return sorted(set(value))


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_CUSTOM_FIELD_TEXT
    return isinstance(value, bool | int | float)


def _custom_field(key: str, value: Any) -> Any:
    """The shape only (a value or a list of values); whether the field exists and the value fits
    its type is the custom fields' own check, made when the filter is applied."""
    if not CUSTOM_FIELD_KEY.match(key):
        raise _invalid(
            _("%(key)s is not a custom-field key (cf_ and lower-case letters, digits, _).") % {"key": key}, key
        )
    if isinstance(value, list):
        if not value or len(value) > MAX_CUSTOM_FIELD_VALUES or not all(_scalar(v) for v in value):
            raise _invalid(_("%(key)s must be a value or a short list of values.") % {"key": key}, key)
        return value
    if not _scalar(value):
        raise _invalid(_("%(key)s must be a value or a short list of values.") % {"key": key}, key)
    return value


def clean_filters(raw: Any) -> dict[str, Any]:
    """The filters normalised (empty ones dropped, lists sorted), or `saved_view.invalid_filters`
    naming the first offending key."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed(_("filters must be an object."), code="saved_view.invalid_filters", field="filters")
    cleaned: dict[str, Any] = {}
    custom = 0
    for key, value in raw.items():
        if not isinstance(key, str):
            raise ValidationFailed(_("filters must be an object."), code="saved_view.invalid_filters", field="filters")
        if key.startswith(CUSTOM_FIELD_PREFIX):
            custom += 1
            if custom > MAX_CUSTOM_FIELD_FILTERS:
                raise _invalid(_("At most %(count)d custom-field filters.") % {"count": MAX_CUSTOM_FIELD_FILTERS}, key)
            cleaned[key] = _custom_field(key, value)
        elif key in CHOICE_FILTERS:
            cleaned[key] = _choices(key, value)
        elif key in ID_FILTERS:
            cleaned[key] = _ids(key, value)
        elif key in FLAG_FILTERS:
            if not isinstance(value, bool):
                raise _invalid(_("%(key)s must be true or false.") % {"key": key}, key)
            cleaned[key] = value
        elif key == "q":
            if not isinstance(value, str) or len(value.strip()) > MAX_QUERY_LENGTH:
                raise _invalid(
                    _("q must be a text of at most %(count)d characters.") % {"count": MAX_QUERY_LENGTH}, key
                )
            cleaned[key] = value.strip()
        else:
            raise _invalid(
                _("%(key)s is not a filter. Use one of: %(keys)s, or cf_<key> for a custom field.")
                % {"key": key, "keys": ", ".join(sorted(FILTER_KEYS))},
                key,
            )
    return {key: value for key, value in cleaned.items() if value not in ([], "", False)}


def clean_columns(raw: Any) -> list[str]:
    """1..all allow-listed columns, each once, in the caller's order."""
    if (
        not isinstance(raw, list | tuple)
        or not raw
        or not all(isinstance(c, str) and c in COLUMNS for c in raw)
        or len(set(raw)) != len(raw)
    ):
        raise ValidationFailed(
            _("columns must list each of these at most once (at least one): %(columns)s.")
            % {"columns": ", ".join(COLUMNS)},
            code="saved_view.invalid_columns",
            field="columns",
        )
    return list(raw)


def clean_sort(field: Any, direction: Any) -> tuple[str, str]:
    if field not in SORTS:
        raise ValidationFailed(
            _("sort_field must be one of: %(fields)s.") % {"fields": ", ".join(SORTS)},
            code="saved_view.invalid_sort",
            field="sort_field",
        )
    if direction not in DIRECTIONS:
        raise ValidationFailed(
            _("sort_direction must be asc or desc."), code="saved_view.invalid_sort", field="sort_direction"
        )
    return str(field), str(direction)


def order_by(field: str, direction: str) -> list[str]:
    """The ORDER BY of an allow-listed sort; every key in the same direction so one index serves it."""
    prefix = "-" if direction == DESC else ""
    return [f"{prefix}{key}" for key in SORTS[field]]
