"""Input and output shapes of the calendars API: calendars with their weekly opening hours and
closed days, the business-minute questions integrations ask of a calendar, and SLA policies
with their targets per priority."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from ninja import Field, Schema
from pydantic import AwareDatetime

from tierdesk.accounts.api_base import OutSchema, PatchSchema
from tierdesk.sla.choices import PRIORITIES, SlaPriority
from tierdesk.sla.models import WARNING_PERCENT_DEFAULT, BusinessCalendar, ClosedDay, OpeningHours, SlaPolicy, SlaTarget
from tierdesk.sla.services import MAX_TARGET_MINUTES, ClosedDate, OpeningInterval, TargetValues

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


# --- SLA policies --------------------------------------------------------------------------------


class SlaTargetIn(Schema):
    priority: SlaPriority
    first_response_minutes: int = Field(ge=1, le=MAX_TARGET_MINUTES, description="Business minutes")
    resolution_minutes: int = Field(ge=1, le=MAX_TARGET_MINUTES, description="Business minutes")
    next_update_minutes: int | None = Field(None, ge=1, le=MAX_TARGET_MINUTES, description="Business minutes")


class SlaTargetOut(OutSchema):
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    next_update_minutes: int | None


class SlaPolicyOut(OutSchema):
    id: int
    name: str
    calendar: int = Field(validation_alias="calendar_id")
    organisation: int | None = Field(validation_alias="organisation_id")
    is_default: bool
    warning_percent: int
    targets: list[SlaTargetOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_targets(obj: SlaPolicy) -> list[SlaTarget]:
        return sorted(obj.targets.all(), key=lambda target: target.priority)


class SlaPolicyPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[SlaPolicyOut]


def _targets(values: list[SlaTargetIn]) -> list[TargetValues]:
    return [
        TargetValues(
            priority=str(target.priority),
            first_response_minutes=target.first_response_minutes,
            resolution_minutes=target.resolution_minutes,
            next_update_minutes=target.next_update_minutes,
        )
        for target in values
    ]


class SlaPolicyIn(Schema):
    name: str = Field(max_length=200)
    calendar: int
    organisation: int | None = None
    is_default: bool = False
    warning_percent: int = Field(WARNING_PERCENT_DEFAULT, ge=1, le=99)
    targets: list[SlaTargetIn] = Field(max_length=len(PRIORITIES), description="One for each priority p1..p5")

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `services.policy_create`."""
        return {
            "name": self.name,
            "calendar_id": self.calendar,
            "organisation_id": self.organisation,
            "is_default": self.is_default,
            "warning_percent": self.warning_percent,
            "targets": _targets(self.targets),
        }


class SlaPolicyPatch(PatchSchema):
    nullable: ClassVar[frozenset[str]] = frozenset({"organisation"})
    name: str | None = Field(None, max_length=200)
    calendar: int | None = None
    organisation: int | None = Field(None, description="null makes the policy no customer's own")
    is_default: bool | None = None
    warning_percent: int | None = Field(None, ge=1, le=99)
    targets: list[SlaTargetIn] | None = Field(None, max_length=len(PRIORITIES), description="Replaces all")

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `services.policy_update`: only what the client sent."""
        changes = self.changes()
        renamed = {"calendar": "calendar_id", "organisation": "organisation_id"}
        result = {renamed.get(name, name): value for name, value in changes.items()}
        if result.get("targets") is not None:
            result["targets"] = _targets(self.targets or [])
        return result
