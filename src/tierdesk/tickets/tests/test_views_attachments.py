"""Attachment downloads: scoped lookup, served as a download with a safe name and nosniff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.tickets.models import Attachment
from tierdesk.tickets.services import ticket_attachment_add
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def attachment(personas) -> Attachment:
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    upload = SimpleUploadedFile('report "final".html', b"<script>alert(1)</script>", content_type="text/html")
    return ticket_attachment_add(ticket=ticket, upload=upload, by=personas.customer_a)


def url(attachment: Attachment) -> str:
    return f"/desk/attachments/{attachment.pk}/"


def test_staff_download_is_an_attachment_with_nosniff(client, personas, attachment):
    # given
    client.force_login(personas.agent_l1)
    # when
    response = client.get(url(attachment))
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Disposition"] == 'attachment; filename="report final.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_non_ascii_file_name_is_encoded(client, personas):
    # given
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    upload = SimpleUploadedFile("skjermbilde æøå.png", b"\x89PNG", content_type="image/png")
    attachment = ticket_attachment_add(ticket=ticket, upload=upload, by=personas.agent_l1)
    client.force_login(personas.agent_l1)
    # when
    response = client.get(url(attachment))
    # then
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''skjermbilde%20%C3%A6%C3%B8%C3%A5.png"
    response.close()


def test_unknown_attachment_is_404(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when / then
    assert client.get("/desk/attachments/999999/").status_code == 404


def test_attachment_whose_file_is_gone_is_404(client, personas, attachment):
    # given
    attachment.file.delete(save=False)
    client.force_login(personas.agent_l1)
    # when / then
    assert client.get(url(attachment)).status_code == 404


@pytest.mark.parametrize("persona", ["customer_a", "customer_b"])
def test_customers_do_not_download_through_the_desk(client, personas, attachment, persona):
    # given
    client.force_login(getattr(personas, persona))
    # when
    response = client.get(url(attachment))
    # then they are sent home (to the portal); no file content leaks
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_is_sent_to_sign_in(client, attachment):
    # when
    response = client.get(url(attachment))
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/desk/attachments/{attachment.pk}/"


def test_download_link_on_the_ticket_page(client, personas, attachment):
    # given
    client.force_login(personas.agent_l1)
    # when
    html = client.get(f"/desk/tickets/{attachment.ticket.number}/").content.decode()
    # then
    assert f'href="/desk/attachments/{attachment.pk}/" download' in html
