"""Calendar selectors: the migration's default calendar, the spec the arithmetic gets (holidays,
closed days, midnight), the years it covers, permission checks and the API's arithmetic answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tierdesk.accounts.errors import NotAllowed
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.sla import errors, selectors
from tierdesk.sla.calendar import add_business_minutes
from tierdesk.sla.errors import CalendarInvalid, CalendarNotFound, NoDefaultCalendar
from tierdesk.sla.models import BusinessCalendar
from tierdesk.sla.services import OpeningInterval, calendar_update
from tierdesk.sla.tests.factories import (
    BusinessCalendarFactory,
    ClosedDayFactory,
    OpeningHoursFactory,
    office_calendar,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=AMSTERDAM)


def test_the_data_migration_made_the_default_calendar(db):
    # when
    calendar = selectors.default_calendar()
    # then Dutch office hours, Monday to Friday 08:00-16:00, with the Dutch holidays
    assert (calendar.name, calendar.time_zone, calendar.country, calendar.subdivision, calendar.is_default) == (
        "Office hours NL",
        "Europe/Amsterdam",
        "NL",
        "",
        True,
    )
    assert [(row.weekday, row.opens, row.closes) for row in calendar.opening_hours.all()] == [
        (weekday, time(8), time(16)) for weekday in range(5)
    ]
    assert not calendar.closed_days.exists()


def test_the_default_calendar_skips_kings_day(db):
    # given Friday 24 April 2026 15:50; Monday 27 April is King's Day
    calendar = selectors.default_calendar()
    start = amsterdam(2026, 4, 24, 15, 50)
    spec = selectors.calendar_spec_for_range(calendar, start, start)
    # then 30 business minutes end on Tuesday 08:20
    assert add_business_minutes(spec, start, 30) == amsterdam(2026, 4, 28, 8, 20)


def test_no_default_calendar_is_a_clear_error(db):
    BusinessCalendar.objects.update(is_default=False)
    with pytest.raises(NoDefaultCalendar) as missing:
        selectors.default_calendar()
    assert missing.value.code == "calendar.no_default"


def test_spec_holds_holidays_and_closed_days_of_the_years_asked(db):
    # given a Bavarian calendar with a lunch break, an evening until midnight and two closed days
    calendar = BusinessCalendarFactory.create(time_zone="Europe/Berlin", country="DE", subdivision="BY")
    OpeningHoursFactory.create(calendar=calendar, weekday=0, opens=time(13), closes=time(17))
    OpeningHoursFactory.create(calendar=calendar, weekday=0, opens=time(8), closes=time(12))
    OpeningHoursFactory.create(calendar=calendar, weekday=4, opens=time(20), closes=time(0))
    ClosedDayFactory.create(calendar=calendar, date=date(2026, 7, 3))
    ClosedDayFactory.create(calendar=calendar, date=date(2027, 7, 2))
    # when
    spec = selectors.calendar_spec(calendar, years=[2026])
    # then
    assert spec.time_zone == "Europe/Berlin"
    assert dict(spec.weekly) == {0: ((time(8), time(12)), (time(13), time(17))), 4: ((time(20), None),)}
    assert date(2026, 7, 3) in spec.closed_days  # our own closed day
    assert date(2027, 7, 2) not in spec.closed_days  # another year
    assert date(2026, 1, 6) in spec.closed_days  # Epiphany: a Bavarian holiday
    assert date(2026, 6, 4) in spec.closed_days  # Corpus Christi
    assert date(2027, 1, 1) not in spec.closed_days
    assert len(spec.closed_days) == 13


def test_spec_without_a_country_has_only_its_own_closed_days(db):
    calendar = office_calendar()
    ClosedDayFactory.create(calendar=calendar, date=date(2026, 12, 24))
    assert selectors.calendar_spec(calendar, years=range(2025, 2028)).closed_days == {date(2026, 12, 24)}


def test_spec_for_a_range_adds_a_year_either_side(db):
    calendar = office_calendar(country="NL")
    for year in (2023, 2024, 2027, 2028):
        ClosedDayFactory.create(calendar=calendar, date=date(year, 8, 1))
    # when the range runs from 2025 into 2026 (given backwards: the order does not matter)
    spec = selectors.calendar_spec_for_range(calendar, amsterdam(2026, 2, 1), amsterdam(2025, 3, 1))
    # then 2024-2027 are covered
    assert {day.year for day in spec.closed_days} == {2024, 2025, 2026, 2027}
    assert date(2024, 8, 1) in spec.closed_days
    assert date(2027, 8, 1) in spec.closed_days
    assert date(2027, 4, 27) in spec.closed_days  # King's Day, from the holidays package


def test_a_change_is_seen_at_once(personas):
    # given a spec built once
    calendar = selectors.default_calendar()
    before = selectors.calendar_spec(calendar, years=[2026])
    # when another process (here: a service call) changes the hours
    calendar_update(by=personas.admin, calendar=calendar, opening_hours=[OpeningInterval(0, time(9), time(10))])
    # then the next spec shows it: nothing was kept in memory
    after = selectors.calendar_spec(selectors.default_calendar(), years=[2026])
    assert dict(before.weekly)[0] == ((time(8), time(16)),)
    assert dict(after.weekly) == {0: ((time(9), time(10)),)}


def test_get_and_list(db):
    calendar = office_calendar(name="Alpha desk")
    office_calendar(name="Zulu desk")
    assert selectors.calendar_get(calendar.pk) == calendar
    with pytest.raises(CalendarNotFound):
        selectors.calendar_get(10**9)
    with assert_max_queries(3):
        rows = [(c.name, len(c.opening_hours.all()), len(c.closed_days.all())) for c in selectors.calendar_list()]
    assert rows == [("Alpha desk", 5, 0), ("Office hours NL", 5, 0), ("Zulu desk", 5, 0)]


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "customer_a", "anonymous"])
def test_reading_for_a_user_is_for_admins(personas, who):
    user = getattr(personas, who)
    with pytest.raises(NotAllowed):
        selectors.calendar_list_for(user=user)
    with pytest.raises(NotAllowed):
        selectors.calendar_get_for(user=user, calendar_id=10**9)  # refused before the lookup


def test_admins_read_for_themselves(personas):
    calendar = selectors.default_calendar()
    assert list(selectors.calendar_list_for(user=personas.admin)) == [calendar]
    assert selectors.calendar_get_for(user=personas.admin, calendar_id=calendar.pk) == calendar
    with pytest.raises(CalendarNotFound):
        selectors.calendar_get_for(user=personas.admin, calendar_id=10**9)


# --- the arithmetic the API offers -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "admin"])
def test_staff_ask_a_calendar(personas, who):
    user = getattr(personas, who)
    calendar_id = selectors.default_calendar().pk
    friday, tuesday = amsterdam(2026, 4, 24, 15, 50), amsterdam(2026, 4, 28, 8, 20)
    assert selectors.calendar_business_minutes_for(user=user, calendar_id=calendar_id, start=friday, end=tuesday) == 30
    due = selectors.calendar_add_minutes_for(user=user, calendar_id=calendar_id, start=friday, minutes=30)
    assert due == tuesday
    assert due.tzinfo is UTC
    back = selectors.calendar_add_minutes_for(user=user, calendar_id=calendar_id, start=tuesday, minutes=-30)
    assert back == friday


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "anonymous"])
def test_customers_may_not_ask_a_calendar(personas, who):
    user = getattr(personas, who)
    start = amsterdam(2026, 4, 24, 15, 50)
    with pytest.raises(NotAllowed):
        selectors.calendar_business_minutes_for(user=user, calendar_id=10**9, start=start, end=start)
    with pytest.raises(NotAllowed):
        selectors.calendar_add_minutes_for(user=user, calendar_id=10**9, start=start, minutes=1)


def test_asking_an_unknown_calendar_is_not_found(personas):
    start = amsterdam(2026, 4, 24, 15, 50)
    with pytest.raises(CalendarNotFound):
        selectors.calendar_add_minutes_for(user=personas.agent_l1, calendar_id=10**9, start=start, minutes=1)


def test_the_api_arithmetic_refuses_what_would_walk_too_far(personas):
    user = personas.agent_l1
    default_id = selectors.default_calendar().pk
    never_open_id = BusinessCalendarFactory.create(name="Never").pk
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def code_of(call: object) -> str:
        with pytest.raises(CalendarInvalid) as refused:
            call()  # type: ignore[operator]
        return refused.value.code

    too_far = start + selectors.API_HORIZON + timedelta(seconds=1)
    assert (
        code_of(
            lambda: selectors.calendar_business_minutes_for(user=user, calendar_id=default_id, start=start, end=too_far)
        )
        == errors.RANGE_TOO_LONG
    )
    assert (
        code_of(
            lambda: selectors.calendar_add_minutes_for(
                user=user, calendar_id=default_id, start=datetime(1899, 12, 31, tzinfo=UTC), minutes=1
            )
        )
        == errors.OUT_OF_RANGE
    )
    assert (
        code_of(
            lambda: selectors.calendar_business_minutes_for(
                user=user, calendar_id=default_id, start=start, end=datetime(2200, 1, 1, tzinfo=UTC)
            )
        )
        == errors.OUT_OF_RANGE
    )
    assert (
        code_of(
            lambda: selectors.calendar_add_minutes_for(user=user, calendar_id=never_open_id, start=start, minutes=1)
        )
        == errors.NO_OPENING_HOURS
    )
    # eight hours a day, about 250 days a year: a million minutes take about eight years
    assert (
        code_of(
            lambda: selectors.calendar_add_minutes_for(user=user, calendar_id=default_id, start=start, minutes=10**6)
        )
        == errors.BEYOND_HORIZON
    )
    assert (
        code_of(
            lambda: selectors.calendar_add_minutes_for(user=user, calendar_id=default_id, start=start, minutes=-(10**6))
        )
        == errors.BEYOND_HORIZON
    )
    # and an empty calendar simply has no business minutes
    assert (
        selectors.calendar_business_minutes_for(
            user=user, calendar_id=never_open_id, start=start, end=too_far - timedelta(days=1)
        )
        == 0
    )
