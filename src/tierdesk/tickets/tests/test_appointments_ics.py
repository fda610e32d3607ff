"""The iCalendar builder, read back with the icalendar parser: one VEVENT in UTC with a stable
UID, a rising SEQUENCE, the organiser and attendees, REQUEST and CANCEL as iTIP wants them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from icalendar import Calendar

from tierdesk.tickets.calendar_appointments import appointment_event
from tierdesk.tickets.calendar_ics import InviteEvent, Method, Person, build_calendar
from tierdesk.tickets.services.appointments import appointment_cancel, appointment_reschedule, appointment_schedule
from tierdesk.tickets.tests.factories import make_ticket

DESK = Person(name="Tierdesk", email="support@tierdesk.invalid")
STAMP = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def parse(data: bytes) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def an_event(**changes: Any) -> InviteEvent:
    values: dict[str, Any] = {
        "uid": "0123abcd@tierdesk.invalid",
        "sequence": 0,
        # 10:00 in Amsterdam (winter): 09:00 UTC
        "starts_at": datetime(2026, 12, 3, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        "ends_at": datetime(2026, 12, 3, 10, 45, tzinfo=timezone(timedelta(hours=1))),
        "summary": "[TD#100042] Remote session: Printer is offline, again",
        "description": "Ticket: https://desk.example/portal/tickets/100042/",
        "location": "https://remote.example/s/42",
        "organizer": DESK,
        "attendees": [Person("Anna Vermeulen", "anna@harbour.example"), Person("Lena Agent", "l1@tierdesk.invalid")],
    }
    values.update(changes)
    return InviteEvent(**values)


def test_a_request_parses_back_with_every_property():
    calendar, event = parse(build_calendar([an_event()], method=Method.REQUEST, stamp=STAMP))
    assert (calendar["method"], calendar["version"]) == ("REQUEST", "2.0")
    assert event["uid"] == "0123abcd@tierdesk.invalid"
    assert event.decoded("sequence") == 0
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 12, 3, 9, 45, tzinfo=UTC)
    assert event.decoded("dtstamp") == STAMP
    assert str(event["summary"]) == "[TD#100042] Remote session: Printer is offline, again"
    assert "https://desk.example/portal/tickets/100042/" in str(event["description"])
    assert str(event["location"]) == "https://remote.example/s/42"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["organizer"]) == "mailto:support@tierdesk.invalid"
    attendees = {str(a): a.params for a in event["attendee"]}
    assert set(attendees) == {"mailto:anna@harbour.example", "mailto:l1@tierdesk.invalid"}
    assert attendees["mailto:anna@harbour.example"]["CN"] == "Anna Vermeulen"
    assert attendees["mailto:anna@harbour.example"]["PARTSTAT"] == "NEEDS-ACTION"


def test_times_are_written_in_utc():
    data = build_calendar([an_event()], method=Method.REQUEST, stamp=STAMP).decode()
    assert "DTSTART:20261203T090000Z\r\n" in data
    assert "DTEND:20261203T094500Z\r\n" in data


def test_a_cancel_carries_status_cancelled():
    calendar, event = parse(build_calendar([an_event(sequence=3)], method=Method.CANCEL, stamp=STAMP))
    assert calendar["method"] == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 3


@pytest.mark.parametrize("items", [[], "two"])
def test_an_itip_message_holds_exactly_one_event(items):
    events = [an_event(), an_event(uid="other@x")] if items == "two" else []
    with pytest.raises(ValueError, match="exactly one"):
        build_calendar(events, method=Method.REQUEST, stamp=STAMP)


def test_a_feed_may_hold_many_events_without_organiser():
    data = build_calendar(
        [an_event(organizer=None), an_event(uid="b@x", organizer=None)], method=Method.PUBLISH, stamp=STAMP
    )
    calendar = Calendar.from_ical(data)
    assert calendar["method"] == "PUBLISH"
    assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == ["0123abcd@tierdesk.invalid", "b@x"]


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        build_calendar([an_event(starts_at=datetime(2026, 12, 3, 9, 0))], method=Method.REQUEST, stamp=STAMP)  # noqa: DTZ001


def test_an_appointment_keeps_its_uid_while_the_sequence_rises(personas):
    # given an appointment, moved once and then cancelled
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer is offline")
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    appointment = appointment_schedule(
        ticket=ticket, by=personas.agent_l1, kind="remote_session", starts_at=start, duration_minutes=30
    )
    copies = [appointment_event(appointment, url="https://desk.example/t/1", organizer=DESK)]
    appointment = appointment_reschedule(
        appointment=appointment, by=personas.agent_l1, starts_at=start + timedelta(hours=2)
    )
    copies.append(appointment_event(appointment, url="https://desk.example/t/1", organizer=DESK))
    appointment = appointment_cancel(appointment=appointment, by=personas.agent_l1)
    copies.append(appointment_event(appointment, url="https://desk.example/t/1", organizer=DESK))
    methods = [Method.REQUEST, Method.REQUEST, Method.CANCEL]
    parsed = [parse(build_calendar([c], method=m, stamp=STAMP))[1] for c, m in zip(copies, methods, strict=True)]
    # then the UID stays, the SEQUENCE rises, the last one is cancelled
    assert {str(e["uid"]) for e in parsed} == {appointment.uid}
    assert [e.decoded("sequence") for e in parsed] == [0, 1, 2]
    assert [str(e["status"]) for e in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert parsed[1].decoded("dtstart") == start + timedelta(hours=2)
    assert str(parsed[0]["summary"]) == f"[TD#{ticket.number}] Remote session: Printer is offline"
    assert {str(a) for a in parsed[0]["attendee"]} == {
        "mailto:anna@harbour.example",
        f"mailto:{personas.agent_l1.email}",
    }
