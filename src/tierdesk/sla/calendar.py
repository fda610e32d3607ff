"""Business-time arithmetic over a weekly opening-hours calendar: pure functions, no ORM, no clock.

Owns `CalendarSpec` and the answers to "when is N business seconds after this instant", "how much
business time lies between two instants", "is the desk open now" and "when does it open next".

What counts as business time. An instant is *open* when its local wall-clock date and time in
`spec.time_zone` fall on a date that is not closed, inside one of that weekday's opening intervals
[opens, closes). Business time is the real elapsed time (in UTC) during which the desk is open.
From that one definition follow the decisions at clock changes:

* Spring forward (a gap, e.g. 02:00-03:00 does not exist in Amsterdam on 2026-03-29): wall times in
  the gap never occur. An opening at a non-existent time starts at the first existing instant after
  it (the transition); an interval that ends in the gap ends there; one wholly inside it is empty.
* Fall back (a fold, e.g. 02:00-03:00 happens twice on 2026-10-25): the repeated wall times occur
  twice and both occurrences count when the desk is open then. An interval 01:00-04:00 holds four
  hours of business time that day, three on ordinary days and two on the spring-forward day.
* Midnight: an interval that ends at midnight has `closes=None` ("until the end of the day").

Results are aware datetimes in UTC. `add_business_seconds(spec, t, 0)` returns `t` itself (in UTC),
open or not: nothing is added, so nothing moves. An addition that uses up its business time exactly
at a closing instant returns that closing instant (Friday 16:00), not the next opening.

The walk goes UTC day by UTC day over whole opening intervals (never minute by minute). Inside one
UTC day the offset is found at both ends; when they differ, bisection finds the transition to the
second (tzdata transitions are whole seconds). This assumes a zone never changes its offset and back
again within 24 hours, which holds for every zone in the tz database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# One opening interval in local wall time: [opens, closes); closes=None means "until midnight".
Interval = tuple[time, time | None]

# A search for the next opening gives up after this many days without any open time, so that a
# calendar that is never open raises instead of walking for ever.
SEARCH_LIMIT_DAYS = 3 * 366

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_ZERO = timedelta(0)
_EPOCH = datetime.fromtimestamp(0, UTC).replace(tzinfo=None)  # the walk uses naive UTC internally

# A range of open time, as naive UTC datetimes [start, end).
_Range = tuple[datetime, datetime]


class NoOpeningError(ValueError):
    """The calendar has no opening hours, or no open time within SEARCH_LIMIT_DAYS of the walk."""


class BeyondHorizonError(ValueError):
    """The result would lie further from the start than the caller's `horizon` allows."""


@cache
def _known_time_zones() -> frozenset[str]:
    # The tz database of this machine does not change while the process runs.
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    """True for an IANA time-zone name this machine knows, e.g. "Europe/Amsterdam"."""
    return name in _known_time_zones()


@dataclass(frozen=True)
class CalendarSpec:
    """A calendar in the shape the arithmetic needs; build it with `sla.selectors.calendar_spec`.

    `weekly` maps a weekday (0=Monday..6=Sunday) to its opening intervals in local wall time,
    sorted and not overlapping (touching is allowed); a missing weekday is closed all day.
    `closed_days` are local dates on which the desk is closed (public holidays, custom days).
    """

    time_zone: str
    weekly: Mapping[int, tuple[Interval, ...]] = field(hash=False)
    closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc
        weekly: dict[int, tuple[Interval, ...]] = {}
        for weekday, intervals in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            weekly[weekday] = _checked_intervals(weekday, tuple(intervals))
        # A read-only copy: the caller's dict may change later, the spec must not.
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))

    @property
    def has_opening_hours(self) -> bool:
        return any(self.weekly.values())


