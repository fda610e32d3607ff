"""Business-time arithmetic against a brute-force minute counter, on calendars hypothesis draws:
random weekly intervals (lunch breaks, intervals until midnight, ones around 02:00-03:00), random
closed days, five time zones (Lord Howe Island moves its clock by half an hour), and starts
around the clock changes of 2026 as well as anywhere in the year.

The counter walks UTC minute by minute over a window of up to ten days and asks, for each minute,
whether its local wall-clock date and time fall inside an opening interval of an open day. Every
boundary (local opening times, clock changes) falls on a whole UTC minute in these zones, so one
look per minute is exact."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.sla.calendar import (
    CalendarSpec,
    Interval,
    add_business_seconds,
    business_seconds_between,
    is_open,
    next_opening,
)

MINUTE = timedelta(minutes=1)
WINDOW_MINUTES = 10 * 24 * 60
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)

# The clock changes of 2026 in UTC, per zone (checked by the first test below).
TRANSITIONS = {
    "Europe/Amsterdam": [datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)],
    "Europe/Oslo": [datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)],
    "America/New_York": [datetime(2026, 3, 8, 7, 0, tzinfo=UTC), datetime(2026, 11, 1, 6, 0, tzinfo=UTC)],
    "Australia/Lord_Howe": [datetime(2026, 4, 4, 15, 0, tzinfo=UTC), datetime(2026, 10, 3, 15, 30, tzinfo=UTC)],
    "UTC": [],
}
ZONES = sorted(TRANSITIONS)

# Opening and closing minutes of a day: anywhere, with extra weight on midnight and the hours the
# clocks change in (02:00-03:00 in Europe and New York, 01:30-02:30 on Lord Howe).
DAY_MINUTE = st.one_of(st.integers(0, 1440), st.sampled_from([0, 60, 90, 120, 135, 150, 180, 1440]))


def as_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


@st.composite
def intervals_of_a_day(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Zero to three sorted, separate intervals; a closing minute of 1440 means midnight (None)."""
    points = sorted(set(draw(st.lists(DAY_MINUTE, max_size=6))))
    pairs = zip(points[::2], points[1::2], strict=False)
    return tuple((as_time(opens), None if closes == 1440 else as_time(closes)) for opens, closes in pairs)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CalendarSpec, datetime, int]:
    """A calendar, a start (a whole UTC minute) and the length of the window in minutes."""
    zone = draw(st.sampled_from(ZONES))
    near_a_transition = draw(st.booleans())
    if TRANSITIONS[zone] and near_a_transition:
        transition = draw(st.sampled_from(TRANSITIONS[zone]))
        start = transition + draw(st.integers(-4 * 1440, 1440)) * MINUTE
    else:
        start = YEAR_START + draw(st.integers(0, 365 * 1440)) * MINUTE
    weekly = {weekday: draw(intervals_of_a_day()) for weekday in range(7)}
    first_day = start.astimezone(ZoneInfo(zone)).date()
    closed = draw(st.sets(st.integers(-1, 11), max_size=5))
    spec = CalendarSpec(
        time_zone=zone,
        weekly={weekday: intervals for weekday, intervals in weekly.items() if intervals},
        closed_days=frozenset(first_day + timedelta(days=offset) for offset in closed),
    )
    return spec, start, draw(st.integers(1, WINDOW_MINUTES))


def open_by_brute_force(spec: CalendarSpec, instant: datetime) -> bool:
    local = instant.astimezone(ZoneInfo(spec.time_zone))
    if local.date() in spec.closed_days:
        return False
    wall = local.time()
    return any(
        opens <= wall and (closes is None or wall < closes) for opens, closes in spec.weekly.get(local.weekday(), ())
    )


def open_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> list[bool]:
    """For each minute from `start` on, whether the desk is open during it."""
    return [open_by_brute_force(spec, start + i * MINUTE) for i in range(minutes)]


