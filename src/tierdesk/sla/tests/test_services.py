"""Calendar services: create, update and delete by admins only, every validation code, one
default calendar at a time, and refusals that leave everything as it was."""

from __future__ import annotations

from datetime import UTC, date, time

import pytest
from django.db import IntegrityError, transaction

from tierdesk.accounts.errors import NotAllowed
from tierdesk.sla import errors, services
from tierdesk.sla.errors import CalendarInvalid, CalendarNotFound, DefaultCalendarConflict
from tierdesk.sla.models import BusinessCalendar, ClosedDay, OpeningHours
from tierdesk.sla.services import ClosedDate, OpeningInterval, calendar_create, calendar_delete, calendar_update
from tierdesk.sla.tests.factories import BusinessCalendarFactory, ClosedDayFactory, office_calendar

WEEKDAYS_9_TO_5 = [OpeningInterval(weekday=weekday, opens=time(9), closes=time(17)) for weekday in range(5)]
NON_ADMINS = ["agent_l1", "case_manager", "customer_a", "customer_admin_a", "anonymous"]


def snapshot() -> list[tuple[object, ...]]:
    """Every calendar row with its hours and closed days, to show that nothing changed."""
    return [
        (
            calendar.name,
            calendar.time_zone,
            calendar.country,
            calendar.subdivision,
            calendar.is_default,
            [(row.weekday, row.opens, row.closes) for row in calendar.opening_hours.all()],
            [(row.date, row.name) for row in calendar.closed_days.all()],
        )
        for calendar in BusinessCalendar.objects.order_by("pk")
    ]


def office_hours_nl() -> BusinessCalendar:
    """The default calendar the data migration creates."""
    return BusinessCalendar.objects.get(name="Office hours NL")


# --- create -------------------------------------------------------------------------------------


def test_admin_creates_a_calendar(personas):
    # when
    calendar = calendar_create(
        by=personas.admin,
        name="  Bavarian desk ",
        time_zone="Europe/Berlin",
        country="de",
        subdivision="by",
        opening_hours=[
            OpeningInterval(weekday=0, opens=time(13), closes=time(17)),
            OpeningInterval(weekday=0, opens=time(8), closes=time(12)),
            OpeningInterval(weekday=5, opens=time(22), closes=time(0)),
        ],
        closed_days=[ClosedDate(date=date(2026, 12, 24), name=" Office party ")],
    )
    # then names are trimmed, the region is spelt as the holidays package does, rows are sorted
    assert (calendar.name, calendar.time_zone, calendar.country, calendar.subdivision) == (
        "Bavarian desk",
        "Europe/Berlin",
        "DE",
        "BY",
    )
    assert calendar.is_default is False
    assert [(row.weekday, row.opens, row.closes) for row in calendar.opening_hours.all()] == [
        (0, time(8), time(12)),
        (0, time(13), time(17)),
        (5, time(22), time(0)),
    ]
    assert [(row.date, row.name) for row in calendar.closed_days.all()] == [(date(2026, 12, 24), "Office party")]
    assert office_hours_nl().is_default is True


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admins_create(personas, who):
    before = snapshot()
    with pytest.raises(NotAllowed):
        calendar_create(by=getattr(personas, who), name="Night desk", time_zone="UTC", opening_hours=WEEKDAYS_9_TO_5)
    assert snapshot() == before


def test_a_new_default_takes_over_from_the_old_one(personas):
    # when an admin creates a default calendar
    calendar = calendar_create(
        by=personas.admin, name="Oslo desk", time_zone="Europe/Oslo", is_default=True, opening_hours=WEEKDAYS_9_TO_5
    )
    # then it is the only default
    assert calendar.is_default is True
    assert list(BusinessCalendar.objects.filter(is_default=True)) == [calendar]
    assert office_hours_nl().is_default is False


