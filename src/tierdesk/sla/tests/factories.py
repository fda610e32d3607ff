"""Row factories for the sla domain: calendars with opening hours and closed days."""

from __future__ import annotations

from datetime import time

import factory

from tierdesk.sla.models import BusinessCalendar, ClosedDay, OpeningHours


class BusinessCalendarFactory(factory.django.DjangoModelFactory[BusinessCalendar]):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Amsterdam"
    country = ""
    subdivision = ""
    is_default = False


class OpeningHoursFactory(factory.django.DjangoModelFactory[OpeningHours]):
    class Meta:
        model = OpeningHours

    calendar = factory.SubFactory(BusinessCalendarFactory)
    weekday = 0
    opens = time(8, 0)
    closes = time(16, 0)


class ClosedDayFactory(factory.django.DjangoModelFactory[ClosedDay]):
    class Meta:
        model = ClosedDay

    calendar = factory.SubFactory(BusinessCalendarFactory)
    name = "Office party"


def office_calendar(**kwargs: object) -> BusinessCalendar:
    """A calendar open Monday to Friday 08:00-16:00 (Amsterdam unless told otherwise)."""
    calendar = BusinessCalendarFactory.create(**kwargs)
    for weekday in range(5):
        OpeningHoursFactory.create(calendar=calendar, weekday=weekday)
    return calendar
