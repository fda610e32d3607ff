"""Collision detection over WebSockets: who may connect to a ticket's presence channel, what two
pages on one ticket tell each other, and what happens to bad clients.

Each scenario runs inside `async_to_sync` from the test's own thread, so the consumer's database
calls (thread-sensitive) use the test's connection and see its data; the scenarios' own database
work goes through asgiref's `sync_to_async`, which (unlike channels' wrapper) leaves that
connection open."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser
from django.urls import path

from tierdesk.tickets import presence
from tierdesk.tickets.consumers import TicketPresenceConsumer
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_comment_add
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.tests.ws_support import WebsocketCommunicator, fresh_channel_layer, keep_test_connection

pytestmark = pytest.mark.usefixtures(keep_test_connection.__name__, fresh_channel_layer.__name__)

# The route as config/websocket_urls.py has it (tests/test_collision_asgi.py runs that one, through
# the whole ASGI stack; the tickets app may not import config).
ROUTER = URLRouter([path("ws/desk/tickets/<int:number>/", TicketPresenceConsumer.as_asgi())])
TIMEOUT = 3  # seconds a message may take to arrive; never waited for when it does arrive


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Scanner on floor 3 is offline")


def page(user: Any, ticket: Ticket | int) -> WebsocketCommunicator:
    number = ticket.number if isinstance(ticket, Ticket) else ticket
    communicator = WebsocketCommunicator(ROUTER, f"/ws/desk/tickets/{number}/")
    communicator.scope["user"] = user
    return communicator


async def open_page(user: Any, ticket: Ticket) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    communicator = page(user, ticket)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    hello = await communicator.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "hello"
    return communicator, hello


async def next_of(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    """The next message of this type (skipping others, e.g. a colleague's welcome reply)."""
    while True:
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind:
            return message


# --- who may connect -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_l1", "agent_l2", "developer", "case_manager", "admin"])
def test_staff_connect_and_get_their_connection_id_and_timing(personas, ticket, who):
    async def scenario() -> None:
        communicator, hello = await open_page(getattr(personas, who), ticket)
        assert hello["heartbeat_seconds"] == presence.HEARTBEAT_SECONDS
        assert hello["expire_seconds"] == presence.EXPIRE_SECONDS
        assert len(hello["connection"]) >= 12
        await communicator.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_a2", "customer_b", "anonymous"])
def test_customers_and_anonymous_are_refused(personas, ticket, who):
    async def scenario() -> None:
        communicator = page(getattr(personas, who), ticket)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


def test_an_unknown_ticket_is_refused(personas, ticket):
    async def scenario() -> None:
        communicator = page(personas.agent_l1, ticket.number + 1000)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


def test_a_deactivated_agent_is_refused(personas, ticket):
    # given
    personas.agent_l2.is_active = False
    personas.agent_l2.save(update_fields=["is_active"])

    async def scenario() -> None:
        communicator = page(personas.agent_l2, ticket)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected is False

    run(scenario)


# --- two pages on one ticket ---------------------------------------------------------------


def test_a_page_learns_at_once_who_was_there_before_and_who_comes_after(personas, ticket):
    async def scenario() -> None:
        first, first_hello = await open_page(personas.agent_l1, ticket)
        # when a colleague opens the same ticket
        second, second_hello = await open_page(personas.agent_l2, ticket)
        # then the first page is told, with the name from the colleague's account
        joined = await next_of(first, "presence")
        assert joined == {
            "type": "presence",
            "connection": second_hello["connection"],
            "user": {"id": personas.agent_l2.pk, "name": personas.agent_l2.display_name},
            "state": "viewing",
        }
        # and the second page hears of the first one without waiting for its heartbeat
        there = await next_of(second, "presence")
        assert there["connection"] == first_hello["connection"]
        assert there["user"] == {"id": personas.agent_l1.pk, "name": personas.agent_l1.display_name}
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_typing_is_broadcast_and_identity_comes_from_the_session_not_the_client(personas, ticket):
    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l1, ticket)
        writer, writer_hello = await open_page(personas.agent_l2, ticket)
        await next_of(watcher, "presence")  # the writer arrived
        # when the writer types, claiming to be somebody else
        await writer.send_json_to(
            {"type": "presence", "state": "typing", "user": {"id": 1, "name": "Somebody Else"}, "connection": "x"}
        )
        # then
        typing = await next_of(watcher, "presence")
        assert typing["state"] == "typing"
        assert typing["connection"] == writer_hello["connection"]
        assert typing["user"] == {"id": personas.agent_l2.pk, "name": personas.agent_l2.display_name}
        # and back to viewing
        await writer.send_json_to({"type": "presence", "state": "viewing"})
        assert (await next_of(watcher, "presence"))["state"] == "viewing"
        await watcher.disconnect()
        await writer.disconnect()

    run(scenario)