def test_the_transitions_used_here_are_the_real_ones():
    for zone, instants in TRANSITIONS.items():
        for instant in instants:
            before = (instant - timedelta(seconds=1)).astimezone(ZoneInfo(zone)).utcoffset()
            after = instant.astimezone(ZoneInfo(zone)).utcoffset()
            assert before != after, (zone, instant)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_counting_matches_the_minute_counter(case):
    spec, start, minutes = case
    end = start + minutes * MINUTE
    flags = open_minutes(spec, start, minutes)
    # business time in the window, either way round
    assert business_seconds_between(spec, start, end) == 60 * sum(flags)
    assert business_seconds_between(spec, end, start) == -60 * sum(flags)
    # open or not, at the start, the end and a minute inside
    assert is_open(spec, start) is flags[0]
    assert is_open(spec, start + (minutes // 2) * MINUTE) is flags[minutes // 2]
    assert is_open(spec, end) is open_by_brute_force(spec, end)
    # the next opening, when the window holds one
    if any(flags):
        assert next_opening(spec, start) == start + flags.index(True) * MINUTE


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_adding_matches_the_minute_counter(case, data):
    spec, start, minutes = case
    flags = open_minutes(spec, start, minutes)
    opened = [i for i, flag in enumerate(flags) if flag]
    if not opened:
        return
    # when n business minutes are added, n somewhere from 1 to what the window holds
    n = data.draw(st.integers(1, len(opened)), label="n")
    due = add_business_seconds(spec, start, 60 * n)
    # then the deadline is the end of the window's n-th open minute
    assert due == start + (opened[n - 1] + 1) * MINUTE
    assert business_seconds_between(spec, start, due) == 60 * n
    # and counting back from the end of the window mirrors it
    end = start + minutes * MINUTE
    back = add_business_seconds(spec, end, -60 * n)
    assert back == start + opened[-n] * MINUTE
    assert business_seconds_between(spec, back, end) == 60 * n


@settings(max_examples=200, deadline=None)
@given(
    cases(),
    st.integers(0, 10**6),
    st.integers(0, 10**5),
    st.integers(0, 59_999_999),
)
def test_adding_then_counting_gives_back_the_seconds_and_is_monotonic(case, seconds, more, offset_microseconds):
    spec, start, _ = case
    if not spec.has_opening_hours:
        return
    # given a start anywhere inside a minute, not only on whole minutes
    start = start + timedelta(microseconds=offset_microseconds)
    due = add_business_seconds(spec, start, seconds)
    later = add_business_seconds(spec, start, seconds + more)
    assert business_seconds_between(spec, start, due) == seconds
    assert due <= later
    back = add_business_seconds(spec, start, -seconds)
    assert business_seconds_between(spec, back, start) == seconds
    assert add_business_seconds(spec, start, -seconds - more) <= back


@pytest.mark.parametrize("zone", ZONES)
def test_around_the_clock_is_wall_time_in_every_zone(zone):
    # given a desk that never closes
    spec = CalendarSpec(time_zone=zone, weekly={weekday: ((time(0), None),) for weekday in range(7)})
    # then a year of business time is a year of elapsed time, and adding is plain addition
    start = datetime(2026, 1, 1, 3, 17, tzinfo=UTC)
    end = datetime(2027, 1, 1, 3, 17, tzinfo=UTC)
    assert business_seconds_between(spec, start, end) == 365 * 86400
    for instant in TRANSITIONS[zone]:
        assert add_business_seconds(spec, instant - timedelta(hours=1), 7200) == instant + timedelta(hours=1)


def test_a_closed_day_in_the_window_is_taken_from_the_count():
    # the property's closed days are local dates: this pins that reading down once, by hand
    spec = CalendarSpec(
        time_zone="America/New_York",
        weekly={weekday: ((time(9), time(17)),) for weekday in range(7)},
        closed_days=frozenset({date(2026, 3, 9)}),
    )
    start = datetime(2026, 3, 8, 0, 0, tzinfo=ZoneInfo("America/New_York"))
    flags = open_minutes(spec, start.astimezone(UTC), 3 * 1440)
    assert sum(flags) == 2 * 8 * 60
    assert business_seconds_between(spec, start, start.astimezone(UTC) + 3 * 1440 * MINUTE) == 2 * 8 * 3600
