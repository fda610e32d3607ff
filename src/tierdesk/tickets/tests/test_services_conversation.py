"""Attachments and time entries: limits, safe storage names, who may add them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.errors import AttachmentTooLarge, InvalidTimeEntry, TicketActionForbidden, TicketVersionConflict
from tierdesk.tickets.models import Attachment, HistoryEvent, TimeEntry
from tierdesk.tickets.services import ticket_attachment_add, ticket_time_log
from tierdesk.tickets.services.conversation import clean_filename
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ticket(personas):
    return make_ticket(by=personas.customer_a, requester=personas.contact_a)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/path/report.pdf", "report.pdf"),
        ("evil\x00.pdf", "evil.pdf"),
        ('a"b<c>.txt', "abc.txt"),
        ("...", "attachment"),
        ("", "attachment"),
        ("x" * 300 + ".log", ("x" * 300 + ".log")[-255:]),
    ],
)
def test_filenames_are_cleaned(raw, clean):
    assert clean_filename(raw) == clean


def test_attachment_is_stored_under_a_server_chosen_name(personas, ticket, media):
    upload = SimpleUploadedFile("../../screen shot.png", b"\x89PNG fake", content_type="text/html")
    attachment = ticket_attachment_add(ticket=ticket, upload=upload, by=personas.customer_a)
    stored = Path(attachment.file.path)
    assert stored.is_file()
    assert media in stored.parents
    assert "screen" not in stored.name
    assert (attachment.filename, attachment.content_type, attachment.size) == ("screen shot.png", "image/png", 9)
    assert HistoryEvent.objects.filter(ticket=ticket, action="attachment_added", new_value="screen shot.png").exists()


def test_oversize_and_empty_files_are_refused(personas, ticket, settings):
    settings.TIERDESK_MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(AttachmentTooLarge):
        ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("big.bin", b"x" * 11), by=personas.agent_l1)
    with pytest.raises(ValidationFailed) as err:
        ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("empty.txt", b""), by=personas.agent_l1)
    assert err.value.code == "attachment.empty"
    assert Attachment.objects.count() == 0


def test_outsiders_cannot_attach_and_customers_cannot_attach_internal(personas, ticket):
    with pytest.raises(TicketActionForbidden):
        ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("a.txt", b"a"), by=personas.customer_b)
    with pytest.raises(TicketActionForbidden):
        ticket_attachment_add(
            ticket=ticket, upload=SimpleUploadedFile("a.txt", b"a"), by=personas.customer_a, is_internal=True
        )
    assert Attachment.objects.count() == 0


def test_time_is_logged_by_agents_only(personas, ticket):
    entry = ticket_time_log(ticket=ticket, minutes=25, by=personas.agent_l1, note="Remote session", is_billable=False)
    assert (entry.minutes, entry.user, entry.is_billable) == (25, personas.agent_l1, False)
    row = HistoryEvent.objects.get(ticket=ticket, action="time_logged")
    assert (row.new_value, row.is_internal) == ("25", True)
    with pytest.raises(TicketActionForbidden):
        ticket_time_log(ticket=ticket, minutes=5, by=personas.customer_a)


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1, True, 1.5])
def test_invalid_minutes_are_refused(personas, ticket, minutes):
    with pytest.raises(InvalidTimeEntry):
        ticket_time_log(ticket=ticket, minutes=minutes, by=personas.agent_l1)
    assert TimeEntry.objects.count() == 0


def test_stale_version_refuses_time_and_files(personas, ticket):
    stale = ticket.version
    ticket_time_log(ticket=ticket, minutes=5, by=personas.agent_l1, expected_version=stale)
    with pytest.raises(TicketVersionConflict):
        ticket_time_log(ticket=ticket, minutes=5, by=personas.agent_l1, expected_version=stale)
    with pytest.raises(TicketVersionConflict):
        ticket_attachment_add(
            ticket=ticket, upload=SimpleUploadedFile("a.txt", b"a"), by=personas.agent_l1, expected_version=stale
        )
    assert TimeEntry.objects.count() == 1
    assert Attachment.objects.count() == 0