def test_leaving_is_broadcast(personas, ticket):
    async def scenario() -> None:
        stays, _ = await open_page(personas.agent_l1, ticket)
        goes, goes_hello = await open_page(personas.agent_l2, ticket)
        await next_of(stays, "presence")
        # when
        await goes.disconnect()
        # then
        assert await next_of(stays, "left") == {"type": "left", "connection": goes_hello["connection"]}
        await stays.disconnect()

    run(scenario)


async def assert_next_is_arrival_of(communicator: WebsocketCommunicator, user: Any, ticket: Ticket) -> None:
    """A barrier: `user` opens the ticket, and that must be the next thing `communicator` hears,
    so nothing was sent to it before (the channel layer keeps each channel's order)."""
    barrier, hello = await open_page(user, ticket)
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert (message["type"], message["connection"]) == ("presence", hello["connection"])
    await barrier.disconnect()


def test_pages_on_another_ticket_hear_nothing(personas, ticket):
    other = make_ticket(by=personas.customer_b, requester=personas.contact_b, subject="VPN drops at noon")

    async def scenario() -> None:
        elsewhere, _ = await open_page(personas.agent_l1, other)
        here, _ = await open_page(personas.agent_l2, ticket)
        await here.send_json_to({"type": "presence", "state": "typing"})
        await assert_next_is_arrival_of(elsewhere, personas.developer, other)
        await elsewhere.disconnect()
        await here.disconnect()

    run(scenario)


def test_the_same_person_in_two_tabs_is_not_shown_as_a_colleague(personas, ticket):
    async def scenario() -> None:
        tab1, _ = await open_page(personas.agent_l1, ticket)
        tab2, _ = await open_page(personas.agent_l1, ticket)
        await tab2.send_json_to({"type": "presence", "state": "typing"})
        await assert_next_is_arrival_of(tab1, personas.agent_l2, ticket)
        await tab1.disconnect()
        await tab2.disconnect()

    run(scenario)


def test_a_new_public_reply_is_pushed_after_commit_to_the_other_pages(
    personas, ticket, django_capture_on_commit_callbacks
):
    def reply() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return ticket_comment_add(ticket=ticket, body="Restarted the scanner service.", by=personas.agent_l2).pk

    async def scenario() -> None:
        reader, _ = await open_page(personas.agent_l1, ticket)
        author, _ = await open_page(personas.agent_l2, ticket)
        await next_of(author, "presence")  # the reader introduced itself
        # when the colleague's reply commits
        comment_id = await sync_to_async(reply)()
        # then the other page hears of it, the author's own page does not
        assert await next_of(reader, "reply_added") == {
            "type": "reply_added",
            "comment": comment_id,
            "author": {"id": personas.agent_l2.pk, "name": personas.agent_l2.display_name},
        }
        await assert_next_is_arrival_of(author, personas.developer, ticket)
        await reader.disconnect()
        await author.disconnect()

    run(scenario)


def test_an_internal_note_is_not_pushed(personas, ticket, django_capture_on_commit_callbacks):
    def note() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            ticket_comment_add(ticket=ticket, body="Asked facilities.", by=personas.agent_l2, is_internal=True)

    async def scenario() -> None:
        reader, _ = await open_page(personas.agent_l1, ticket)
        await sync_to_async(note)()
        await assert_next_is_arrival_of(reader, personas.agent_l2, ticket)
        await reader.disconnect()

    run(scenario)


# --- bad clients ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"type": "shout", "state": "typing"}),
        json.dumps({"type": "presence", "state": "asleep"}),
        json.dumps({"type": "presence", "state": ["typing"]}),
        json.dumps({"type": "presence", "state": "Typing"}),
        json.dumps({"state": "typing"}),
        json.dumps("typing"),
    ],
)
def test_unknown_and_malformed_messages_are_ignored(personas, ticket, text):
    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l1, ticket)
        sender, _ = await open_page(personas.agent_l2, ticket)
        await next_of(watcher, "presence")
        # when
        await sender.send_to(text_data=text)
        # then nothing is broadcast (the next thing heard is the sender's valid "viewing"), and
        # the sender is still connected
        await sender.send_json_to({"type": "presence", "state": "viewing"})
        heard = await watcher.receive_json_from(timeout=TIMEOUT)
        assert (heard["type"], heard["state"]) == ("presence", "viewing")
        await watcher.disconnect()
        await sender.disconnect()

    run(scenario)


