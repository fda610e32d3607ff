"""Input and output shapes of the calendars API: calendars with their weekly opening hours and
closed days, and the business-minute questions integrations ask of a calendar."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from tierdesk.accounts.api_base import OutSchema, PatchSchema
from tierdesk.sla.models import BusinessCalendar, ClosedDay, OpeningHours
from tierdesk.sla.services import ClosedDate, OpeningInterval

# Bounds on one request's work; far above any real calendar.
MAX_OPENING_HOURS = 7 * 48
MAX_CLOSED_DAYS = 2000
MAX_MINUTES = 1_000_000


class OpeningHoursIn(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    opens: time = Field(description="Local wall time, e.g. 08:00")
    closes: time = Field(description="Local wall time; 00:00 means midnight at the end of the day")


class ClosedDayIn(Schema):
    date: date
    name: str = Field("", max_length=200)


class OpeningHoursOut(OutSchema):
    weekday: int
    opens: time
    closes: time


class ClosedDayOut(OutSchema):
    date: date
    name: str


class CalendarOut(OutSchema):
    id: int
    name: str
    time_zone: str
    country: str
    subdivision: str
    is_default: bool
    opening_hours: list[OpeningHoursOut]
    closed_days: list[ClosedDayOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_opening_hours(obj: BusinessCalendar) -> list[OpeningHours]:
        # .all() reads the prefetched rows (the selectors prefetch them).
        return list(obj.opening_hours.all())

    @staticmethod
    def resolve_closed_days(obj: BusinessCalendar) -> list[ClosedDay]:
        return list(obj.closed_days.all())


class CalendarPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[CalendarOut]


class CalendarIn(Schema):
    name: str = Field(max_length=200)
    time_zone: str = Field(max_length=64, description="IANA name, e.g. Europe/Amsterdam")
    country: str = Field("", max_length=8, description="ISO 3166 code whose public holidays close the desk")
    subdivision: str = Field("", max_length=40, description="Region of the country, e.g. BY for Bavaria")
    is_default: bool = False
    opening_hours: list[OpeningHoursIn] = Field(default_factory=list, max_length=MAX_OPENING_HOURS)
    closed_days: list[ClosedDayIn] = Field(default_factory=list, max_length=MAX_CLOSED_DAYS)

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `services.calendar_create`."""
        return service_fields({name: getattr(self, name) for name in type(self).model_fields})


class CalendarPatch(PatchSchema):
    name: str | None = Field(None, max_length=200)
    time_zone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=8)
    subdivision: str | None = Field(None, max_length=40)
    is_default: bool | None = Field(None, description="true makes this the default; another calendar loses it")
    opening_hours: list[OpeningHoursIn] | None = Field(None, max_length=MAX_OPENING_HOURS, description="Replaces all")
    closed_days: list[ClosedDayIn] | None = Field(None, max_length=MAX_CLOSED_DAYS, description="Replaces all")

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `services.calendar_update`: only what the client sent."""
        return service_fields(self.changes())


def service_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The schema's values with opening hours and closed days as the services' value objects."""
    converted = dict(values)
    if converted.get("opening_hours") is not None:
        converted["opening_hours"] = [
            OpeningInterval(weekday=hours.weekday, opens=hours.opens, closes=hours.closes)
            for hours in converted["opening_hours"]
        ]
    if converted.get("closed_days") is not None:
        converted["closed_days"] = [ClosedDate(date=day.date, name=day.name) for day in converted["closed_days"]]
    return converted


class BusinessMinutesQuery(Schema):
    start: AwareDatetime = Field(description="With its UTC offset, e.g. 2026-04-24T15:50:00+02:00")
    end: AwareDatetime


class BusinessMinutesOut(OutSchema):
    calendar: int
    start: datetime
    end: datetime
    minutes: int = Field(description="Whole business minutes from start to end; negative when end is earlier")


class AddMinutesQuery(Schema):
    start: AwareDatetime = Field(description="With its UTC offset, e.g. 2026-04-24T15:50:00+02:00")
    minutes: int = Field(ge=-MAX_MINUTES, le=MAX_MINUTES, description="Business minutes; negative counts back")


class AddMinutesOut(OutSchema):
    calendar: int
    start: datetime
    minutes: int
    result: datetime = Field(description="In UTC")
