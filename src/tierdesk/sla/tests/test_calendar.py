"""Business-time arithmetic, case by case: weekends, public holidays, DST gaps and folds,
midnight, lunch breaks, 24/7 and never-open calendars, naive input, and the spec's own checks."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk.sla.calendar import (
    BeyondHorizonError,
    CalendarSpec,
    NoOpeningError,
    add_business_minutes,
    add_business_seconds,
    business_minutes_between,
    business_seconds_between,
    is_open,
    is_time_zone,
    next_opening,
)
from tierdesk.sla.public_holidays import holiday_dates

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
OFFICE = {weekday: ((time(8), time(16)),) for weekday in range(5)}


def office_hours(closed: frozenset[date] = frozenset()) -> CalendarSpec:
    """Monday to Friday 08:00-16:00 in Amsterdam."""
    return CalendarSpec(time_zone="Europe/Amsterdam", weekly=OFFICE, closed_days=closed)


def every_day(opens: time, closes: time | None, zone: str = "Europe/Amsterdam") -> CalendarSpec:
    return CalendarSpec(time_zone=zone, weekly=dict.fromkeys(range(7), ((opens, closes),)))


def amsterdam(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=AMSTERDAM)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- weekends, holidays, closing time ------------------------------------------------------------


def test_friday_afternoon_plus_thirty_minutes_is_monday_morning():
    # given Friday 2026-03-06 15:50, ten minutes before closing
    start = amsterdam(2026, 3, 6, 15, 50)
    # when
    due = add_business_minutes(office_hours(), start, 30)
    # then the other 20 minutes fall on Monday morning, returned in UTC
    assert due == amsterdam(2026, 3, 9, 8, 20)
    assert due.tzinfo is UTC
    assert due == utc(2026, 3, 9, 7, 20)
    assert business_minutes_between(office_hours(), start, due) == 30


def test_a_public_holiday_is_skipped():
    # given the Dutch holidays of 2026: King's Day, Monday 27 April, is one of them
    holidays_2026 = holiday_dates("NL", "", [2026])
    assert holidays_2026[date(2026, 4, 27)] == "King's Day"
    spec = office_hours(frozenset(holidays_2026))
    # when 30 minutes are added on the Friday before, at 15:50
    due = add_business_minutes(spec, amsterdam(2026, 4, 24, 15, 50), 30)
    # then Monday is skipped: Tuesday 08:20 (summer time)
    assert due == utc(2026, 4, 28, 6, 20)
    assert business_minutes_between(spec, amsterdam(2026, 4, 27, 0, 0), amsterdam(2026, 4, 28, 0, 0)) == 0
    assert is_open(spec, amsterdam(2026, 4, 27, 10, 0)) is False


def test_a_deadline_that_uses_the_last_minute_is_the_closing_time_itself():
    # when the business time runs out exactly at closing
    due = add_business_minutes(office_hours(), amsterdam(2026, 3, 6, 15, 30), 30)
    # then the deadline is Friday 16:00, not Monday's opening
    assert due == amsterdam(2026, 3, 6, 16, 0)
    assert is_open(office_hours(), due) is False
    assert next_opening(office_hours(), due) == amsterdam(2026, 3, 9, 8, 0)


def test_counting_backwards_mirrors_adding():
    # when 30 minutes are taken from Monday 08:20
    earlier = add_business_minutes(office_hours(), amsterdam(2026, 3, 9, 8, 20), -30)
    # then
    assert earlier == amsterdam(2026, 3, 6, 15, 50)
    assert business_minutes_between(office_hours(), amsterdam(2026, 3, 9, 8, 20), earlier) == -30


def test_adding_from_a_closed_instant_starts_at_the_next_opening():
    due = add_business_minutes(office_hours(), amsterdam(2026, 3, 7, 12, 0), 60)  # a Saturday
    assert due == amsterdam(2026, 3, 9, 9, 0)


def test_adding_nothing_returns_the_start_even_when_closed():
    # given a Saturday noon, when the desk is closed
    start = amsterdam(2026, 3, 7, 12, 0)
    # when
    same = add_business_seconds(office_hours(), start, 0)
    # then the start comes back unchanged (in UTC), not moved to Monday
    assert same == start
    assert same.tzinfo is UTC


def test_microseconds_are_kept():
    start = amsterdam(2026, 3, 9, 9, 0, 0, 250_000)
    due = add_business_seconds(office_hours(), start, 1)
    assert due == amsterdam(2026, 3, 9, 9, 0, 1, 250_000)
    assert business_seconds_between(office_hours(), start, due) == 1


def test_business_minutes_round_toward_zero():
    start = amsterdam(2026, 3, 9, 9, 0)
    assert business_minutes_between(office_hours(), start, start + timedelta(seconds=119)) == 1
    assert business_minutes_between(office_hours(), start + timedelta(seconds=119), start) == -1
    assert business_seconds_between(office_hours(), start + timedelta(seconds=119), start) == -119


def test_ten_business_days_across_a_week():
    # given Monday 09:00; ten business days of eight hours
    due = add_business_minutes(office_hours(), amsterdam(2026, 3, 9, 9, 0), 10 * 8 * 60)
    # then two weeks later at the same time
    assert due == amsterdam(2026, 3, 23, 9, 0)


# --- several intervals a day, midnight ---------------------------------------------------------------


def test_lunch_break_is_not_business_time():
    spec = CalendarSpec(time_zone="Europe/Amsterdam", weekly={0: ((time(8), time(12)), (time(13), time(17)))})
    monday = amsterdam(2026, 3, 9, 11, 30)
    assert add_business_minutes(spec, monday, 60) == amsterdam(2026, 3, 9, 13, 30)
    assert is_open(spec, amsterdam(2026, 3, 9, 12, 30)) is False
    assert next_opening(spec, amsterdam(2026, 3, 9, 12, 30)) == amsterdam(2026, 3, 9, 13, 0)
    assert business_minutes_between(spec, amsterdam(2026, 3, 9, 0, 0), amsterdam(2026, 3, 10, 0, 0)) == 8 * 60


def test_an_interval_until_midnight_runs_into_the_next_day():
    # given Monday 22:00-midnight and Tuesday 00:00-02:00
    spec = CalendarSpec(time_zone="Europe/Amsterdam", weekly={0: ((time(22), None),), 1: ((time(0), time(2)),)})
    # when two hours are added on Monday 23:00
    due = add_business_minutes(spec, amsterdam(2026, 3, 9, 23, 0), 120)
    # then they run through midnight
    assert due == amsterdam(2026, 3, 10, 1, 0)
    assert is_open(spec, amsterdam(2026, 3, 9, 23, 59, 59)) is True
    assert is_open(spec, amsterdam(2026, 3, 10, 0, 0)) is True
    assert business_minutes_between(spec, amsterdam(2026, 3, 9, 0, 0), amsterdam(2026, 3, 11, 0, 0)) == 240


# --- daylight saving time -----------------------------------------------------------------------


def test_spring_forward_the_missing_hour_is_not_business_time():
    # given a desk open 01:00-04:00 every day; on 2026-03-29 02:00-03:00 does not exist
    spec = every_day(time(1), time(4))
    # then that day holds two hours, the days around it three
    assert business_minutes_between(spec, amsterdam(2026, 3, 29, 0, 0), amsterdam(2026, 3, 29, 12, 0)) == 120
    assert business_minutes_between(spec, amsterdam(2026, 3, 28, 0, 0), amsterdam(2026, 3, 28, 12, 0)) == 180
    # and an hour from 01:30 runs 30 minutes to the jump and 30 after it: 03:30 summer time
    assert add_business_minutes(spec, amsterdam(2026, 3, 29, 1, 30), 60) == utc(2026, 3, 29, 1, 30)


def test_spring_forward_an_opening_inside_the_gap_starts_when_the_gap_ends():
    # given a desk that opens at 02:30, a wall time that 2026-03-29 skips
    spec = every_day(time(2, 30), time(5))
    # then it opens at the first instant after the gap: 03:00 summer time = 01:00 UTC
    assert next_opening(spec, amsterdam(2026, 3, 29, 0, 0)) == utc(2026, 3, 29, 1, 0)
    assert business_minutes_between(spec, amsterdam(2026, 3, 29, 0, 0), amsterdam(2026, 3, 29, 12, 0)) == 120


def test_spring_forward_an_interval_inside_the_gap_is_empty_that_day():
    spec = every_day(time(2, 15), time(2, 45))
    assert business_minutes_between(spec, amsterdam(2026, 3, 29, 0, 0), amsterdam(2026, 3, 30, 0, 0)) == 0
    assert next_opening(spec, amsterdam(2026, 3, 29, 0, 0)) == amsterdam(2026, 3, 30, 2, 15)


def test_fall_back_the_repeated_hour_counts_twice():
    # given a desk open 01:00-04:00 every day; on 2026-10-25 02:00-03:00 happens twice
    spec = every_day(time(1), time(4))
    # then that day holds four hours of business time
    assert business_minutes_between(spec, amsterdam(2026, 10, 25, 0, 0), amsterdam(2026, 10, 25, 12, 0)) == 240
    # and three hours from 01:00 (summer time, 23:00 UTC) end at 03:00 winter time (02:00 UTC)
    assert add_business_minutes(spec, amsterdam(2026, 10, 25, 1, 0), 180) == utc(2026, 10, 25, 2, 0)


def test_fall_back_an_interval_inside_the_fold_is_open_twice():
    # given a desk open 02:15-02:45, wall times that 2026-10-25 passes twice
    spec = every_day(time(2, 15), time(2, 45))
    # then both passes are open: 00:15-00:45 UTC (summer time) and 01:15-01:45 UTC (winter time)
    assert is_open(spec, utc(2026, 10, 25, 0, 20)) is True
    assert is_open(spec, utc(2026, 10, 25, 0, 50)) is False
    assert is_open(spec, utc(2026, 10, 25, 1, 20)) is True
    assert next_opening(spec, utc(2026, 10, 25, 0, 50)) == utc(2026, 10, 25, 1, 15)
    assert business_minutes_between(spec, amsterdam(2026, 10, 25, 0, 0), amsterdam(2026, 10, 26, 0, 0)) == 60


def test_lord_howe_changes_its_clock_by_half_an_hour():
    # given a desk open 01:00-03:00 every day on Lord Howe Island
    spec = every_day(time(1), time(3), "Australia/Lord_Howe")

    def minutes_on(day: date) -> int:
        midnight = datetime.combine(day, time(0), LORD_HOWE)
        return business_minutes_between(spec, midnight, midnight + timedelta(hours=12))

    # then the fall-back day (01:30-02:00 twice) holds 150 minutes, spring forward (02:00-02:30
    # missing) 90, an ordinary day 120
    assert minutes_on(date(2026, 4, 5)) == 150
    assert minutes_on(date(2026, 10, 4)) == 90
    assert minutes_on(date(2026, 10, 5)) == 120


def test_open_around_the_clock_equals_wall_time_across_dst():
    # given a desk open every day from midnight to midnight, without holidays
    spec = every_day(time(0), None)
    start = amsterdam(2026, 3, 27, 17, 5, 3)
    end = amsterdam(2026, 11, 2, 9, 0)
    # then business time is elapsed time, through both clock changes
    assert business_seconds_between(spec, start, end) == int((end - start).total_seconds())
    # (elapsed: adding a timedelta to an Amsterdam datetime would move its wall clock instead)
    assert add_business_seconds(spec, start, 3 * 86400 + 7) == start.astimezone(UTC) + timedelta(days=3, seconds=7)
    assert next_opening(spec, start) == start
    assert is_open(spec, amsterdam(2026, 10, 25, 2, 30)) is True


# --- never open, naive input, the horizon --------------------------------------------------------


def test_a_calendar_without_opening_hours_refuses_to_add():
    spec = CalendarSpec(time_zone="UTC", weekly={})
    with pytest.raises(NoOpeningError, match="no opening hours"):
        add_business_minutes(spec, utc(2026, 1, 1), 1)
    with pytest.raises(ValueError, match="no opening hours"):
        next_opening(spec, utc(2026, 1, 1))
    assert business_seconds_between(spec, utc(2026, 1, 1), utc(2036, 1, 1)) == 0
    assert add_business_seconds(spec, utc(2026, 1, 1), 0) == utc(2026, 1, 1)


def test_a_calendar_closed_for_years_gives_up_quickly():
    # given opening hours on Mondays only, and every day of four years closed
    closed = frozenset(date(2026, 1, 1) + timedelta(days=offset) for offset in range(4 * 366))
    spec = CalendarSpec(time_zone="UTC", weekly={0: ((time(8), time(9)),)}, closed_days=closed)
    began = clock.perf_counter()
    # then the search stops after three years, with a clear error
    with pytest.raises(NoOpeningError, match="not open at all within"):
        add_business_minutes(spec, utc(2026, 1, 1), 1)
    with pytest.raises(NoOpeningError):
        add_business_minutes(spec, utc(2029, 12, 31), -1)
    with pytest.raises(NoOpeningError):
        next_opening(spec, utc(2026, 1, 1))
    assert clock.perf_counter() - began < 1.0


def test_a_horizon_bounds_the_walk():
    # given Friday 15:50, whose 30 business minutes end on Monday 08:20, 2 days 16.5 hours later
    spec = office_hours()
    friday, monday = amsterdam(2026, 3, 6, 15, 50), amsterdam(2026, 3, 9, 8, 20)
    # then a horizon of two days is too short either way, three days and the exact distance are not
    with pytest.raises(BeyondHorizonError):
        add_business_seconds(spec, friday, 1800, horizon=timedelta(days=2))
    with pytest.raises(BeyondHorizonError):
        add_business_seconds(spec, monday, -1800, horizon=timedelta(days=2))
    assert add_business_seconds(spec, friday, 1800, horizon=timedelta(days=3)) == monday
    assert add_business_seconds(spec, friday, 1800, horizon=monday - friday) == monday
    assert add_business_seconds(spec, monday, -1800, horizon=monday - friday) == friday


@pytest.mark.parametrize(
    "call",
    [
        lambda spec, naive: add_business_seconds(spec, naive, 60),
        lambda spec, naive: add_business_seconds(spec, naive, 0),
        lambda spec, naive: add_business_minutes(spec, naive, 1),
        lambda spec, naive: business_seconds_between(spec, naive, utc(2026, 3, 9)),
        lambda spec, naive: business_seconds_between(spec, utc(2026, 3, 9), naive),
        lambda spec, naive: business_minutes_between(spec, naive, naive),
        lambda spec, naive: is_open(spec, naive),
        lambda spec, naive: next_opening(spec, naive),
    ],
)
def test_naive_datetimes_are_refused(call):
    naive = datetime(2026, 3, 9, 9, 0)  # noqa: DTZ001 - the naive input under test
    with pytest.raises(ValueError, match="timezone-aware"):
        call(office_hours(), naive)


def test_adding_ten_business_days_is_fast():
    # given a walk over two weeks with a weekend and a holiday in it
    spec = office_hours(frozenset({date(2026, 4, 27)}))
    start = amsterdam(2026, 4, 20, 9, 0)
    began = clock.perf_counter()
    for _ in range(200):
        add_business_minutes(spec, start, 10 * 8 * 60)
    # then one addition takes well under a millisecond (1 ms here leaves room for slow machines)
    assert (clock.perf_counter() - began) / 200 < 0.001


# --- the spec -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "weekly", "message"),
    [
        ("Mars/Olympus_Mons", {}, "unknown time zone"),
        ("../../etc/passwd", {}, "unknown time zone"),
        ("UTC", {7: ((time(8), time(9)),)}, "weekday must be"),
        ("UTC", {0: ((time(9), time(8)),)}, "must close after it opens"),
        ("UTC", {0: ((time(9), time(0)),)}, "closes=None"),
        ("UTC", {0: ((time(8), time(12)), (time(11), time(13)))}, "must not overlap"),
        ("UTC", {0: ((time(13), time(17)), (time(8), time(12)))}, "sorted"),
        ("UTC", {0: ((time(8), None), (time(9), time(10)))}, "must not overlap"),
        ("UTC", {0: ((time(8, tzinfo=UTC), time(9)),)}, "without tzinfo"),
    ],
)
def test_a_spec_refuses_what_it_cannot_count(zone, weekly, message):
    with pytest.raises(ValueError, match=message):
        CalendarSpec(time_zone=zone, weekly=weekly)


def test_a_spec_keeps_its_own_copy_and_can_be_hashed():
    # given a spec made from a dict that changes afterwards
    weekly = {0: ((time(8), time(12)), (time(12), time(16)))}  # touching intervals are fine
    spec = CalendarSpec(time_zone="UTC", weekly=weekly, closed_days=frozenset({date(2026, 1, 5)}))
    weekly[1] = ((time(8), time(9)),)
    # then the spec did not change, cannot be changed, and serves as a dictionary key
    assert dict(spec.weekly) == {0: ((time(8), time(12)), (time(12), time(16)))}
    with pytest.raises(TypeError):
        spec.weekly[2] = ()  # type: ignore[index]
    assert {spec: "cached"}[CalendarSpec(time_zone="UTC", weekly=dict(spec.weekly), closed_days=spec.closed_days)]
    # and touching intervals are one stretch of business time
    assert add_business_minutes(spec, utc(2026, 1, 12, 11, 30), 60) == utc(2026, 1, 12, 12, 30)


def test_time_zone_names():
    assert is_time_zone("Europe/Amsterdam") is True
    assert is_time_zone("Australia/Lord_Howe") is True
    assert is_time_zone("europe/amsterdam") is False
    assert is_time_zone("") is False