def test_an_oversized_message_closes_the_connection(personas, ticket):
    async def scenario() -> None:
        sender, _ = await open_page(personas.agent_l1, ticket)
        await sender.send_to(text_data=json.dumps({"type": "presence", "state": "typing", "pad": "x" * 500}))
        closed = await sender.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": presence.CLOSE_TOO_BIG}

    run(scenario)


def test_a_binary_frame_closes_the_connection(personas, ticket):
    async def scenario() -> None:
        sender, _ = await open_page(personas.agent_l1, ticket)
        await sender.send_to(bytes_data=b"\x00\x01")
        closed = await sender.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": presence.CLOSE_POLICY_VIOLATION}

    run(scenario)


def test_flooding_closes_the_connection(personas, ticket, monkeypatch):
    # given a clock that stands still, so that every message falls into one window
    monkeypatch.setattr(TicketPresenceConsumer, "clock", staticmethod(lambda: 100.0))

    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l2, ticket)
        sender, _ = await open_page(personas.agent_l1, ticket)
        await next_of(watcher, "presence")  # the sender arrived
        await next_of(sender, "presence")  # and the watcher introduced itself
        for _ in range(presence.MAX_MESSAGES_PER_WINDOW):
            await sender.send_json_to({"type": "presence", "state": "viewing"})
        for _ in range(presence.MAX_MESSAGES_PER_WINDOW):  # at the limit, every one is heard
            assert (await watcher.receive_json_from(timeout=TIMEOUT))["type"] == "presence"
        # when one more arrives
        await sender.send_json_to({"type": "presence", "state": "viewing"})
        # then
        closed = await sender.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": presence.CLOSE_POLICY_VIOLATION}

    run(scenario)


def test_the_rate_limit_window_starts_again():
    limit = presence.RateLimit(limit=2, window=10)
    assert [limit.allow(0), limit.allow(1), limit.allow(2)] == [True, True, False]
    assert [limit.allow(10), limit.allow(11), limit.allow(12)] == [True, True, False]


def test_a_closed_page_of_a_refused_user_sends_no_left(personas, ticket):
    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l1, ticket)
        refused = page(AnonymousUser(), ticket)
        connected, _ = await refused.connect(timeout=TIMEOUT)
        assert connected is False
        await assert_next_is_arrival_of(watcher, personas.agent_l2, ticket)
        await watcher.disconnect()

    run(scenario)


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_page_whose_agent_was_deactivated_is_closed_at_the_next_check(personas, ticket, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(TicketPresenceConsumer, "clock", staticmethod(clock))

    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l2, ticket)
        page_, _ = await open_page(personas.agent_l1, ticket)
        await next_of(watcher, "presence")
        await sync_to_async(type(personas.agent_l1).objects.filter(pk=personas.agent_l1.pk).update)(is_active=False)
        # within the re-check interval a heartbeat is just a heartbeat: the colleague hears it
        clock.now += presence.RECHECK_SECONDS / 2
        await page_.send_json_to({"type": "presence", "state": "typing"})
        assert (await next_of(watcher, "presence"))["state"] == "typing"
        # when the interval has passed
        clock.now += presence.RECHECK_SECONDS
        await page_.send_json_to({"type": "presence", "state": "viewing"})
        # then (after what its colleague's page told it before)
        output = await page_.receive_output(timeout=TIMEOUT)
        while output["type"] == "websocket.send":
            output = await page_.receive_output(timeout=TIMEOUT)
        assert output == {"type": "websocket.close", "code": presence.CLOSE_NO_LONGER_ALLOWED}

    run(scenario)


def test_a_page_of_an_active_agent_stays_open_after_the_check(personas, ticket, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(TicketPresenceConsumer, "clock", staticmethod(clock))

    async def scenario() -> None:
        watcher, _ = await open_page(personas.agent_l2, ticket)
        page_, _ = await open_page(personas.agent_l1, ticket)
        await next_of(watcher, "presence")
        clock.now += presence.RECHECK_SECONDS * 2
        await page_.send_json_to({"type": "presence", "state": "typing"})
        update = await next_of(watcher, "presence")
        assert update["state"] == "typing"
        await page_.disconnect()
        await watcher.disconnect()

    run(scenario)