def test_the_database_allows_one_default_only(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessCalendarFactory.create(is_default=True)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"name": "   "}, errors.NAME_REQUIRED, "name"),
        ({"name": "office HOURS nl"}, errors.NAME_TAKEN, "name"),
        ({"name": "x" * 101}, errors.TOO_LONG, "name"),
        ({"time_zone": "Europe/Atlantis"}, errors.UNKNOWN_TIME_ZONE, "time_zone"),
        ({"time_zone": "europe/amsterdam"}, errors.UNKNOWN_TIME_ZONE, "time_zone"),
        ({"country": "XX"}, errors.UNKNOWN_COUNTRY, "country"),
        ({"country": "DE", "subdivision": "XX"}, errors.UNKNOWN_SUBDIVISION, "subdivision"),
        ({"subdivision": "BY"}, errors.UNKNOWN_SUBDIVISION, "subdivision"),
        ({"opening_hours": [OpeningInterval(7, time(8), time(9))]}, errors.INVALID_WEEKDAY, "opening_hours"),
        ({"opening_hours": [OpeningInterval(-1, time(8), time(9))]}, errors.INVALID_WEEKDAY, "opening_hours"),
        ({"opening_hours": [OpeningInterval(0, time(9), time(8))]}, errors.CLOSES_BEFORE_OPENS, "opening_hours"),
        ({"opening_hours": [OpeningInterval(0, time(9), time(9))]}, errors.CLOSES_BEFORE_OPENS, "opening_hours"),
        (
            {"opening_hours": [OpeningInterval(0, time(8, tzinfo=UTC), time(9))]},
            errors.INVALID_TIME,
            "opening_hours",
        ),
        (
            {"opening_hours": [OpeningInterval(0, time(8), time(12)), OpeningInterval(0, time(11), time(14))]},
            errors.OVERLAPPING_HOURS,
            "opening_hours",
        ),
        (
            {"opening_hours": [OpeningInterval(0, time(20), time(0)), OpeningInterval(0, time(22), time(23))]},
            errors.OVERLAPPING_HOURS,
            "opening_hours",
        ),
        (
            {"closed_days": [ClosedDate(date(2026, 5, 1), "a"), ClosedDate(date(2026, 5, 1), "b")]},
            errors.DUPLICATE_CLOSED_DAY,
            "closed_days",
        ),
        ({"closed_days": [ClosedDate(date(2026, 5, 1), "x" * 201)]}, errors.TOO_LONG, "closed_days"),
        ({"is_default": True, "opening_hours": []}, errors.DEFAULT_WITHOUT_HOURS, "opening_hours"),
    ],
)
def test_create_refuses_invalid_input_with_a_code(personas, changes, code, field):
    # given valid input with one thing wrong
    values = {"name": "Night desk", "time_zone": "UTC", "opening_hours": WEEKDAYS_9_TO_5, **changes}
    before = snapshot()
    # when
    with pytest.raises(CalendarInvalid) as refused:
        calendar_create(by=personas.admin, **values)
    # then
    assert (refused.value.code, refused.value.field, refused.value.http_status) == (code, field, 422)
    assert str(refused.value.message)
    assert snapshot() == before


def test_hours_may_touch_and_may_end_at_midnight(personas):
    calendar = calendar_create(
        by=personas.admin,
        name="Long day",
        time_zone="UTC",
        opening_hours=[
            OpeningInterval(0, time(0), time(12)),
            OpeningInterval(0, time(12), time(0)),
            OpeningInterval(6, time(0), time(0)),  # all of Sunday
        ],
    )
    assert calendar.opening_hours.count() == 3


# --- update -------------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(personas):
    # given a calendar with hours and a closed day
    calendar = office_calendar(name="Harbour desk", country="NL")
    ClosedDayFactory.create(calendar=calendar, date=date(2026, 6, 1))
    # when only the name changes
    updated = calendar_update(by=personas.admin, calendar=calendar, name="Harbour desk 2")
    # then the rest is as it was
    assert updated.name == "Harbour desk 2"
    assert (updated.time_zone, updated.country) == ("Europe/Amsterdam", "NL")
    assert updated.opening_hours.count() == 5
    assert [day.date for day in updated.closed_days.all()] == [date(2026, 6, 1)]


def test_update_replaces_hours_and_closed_days_as_a_whole(personas):
    calendar = office_calendar(name="Harbour desk")
    ClosedDayFactory.create(calendar=calendar, date=date(2026, 6, 1))
    # when
    updated = calendar_update(
        by=personas.admin,
        calendar=calendar,
        opening_hours=[OpeningInterval(2, time(10), time(11))],
        closed_days=[ClosedDate(date(2026, 7, 1), "Move"), ClosedDate(date(2026, 6, 2), "")],
    )
    # then
    assert [(row.weekday, row.opens, row.closes) for row in updated.opening_hours.all()] == [(2, time(10), time(11))]
    assert [(row.date, row.name) for row in updated.closed_days.all()] == [
        (date(2026, 6, 2), ""),
        (date(2026, 7, 1), "Move"),
    ]
    assert OpeningHours.objects.filter(calendar=calendar).count() == 1
    assert ClosedDay.objects.filter(calendar=calendar).count() == 2


def test_another_country_drops_the_subdivision_the_same_country_keeps_it(personas):
    calendar = office_calendar(name="Munich desk", country="DE", subdivision="BY")
    assert calendar_update(by=personas.admin, calendar=calendar, country="de").subdivision == "BY"
    assert calendar_update(by=personas.admin, calendar=calendar, subdivision="be").subdivision == "BE"
    moved = calendar_update(by=personas.admin, calendar=calendar, country="PL")
    assert (moved.country, moved.subdivision) == ("PL", "")
    cleared = calendar_update(by=personas.admin, calendar=calendar, country="")
    assert (cleared.country, cleared.subdivision) == ("", "")


