"""iCalendar (RFC 5545) for appointments, as iTIP messages (RFC 5546): an invitation or its update
(METHOD:REQUEST), its cancellation (METHOD:CANCEL), and a plain calendar feed (METHOD:PUBLISH).

Pure: builds bytes from the values given, reads no database and no settings, so that the mail
app and the desk's feed share it and tests parse its output back. Times go out in UTC (a "Z"
suffix), which every calendar reads without a VTIMEZONE block."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Tierdesk//Appointments//EN"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class InviteEvent:
    """One appointment as a calendar event. `sequence` rises with each change (the copy with the
    highest one wins in the attendee's calendar); `is_cancelled` gives STATUS:CANCELLED."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: Person | None = None
    attendees: Sequence[Person] = ()
    is_cancelled: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be aware")
    return moment.astimezone(UTC)


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key.upper()] = vText(value)
    return address


def _event(item: InviteEvent, *, method: Method, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(item.starts_at))
    event.add("dtend", _utc(item.ends_at))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.created_at is not None:
        event.add("created", _utc(item.created_at))
    if item.updated_at is not None:
        event.add("last-modified", _utc(item.updated_at))
    cancelled = item.is_cancelled or method == Method.CANCEL
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if item.organizer is not None:
        event.add("organizer", _address(item.organizer))
    for person in item.attendees:
        params = {"ROLE": "REQ-PARTICIPANT", "CUTYPE": "INDIVIDUAL"}
        if method == Method.REQUEST:
            # The desk is the organiser and sends no replies on: ask nobody to RSVP.
            params["PARTSTAT"] = "NEEDS-ACTION"
        event.add("attendee", _address(person, **params), encode=False)
    return event


def build_calendar(items: Sequence[InviteEvent], *, method: Method, stamp: datetime, name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per item, as the bytes of a .ics file (CRLF lines, folded).

    An iTIP message (REQUEST, CANCEL) carries exactly one event and needs an organiser; a feed
    (PUBLISH) any number. `stamp` is the DTSTAMP: when this copy was made."""
    if method != Method.PUBLISH:
        if len(items) != 1:
            raise ValueError("an iTIP message carries exactly one event")
        if items[0].organizer is None:
            raise ValueError("an iTIP message needs an organiser")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)
    if name:
        calendar.add("x-wr-calname", name)
    for item in items:
        calendar.add_component(_event(item, method=method, stamp=stamp))
    return bytes(calendar.to_ical())