def _checked_intervals(weekday: int, intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    previous_end: time | None = time(0, 0)
    for opens, closes in intervals:
        if opens.tzinfo is not None or (closes is not None and closes.tzinfo is not None):
            raise ValueError(f"weekday {weekday}: opening hours are local wall times without tzinfo")
        if closes is not None and closes <= opens:
            raise ValueError(
                f"weekday {weekday}: interval {opens}-{closes} must close after it opens "
                "(use closes=None for an interval that ends at midnight)"
            )
        if previous_end is None or opens < previous_end:
            raise ValueError(f"weekday {weekday}: intervals must be sorted and must not overlap")
        previous_end = closes
    return intervals


# --- public arithmetic ---------------------------------------------------------------------------


def add_business_seconds(
    spec: CalendarSpec, start: datetime, seconds: int, *, horizon: timedelta | None = None
) -> datetime:
    """The instant at which `seconds` of business time have passed since `start` (in UTC).

    Negative `seconds` count backwards: the latest instant before `start` with that much business
    time between it and `start`. Raises ValueError for a naive `start`, NoOpeningError (a
    ValueError) when the calendar has no open time within SEARCH_LIMIT_DAYS of the walk, and
    BeyondHorizonError (a ValueError) when a `horizon` is given and the result lies further away
    from `start` than that (it bounds the work for untrusted input)."""
    instant = _naive_utc(start, "start")
    if seconds == 0:
        return _aware(instant)
    _require_opening_hours(spec)
    zone = ZoneInfo(spec.time_zone)
    remaining = timedelta(seconds=abs(seconds))
    if seconds > 0:
        limit = instant + horizon if horizon is not None else None
        for opens, closes in _ranges_forward(spec, zone, instant, until=limit):
            if remaining <= closes - opens and (limit is None or opens + remaining <= limit):
                return _aware(opens + remaining)
            remaining -= closes - opens
    else:
        limit = instant - horizon if horizon is not None else None
        for opens, closes in _ranges_backward(spec, zone, instant, until=limit):
            if remaining <= closes - opens and (limit is None or closes - remaining >= limit):
                return _aware(closes - remaining)
            remaining -= closes - opens
    if horizon is not None:
        raise BeyondHorizonError(f"the result lies more than {horizon} away from {start.isoformat()}")
    raise NoOpeningError(f"the calendar is not open at all within {SEARCH_LIMIT_DAYS} days of {start.isoformat()}")


def business_seconds_between(spec: CalendarSpec, start: datetime, end: datetime) -> int:
    """Whole seconds of business time in [start, end); negative when end < start."""
    begin, finish = _naive_utc(start, "start"), _naive_utc(end, "end")
    if finish < begin:
        return -business_seconds_between(spec, end, start)
    zone = ZoneInfo(spec.time_zone)
    total = _ZERO
    for opens, closes in _ranges_forward(spec, zone, begin, until=finish):
        if opens >= finish:
            break
        total += min(closes, finish) - opens
    return total // _SECOND


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    """`add_business_seconds` in minutes."""
    return add_business_seconds(spec, start, minutes * 60)


def business_minutes_between(spec: CalendarSpec, start: datetime, end: datetime) -> int:
    """Whole minutes of business time in [start, end), rounded toward zero; negative when end < start."""
    seconds = business_seconds_between(spec, start, end)
    return seconds // 60 if seconds >= 0 else -(-seconds // 60)


def is_open(spec: CalendarSpec, instant: datetime) -> bool:
    """Whether the desk is open at `instant` (an opening interval includes its start, not its end)."""
    moment = _naive_utc(instant, "instant")
    zone = ZoneInfo(spec.time_zone)
    return any(opens <= moment < closes for opens, closes in _day_ranges(spec, zone, _day_index(moment)))


def next_opening(spec: CalendarSpec, instant: datetime) -> datetime:
    """`instant` itself (in UTC) when the desk is open then, else the next instant it opens.

    Raises NoOpeningError (a ValueError) when the calendar is not open within SEARCH_LIMIT_DAYS."""
    moment = _naive_utc(instant, "instant")
    _require_opening_hours(spec)
    for opens, _closes in _ranges_forward(spec, ZoneInfo(spec.time_zone), moment):
        return _aware(opens)
    raise NoOpeningError(f"the calendar is not open at all within {SEARCH_LIMIT_DAYS} days of {instant.isoformat()}")


def is_working_day(spec: CalendarSpec, day: date) -> bool:
    """Whether the desk opens at all on the local date `day` (a weekday with hours, not closed)."""
    return bool(spec.weekly.get(day.weekday())) and day not in spec.closed_days


def add_working_days(spec: CalendarSpec, start: datetime, days: int) -> datetime:
    """The same local wall time as `start` on the `days`-th working day after `start`'s local date
    (in UTC): "5 working days after resolving" as people count them. A wall time that does not
    exist that day (a DST gap) is read with the offset before the gap, as zoneinfo does.

    Raises ValueError for negative `days` and NoOpeningError when the calendar has no working day."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    _naive_utc(start, "start")
    _require_opening_hours(spec)
    zone = ZoneInfo(spec.time_zone)
    local = start.astimezone(zone)
    day, counted, searched = local.date(), 0, 0
    while counted < days:
        day += _DAY
        searched += 1
        if searched > SEARCH_LIMIT_DAYS + days * 7:
            raise NoOpeningError(f"no working day within {searched} days of {start.isoformat()}")
        if is_working_day(spec, day):
            counted += 1
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(UTC)


def working_days_between(spec: CalendarSpec, start: datetime, end: datetime, *, limit: int = 400) -> int:
    """How many working days have passed from `start` to `end`: the largest n (at most `limit`)
    with `add_working_days(spec, start, n) <= end`; 0 when `end` is not after `start`."""
    _naive_utc(start, "start")
    _naive_utc(end, "end")
    if end <= start or not spec.has_opening_hours:
        return 0
    zone = ZoneInfo(spec.time_zone)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    count, day = 0, first
    while day < last and count < limit:
        day += _DAY
        if is_working_day(spec, day):
            count += 1
    # The last working day counts only once its wall time has come.
    while count > 0 and add_working_days(spec, start, count) > end:
        count -= 1
    return count


# --- the walk ------------------------------------------------------------------------------------


def _naive_utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got the naive {instant.isoformat()}")
    return instant.astimezone(UTC).replace(tzinfo=None)


def _aware(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC)


def _require_opening_hours(spec: CalendarSpec) -> None:
    if not spec.has_opening_hours:
        raise NoOpeningError("the calendar has no opening hours on any weekday")


def _day_index(instant: datetime) -> int:
    """Which UTC day (counted from 1970-01-01) holds a naive UTC instant."""
    return (instant - _EPOCH) // _DAY


def _ranges_forward(
    spec: CalendarSpec, zone: ZoneInfo, instant: datetime, *, until: datetime | None = None
) -> Iterator[_Range]:
    """Open ranges after `instant` in time order, the first one clipped to start at `instant`.

    With `until`, stops after the UTC day holding it; without, stops after SEARCH_LIMIT_DAYS
    days in a row without open time."""
    day = _day_index(instant)
    days_without_opening = 0
    while until is None or _EPOCH + day * _DAY <= until:
        found = False
        for opens, closes in _day_ranges(spec, zone, day):
            if closes > instant:
                found = True
                yield max(opens, instant), closes
        days_without_opening = 0 if found else days_without_opening + 1
        if until is None and days_without_opening > SEARCH_LIMIT_DAYS:
            return
        day += 1


def _ranges_backward(
    spec: CalendarSpec, zone: ZoneInfo, instant: datetime, *, until: datetime | None = None
) -> Iterator[_Range]:
    """Open ranges before `instant`, latest first, the first one clipped to end at `instant`.

    With `until` (earlier than `instant`), stops after the UTC day holding it; without, stops
    after SEARCH_LIMIT_DAYS days in a row without open time."""
    day = _day_index(instant)
    days_without_opening = 0
    while until is None or _EPOCH + (day + 1) * _DAY >= until:
        found = False
        for opens, closes in reversed(_day_ranges(spec, zone, day)):
            if opens < instant:
                found = True
                yield opens, min(closes, instant)
        days_without_opening = 0 if found else days_without_opening + 1
        if until is None and days_without_opening > SEARCH_LIMIT_DAYS:
            return
        day -= 1


def _day_ranges(spec: CalendarSpec, zone: ZoneInfo, day: int) -> list[_Range]:
    """The open ranges inside one UTC day [00:00, 24:00), in time order, touching ones merged."""
    ranges: list[_Range] = []
    day_start = _EPOCH + day * _DAY
    for piece_start, piece_end, offset in _constant_offset_pieces(zone, day_start, day_start + _DAY):
        # Within a piece the wall clock is UTC + offset: a straight line, so intersecting wall
        # intervals and shifting back by the offset is exact.
        wall_start, wall_end = piece_start + offset, piece_end + offset
        local_midnight = datetime.combine(wall_start.date(), time(0, 0))
        while local_midnight < wall_end:
            local_date = local_midnight.date()
            if local_date not in spec.closed_days:
                for opens, closes in spec.weekly.get(local_date.weekday(), ()):
                    wall_opens = max(datetime.combine(local_date, opens), wall_start)
                    wall_closes = min(
                        local_midnight + _DAY if closes is None else datetime.combine(local_date, closes), wall_end
                    )
                    if wall_opens < wall_closes:
                        _append_merged(ranges, (wall_opens - offset, wall_closes - offset))
            local_midnight += _DAY
    return ranges


def _append_merged(ranges: list[_Range], new: _Range) -> None:
    if ranges and ranges[-1][1] == new[0]:
        ranges[-1] = (ranges[-1][0], new[1])
    else:
        ranges.append(new)


def _constant_offset_pieces(
    zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """Split [start, end) (naive UTC, whole seconds) into pieces of one UTC offset each."""
    while start < end:
        offset = _offset(zone, start)
        last_second = end - _SECOND
        if _offset(zone, last_second) == offset:
            yield start, end, offset
            return
        # Bisect for the first second with another offset: low keeps `offset`, high does not.
        low, high = 0, (last_second - start) // _SECOND
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(zone, start + middle * _SECOND) == offset:
                low = middle
            else:
                high = middle
        transition = start + high * _SECOND
        yield start, transition, offset
        start = transition


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    return offset if offset is not None else _ZERO
