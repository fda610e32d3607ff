"""Downloading a file: owner-checked, always as an attachment, never sniffed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.tickets.models import Attachment, Ticket
from tierdesk.tickets.services import ticket_attachment_add
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Invoice export fails")


def _attach(ticket: Ticket, by: User, name: str, content: bytes, *, is_internal: bool = False) -> Attachment:
    return ticket_attachment_add(
        ticket=ticket, upload=SimpleUploadedFile(name, content), by=by, is_internal=is_internal
    )


def test_requester_downloads_a_file_as_an_attachment(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given an HTML file on the ticket
    attachment = _attach(ticket, personas.customer_a, "report.html", b"<script>alert(1)</script>")

    # when the requester downloads it
    response = login(personas.customer_a).get(f"/portal/attachments/{attachment.pk}/")

    # then it comes as a download that the browser must not render or sniff
    assert response.status_code == 200
    assert response.getvalue() == b"<script>alert(1)</script>"
    assert response["Content-Disposition"] == 'attachment; filename="report.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_unusual_file_name_is_quoted_safely(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a file whose name carries quotes and non-ASCII letters
    attachment = _attach(ticket, personas.customer_a, 'año "final".txt', b"data")

    # when it is downloaded
    response = login(personas.customer_a).get(f"/portal/attachments/{attachment.pk}/")

    # then the header encodes the name instead of breaking out of it
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''a%C3%B1o%20final.txt"


def test_customer_admin_downloads_a_colleagues_file(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a file on Anna's ticket
    attachment = _attach(ticket, personas.customer_a, "export.csv", b"a;b")

    # when organisation A's customer admin downloads it
    response = login(personas.customer_admin_a).get(f"/portal/attachments/{attachment.pk}/")

    # then they get it
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["customer_b", "customer_a2"])
def test_foreign_file_is_a_404(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client], persona: str
) -> None:
    # given a file on Anna's ticket
    attachment = _attach(ticket, personas.customer_a, "export.csv", b"a;b")

    # when another organisation's contact, or a colleague without admin rights, asks for it
    response = login(getattr(personas, persona)).get(f"/portal/attachments/{attachment.pk}/")

    # then it looks like a file that does not exist
    assert response.status_code == 404
    assert login(getattr(personas, persona)).get(f"/portal/attachments/{attachment.pk + 1000}/").status_code == 404


def test_internal_file_is_a_404_even_for_the_requester(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given an agent attached an internal file to Anna's ticket
    attachment = _attach(ticket, personas.agent_l1, "memory-dump.bin", b"internal", is_internal=True)

    # when Anna asks for it
    response = login(personas.customer_a).get(f"/portal/attachments/{attachment.pk}/")

    # then it does not exist for her
    assert response.status_code == 404


def test_file_missing_from_storage_is_a_404(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the stored file disappeared from disk
    attachment = _attach(ticket, personas.customer_a, "export.csv", b"a;b")
    attachment.file.storage.delete(str(attachment.file.name))

    # when the requester asks for it
    response = login(personas.customer_a).get(f"/portal/attachments/{attachment.pk}/")

    # then it is a 404, not a server error
    assert response.status_code == 404


def test_ticket_page_links_public_files_only(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a public and an internal file
    public = _attach(ticket, personas.customer_a, "export.csv", b"a;b")
    internal = _attach(ticket, personas.agent_l1, "memory-dump.bin", b"internal", is_internal=True)

    # when the requester opens the ticket
    html = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/").content.decode()

    # then only the public file is linked
    assert f'href="/portal/attachments/{public.pk}/"' in html
    assert f"/portal/attachments/{internal.pk}/" not in html
    assert "memory-dump.bin" not in html