def test_update_may_keep_its_own_name_in_another_case(personas):
    calendar = office_hours_nl()
    assert calendar_update(by=personas.admin, calendar=calendar, name="OFFICE HOURS NL").name == "OFFICE HOURS NL"


def test_update_makes_another_calendar_the_default(personas):
    calendar = office_calendar(name="Harbour desk")
    updated = calendar_update(by=personas.admin, calendar=calendar, is_default=True)
    assert updated.is_default is True
    assert office_hours_nl().is_default is False
    # and saying so again changes nothing
    assert calendar_update(by=personas.admin, calendar=updated, is_default=True).is_default is True


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"is_default": False}, errors.DEFAULT_REQUIRED),
        ({"opening_hours": []}, errors.DEFAULT_WITHOUT_HOURS),
        ({"name": "Renamed", "country": "ZZ"}, errors.UNKNOWN_COUNTRY),
        ({"name": "Renamed", "opening_hours": [OpeningInterval(0, time(9), time(8))]}, errors.CLOSES_BEFORE_OPENS),
    ],
)
def test_a_refused_update_changes_nothing(personas, changes, code):
    before = snapshot()
    with pytest.raises(CalendarInvalid) as refused:
        calendar_update(by=personas.admin, calendar=office_hours_nl(), **changes)
    assert refused.value.code == code
    assert snapshot() == before


def test_a_calendar_without_hours_cannot_become_the_default(personas):
    calendar = BusinessCalendarFactory.create(name="Empty")
    with pytest.raises(CalendarInvalid) as refused:
        calendar_update(by=personas.admin, calendar=calendar, is_default=True)
    assert refused.value.code == errors.DEFAULT_WITHOUT_HOURS
    assert office_hours_nl().is_default is True


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admins_update(personas, who):
    before = snapshot()
    with pytest.raises(NotAllowed):
        calendar_update(by=getattr(personas, who), calendar=office_hours_nl(), name="Mine now", opening_hours=[])
    assert snapshot() == before


def test_update_of_a_deleted_calendar_is_not_found(personas):
    calendar = office_calendar(name="Gone soon")
    BusinessCalendar.objects.filter(pk=calendar.pk).delete()
    with pytest.raises(CalendarNotFound):
        calendar_update(by=personas.admin, calendar=calendar, name="Back")
    with pytest.raises(CalendarNotFound):
        calendar_delete(by=personas.admin, calendar=calendar)


# --- delete -------------------------------------------------------------------------------------


def test_admin_deletes_a_calendar_with_its_rows(personas):
    calendar = office_calendar(name="Harbour desk")
    ClosedDayFactory.create(calendar=calendar, date=date(2026, 6, 1))
    calendar_delete(by=personas.admin, calendar=calendar)
    assert not BusinessCalendar.objects.filter(pk=calendar.pk).exists()
    assert not OpeningHours.objects.filter(calendar_id=calendar.pk).exists()
    assert not ClosedDay.objects.filter(calendar_id=calendar.pk).exists()


def test_the_default_calendar_cannot_be_deleted(personas):
    before = snapshot()
    with pytest.raises(CalendarInvalid) as refused:
        calendar_delete(by=personas.admin, calendar=office_hours_nl())
    assert refused.value.code == errors.DEFAULT_NOT_DELETABLE
    assert snapshot() == before


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admins_delete(personas, who):
    calendar = office_calendar(name="Harbour desk")
    before = snapshot()
    with pytest.raises(NotAllowed):
        calendar_delete(by=getattr(personas, who), calendar=calendar)
    assert snapshot() == before


# --- races past the checks ---------------------------------------------------------------------
# A concurrent admin can slip past the checks between reading and writing. Such a race cannot be
# staged on SQLite, whose writers queue; these tests hand the save the state it would then meet.


def test_a_race_for_the_name_is_reported_as_name_taken(personas):
    twin = BusinessCalendar(name="Office hours NL", time_zone="UTC")
    with pytest.raises(CalendarInvalid) as refused:
        services._save(twin, make_default=False)
    assert refused.value.code == errors.NAME_TAKEN


def test_a_race_for_the_default_is_a_conflict(personas):
    rival = BusinessCalendar(name="Rival", time_zone="UTC", is_default=True)
    with pytest.raises(DefaultCalendarConflict) as refused:
        services._save(rival, make_default=False)
    assert (refused.value.code, refused.value.http_status) == ("calendar.default_conflict", 409)
    assert list(BusinessCalendar.objects.filter(is_default=True)) == [office_hours_nl()]
