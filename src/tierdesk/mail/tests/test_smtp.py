"""The notification path against a real SMTP server on loopback (aiosmtpd), through Django's
SMTP backend: what a production relay would receive."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from django.test import override_settings

from tierdesk.tickets.services import ticket_take
from tierdesk.tickets.tests.factories import make_ticket

controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a dev dependency")


class Inbox:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_status_change_reaches_a_real_smtp_server(personas, django_capture_on_commit_callbacks, smtp_server):
    # given a running SMTP server and the desk configured to relay through it
    inbox, port = smtp_server
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Scanner offline")
        inbox.envelopes.clear()

        # when an agent takes the ticket (new -> open)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_take(ticket=ticket, by=personas.agent_l1)

    # then the server received exactly one mail for Ola, with the tagged subject and our headers
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "support@tierdesk.invalid"
    assert envelope.rcpt_tos == ["ola@fjordline.example"]
    received = message_from_bytes(envelope.content)
    assert received["Subject"] == f"[TD#{ticket.number}] Scanner offline"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Content-Language"] == "nb"
    body = received.get_payload(decode=True).decode()
    assert f"Statusen for saken din TD#{ticket.number} er endret fra «Ny» til «Åpen»." in body  # Ola reads Norwegian
