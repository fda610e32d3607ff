"""Business-hours calendars: a time zone, weekly opening hours, public holidays of a country
(or region) and custom closed days; SLA policies with their targets per priority on such a
calendar. The arithmetic on them lives in `sla/calendar.py`."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation
from tierdesk.core.models import TimeStampedModel
from tierdesk.sla.calendar import is_time_zone
from tierdesk.sla.choices import SlaPriority

# OpeningHours.closes at 00:00 means midnight at the end of the day.
MIDNIGHT = time(0, 0)
CALENDAR_NAME_MAX = 100
CLOSED_DAY_NAME_MAX = 200


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Weekday(models.IntegerChoices):
    """Python's numbering (date.weekday()): Monday is 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BusinessCalendar(TimeStampedModel):
    """When the desk is open: the clock that SLA deadlines run on. At most one is the default."""

    name = models.CharField(_("name"), max_length=CALENDAR_NAME_MAX, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code whose public holidays close the desk")
    )
    subdivision = models.CharField(
        _("subdivision"), max_length=40, blank=True, help_text=_("Region of the country, e.g. a German state")
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_calendar_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening interval of a weekday, in the calendar's local wall time. `closes` 00:00 means
    midnight at the end of the day; several rows per weekday make a lunch break."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight at the end of the day"))

    class Meta:
        ordering = ["calendar_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="sla_opening_hours_weekday"),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")) | models.Q(closes=MIDNIGHT),
                name="sla_opening_hours_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A custom day on which the desk is closed (the office party), besides the public holidays."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=CLOSED_DAY_NAME_MAX, blank=True)

    class Meta:
        ordering = ["calendar_id", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


POLICY_NAME_MAX = 100
WARNING_PERCENT_DEFAULT = 80


class SlaPolicy(TimeStampedModel):
    """Response and resolution targets per priority, counted in business time on `calendar`.

    A policy with an organisation applies to that customer's tickets; the default one (at most
    one) to everybody else's."""

    name = models.CharField(_("name"), max_length=POLICY_NAME_MAX, unique=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="sla_policies")
    # CASCADE: an organisation is only deletable without tickets, so no ticket loses its policy.
    organisation = models.OneToOneField(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policy"
    )
    is_default = models.BooleanField(_("default"), default=False)
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at percent"),
        default=WARNING_PERCENT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_policy_one_default"
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99), name="sla_policy_warning_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """The business minutes a policy allows one priority until the first response and resolution."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=2, choices=SlaPriority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    next_update_minutes = models.PositiveIntegerField(_("next update (business minutes)"), null=True, blank=True)

    class Meta:
        ordering = ["policy_id", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_unique"),
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gt=0, resolution_minutes__gt=0),
                name="sla_target_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.first_response_minutes}/{self.resolution_minutes}"
