"""The ticket presence channel through the whole ASGI application (config/asgi.py): the route in
config/websocket_urls.py, the session cookie read by AuthMiddlewareStack, the Origin check of
AllowedHostsOriginValidator. The consumer's behaviour is tested in tickets/tests/test_collision_consumer.py."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client

from tierdesk.tickets import presence
from tierdesk.tickets.consumers import TicketPresenceConsumer
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.tests.ws_support import WebsocketCommunicator, fresh_channel_layer, keep_test_connection

pytestmark = pytest.mark.usefixtures(keep_test_connection.__name__, fresh_channel_layer.__name__)

TIMEOUT = 3


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Scanner on floor 3 is offline")


def session_cookie(client: Client, user: Any) -> bytes:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def connects(ticket: Ticket, *, cookie: bytes, origin: bytes) -> bool:
    from tierdesk.config.asgi import application  # builds Django's whole ASGI handler: only here

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(
            application, f"/ws/desk/tickets/{ticket.number}/", headers=[(b"cookie", cookie), (b"origin", origin)]
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        if connected:
            hello = await communicator.receive_json_from(timeout=TIMEOUT)
            assert hello["type"] == "hello"
            await communicator.disconnect()
        return bool(connected)

    return async_to_sync(scenario)()


def test_an_agent_connects_with_the_session_cookie(client, personas, ticket):
    assert connects(ticket, cookie=session_cookie(client, personas.agent_l1), origin=b"http://testserver")


def test_a_customer_session_is_refused(client, personas, ticket):
    assert not connects(ticket, cookie=session_cookie(client, personas.customer_a), origin=b"http://testserver")


def test_no_session_is_refused(ticket):
    assert not connects(ticket, cookie=b"", origin=b"http://testserver")


def test_a_page_of_another_site_cannot_use_the_agents_cookie(client, personas, ticket):
    cookie = session_cookie(client, personas.agent_l1)
    assert not connects(ticket, cookie=cookie, origin=b"http://elsewhere.example")


def test_a_page_is_closed_once_its_session_was_signed_out(client, personas, ticket, monkeypatch):
    from tierdesk.config.asgi import application  # builds Django's whole ASGI handler: only here

    now = [1000.0]
    monkeypatch.setattr(TicketPresenceConsumer, "clock", staticmethod(lambda: now[0]))
    cookie = session_cookie(client, personas.agent_l1)

    async def scenario() -> dict[str, Any]:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/desk/tickets/{ticket.number}/",
            headers=[(b"cookie", cookie), (b"origin", b"http://testserver")],
        )
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await communicator.receive_json_from(timeout=TIMEOUT)  # hello
        # when the agent signs out in the browser (the session is deleted)...
        await sync_to_async(client.post)("/logout/")
        # ...and the page's next heartbeat comes after the re-check interval
        now[0] += presence.RECHECK_SECONDS
        await communicator.send_json_to({"type": "presence", "state": "viewing"})
        return await communicator.receive_output(timeout=TIMEOUT)

    closed = async_to_sync(scenario)()
    assert closed == {"type": "websocket.close", "code": presence.CLOSE_NO_LONGER_ALLOWED}
