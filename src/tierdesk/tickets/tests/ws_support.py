"""A WebSocket test client on asgiref's ApplicationCommunicator.

channels.testing would do, but its package imports its live-server helpers, which need daphne
(a second ASGI server we neither ship nor want); this is the small part of it the tests use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.layers import channel_layers


@pytest.fixture
def keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """channels.db closes "old" database connections around each database_sync_to_async call; in
    a test that would close the test's own connection, inside its transaction (as channels'
    own communicator avoids by the same patch)."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture
def fresh_channel_layer() -> Iterator[None]:
    """A new channel layer instance for the test, dropped after it. Each test runs its pages in
    an event loop of its own; channels-redis binds its receive lock to the loop that first used
    it, so an instance left over from an earlier test's loop would fail here (a server process
    has one loop and keeps its layer)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": headers or [],
            "subprotocols": [],
        }
        super().__init__(application, self.scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:
        """(True, subprotocol) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, response.get("subprotocol")

    async def send_to(self, *, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.send_input({"type": "websocket.receive", "text": text_data})
        else:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(text_data=json.dumps(data))

    async def receive_json_from(self, timeout: float = 1) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        assert "text" in response, response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
