"""The tickets API, part 2: comments and internal notes, attachments (upload and the
owner-checked download), time entries and history, with what customers must not see."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tierdesk.accounts.tests.api_support import API, ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Attachment, Comment, TimeEntry
from tierdesk.tickets.services import (
    ticket_attachment_add,
    ticket_comment_add,
    ticket_confirm,
    ticket_escalate,
    ticket_resolve,
    ticket_time_log,
    ticket_update,
)
from tierdesk.tickets.tests.api_support import expected_status, ticket_state
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ticket(personas):
    return make_ticket(by=personas.customer_a, requester=personas.contact_a)


def _upload(client, number, name="report.pdf", content=b"%PDF-1.4 data", **form):
    return client.post(f"{API}/tickets/{number}/attachments", {"file": SimpleUploadedFile(name, content), **form})


# --- comments --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_add_public_comment_roles(personas, ticket, who):
    expected = expected_status(who, ok=201, customer=201)
    before = ticket_state(ticket)
    # when
    response = send(client_for(getattr(personas, who)), "POST", f"/tickets/{ticket.number}/comments", {"body": "Hi"})
    # then
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["body"] == "Hi"
        assert ticket.comments.count() == 1
    else:
        assert ticket_state(ticket) == before


@pytest.mark.parametrize("who", ROLES)
def test_add_internal_note_roles(personas, ticket, who):
    expected = expected_status(who, ok=201, customer=403)
    before = ticket_state(ticket)
    payload = {"body": "Customer is on the old driver", "is_internal": True}
    # when
    response = send(client_for(getattr(personas, who)), "POST", f"/tickets/{ticket.number}/comments", payload)
    # then
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["is_internal"] is True
    else:
        assert ticket_state(ticket) == before
    if expected == 403:
        assert response.json()["code"] == "ticket.forbidden"


def test_comment_validation_changes_nothing(personas, ticket):
    client = client_for(personas.agent_l1)
    before = ticket_state(ticket)
    empty = send(client, "POST", f"/tickets/{ticket.number}/comments", {"body": "   "})
    missing = send(client, "POST", f"/tickets/{ticket.number}/comments", {})
    stale = send(client, "POST", f"/tickets/{ticket.number}/comments", {"body": "Hi", "version": 99})
    assert (empty.status_code, empty.json()["code"]) == (422, "comment.empty")
    assert (missing.status_code, missing.json()["field"]) == (422, "body")
    assert (stale.status_code, stale.json()["code"]) == (409, "ticket.version_conflict")
    assert ticket_state(ticket) == before


def test_comment_on_a_closed_ticket_by_the_customer_is_409(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Driver updated.", by=personas.agent_l1)
    ticket_confirm(ticket=ticket, by=personas.customer_a)
    before = ticket_state(ticket)
    response = send(client_for(personas.customer_a), "POST", f"/tickets/{ticket.number}/comments", {"body": "Again"})
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.closed"
    assert ticket_state(ticket) == before


def test_customer_comment_view_hides_internal_notes_and_staff_details(personas, ticket):
    # given a public reply, an internal note and an internal file
    ticket_comment_add(ticket=ticket, body="We are on it", by=personas.agent_l1)
    ticket_comment_add(ticket=ticket, body="Secret workaround", by=personas.agent_l1, is_internal=True)
    # when
    customer = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}/comments").json()
    staff = send(client_for(personas.agent_l2), "GET", f"/tickets/{ticket.number}/comments").json()
    # then
    assert [c["body"] for c in customer] == ["We are on it"]
    assert set(customer[0]) == {"id", "body", "author_name", "author_is_staff", "created_at", "attachments"}
    assert customer[0]["author_name"] == "l1"
    assert customer[0]["author_is_staff"] is True
    assert [(c["body"], c["is_internal"]) for c in staff] == [("We are on it", False), ("Secret workaround", True)]
    assert staff[0]["author"] == {"id": personas.agent_l1.pk, "username": "l1", "display_name": "l1"}


@pytest.mark.parametrize("who", ROLES)
def test_list_comments_roles(personas, ticket, who):
    response = send(client_for(getattr(personas, who)), "GET", f"/tickets/{ticket.number}/comments")
    assert response.status_code == expected_status(who, ok=200, customer=200)


@pytest.mark.parametrize("who", ["agent_l1", "customer_a"])
def test_comment_list_has_a_query_ceiling(personas, ticket, who):
    client = client_for(getattr(personas, who))
    for rows in (3, 30):
        # given replies from several people, some with files
        for index in range(rows):
            author = personas.agent_l1 if index % 2 else personas.customer_a
            comment = ticket_comment_add(ticket=ticket, body=f"Reply {index}", by=author)
            upload = SimpleUploadedFile("log.txt", b"line")
            ticket_attachment_add(ticket=ticket, upload=upload, by=author, comment=comment)
        # when / then
        with assert_max_queries(8):
            response = send(client, "GET", f"/tickets/{ticket.number}/comments")
        assert response.status_code == 200
        assert all(len(item["attachments"]) == 1 for item in response.json())


# --- attachments ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_upload_roles(personas, ticket, who):
    expected = expected_status(who, ok=201, customer=201)
    before = ticket_state(ticket)
    # when
    response = _upload(client_for(getattr(personas, who)), ticket.number)
    # then
    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert body["filename"] == "report.pdf"
        assert body["size"] == 13
        assert body["content_type"] == "application/pdf"
        assert body["download_url"] == f"/api/v1/attachments/{body['id']}/download"
    else:
        assert ticket_state(ticket) == before


def test_customer_cannot_upload_internal_files(personas, ticket):
    before = ticket_state(ticket)
    response = _upload(client_for(personas.customer_a), ticket.number, is_internal="true")
    assert response.status_code == 403
    assert ticket_state(ticket) == before


def test_upload_too_large_or_empty_or_missing_changes_nothing(personas, ticket, settings):
    settings.TIERDESK_MAX_ATTACHMENT_BYTES = 10
    client = client_for(personas.agent_l1)
    before = ticket_state(ticket)
    too_large = _upload(client, ticket.number, content=b"x" * 11)
    empty = _upload(client, ticket.number, content=b"")
    missing = client.post(f"{API}/tickets/{ticket.number}/attachments", {})
    assert (too_large.status_code, too_large.json()["code"]) == (413, "attachment.too_large")
    assert (empty.status_code, empty.json()["code"]) == (422, "attachment.empty")
    assert (missing.status_code, missing.json()["field"]) == (422, "file")
    assert ticket_state(ticket) == before


def test_upload_with_a_token(personas, ticket):
    response = _upload(token_client(personas.agent_l1), ticket.number, name="screen.png", is_internal="true")
    assert response.status_code == 201
    assert response.json()["is_internal"] is True
    assert Attachment.objects.get().uploaded_by == personas.agent_l1


def test_download_is_an_attachment_with_safe_headers(personas, ticket):
    # given a file whose name tries to break out of the header and the path
    upload = SimpleUploadedFile('..\\..\\evil"\r\nX-Injected: 1.html', b"<script>alert(1)</script>")
    attachment = ticket_attachment_add(ticket=ticket, upload=upload, by=personas.customer_a)
    # when
    response = client_for(personas.customer_a).get(f"{API}/attachments/{attachment.pk}/download")
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    response.close()
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert "X-Injected" not in response
    assert '"' not in attachment.filename


@pytest.mark.parametrize("who", ROLES)
def test_download_roles(personas, ticket, who):
    attachment = ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("a.txt", b"abc"), by=personas.agent_l1)
    expected = expected_status(who, ok=200, customer=200)
    # when
    response = client_for(getattr(personas, who)).get(f"{API}/attachments/{attachment.pk}/download")
    # then
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == b"abc"
    else:
        assert response.json()["code"] == ("auth.required" if expected == 401 else "attachment.not_found")
    response.close()


def test_internal_attachment_is_invisible_to_the_customer(personas, ticket):
    upload = SimpleUploadedFile("notes.txt", b"internal")
    internal = ticket_attachment_add(ticket=ticket, upload=upload, by=personas.agent_l1, is_internal=True)
    public = ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("a.txt", b"abc"), by=personas.agent_l1)
    customer = client_for(personas.customer_a)
    # when
    download = customer.get(f"{API}/attachments/{internal.pk}/download")
    listing = send(customer, "GET", f"/tickets/{ticket.number}/attachments").json()
    staff_listing = send(client_for(personas.agent_l1), "GET", f"/tickets/{ticket.number}/attachments").json()
    # then
    assert download.status_code == 404
    assert [item["id"] for item in listing] == [public.pk]
    assert [item["id"] for item in staff_listing] == [internal.pk, public.pk]


def test_download_of_a_missing_file_is_404(personas, ticket):
    attachment = ticket_attachment_add(ticket=ticket, upload=SimpleUploadedFile("a.txt", b"abc"), by=personas.agent_l1)
    attachment.file.storage.delete(attachment.file.name)
    response = client_for(personas.agent_l1).get(f"{API}/attachments/{attachment.pk}/download")
    assert response.status_code == 404
    assert response.json()["code"] == "attachment.not_found"


def test_download_unknown_attachment_is_404(personas):
    response = client_for(personas.agent_l1).get(f"{API}/attachments/999999/download")
    assert response.status_code == 404


# --- time entries -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_time_entry_roles(personas, ticket, who):
    expected = expected_status(who, ok=201, customer=403)
    before = ticket_state(ticket)
    payload = {"minutes": 25, "note": "Remote session", "is_billable": False}
    # when
    response = send(client_for(getattr(personas, who)), "POST", f"/tickets/{ticket.number}/time-entries", payload)
    # then
    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert (body["minutes"], body["note"], body["is_billable"]) == (25, "Remote session", False)
        assert body["user"]["id"] == getattr(personas, who).pk
    else:
        assert ticket_state(ticket) == before


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1, "many", None, 1.5])
def test_time_entry_invalid_minutes_change_nothing(personas, ticket, minutes):
    response = send(
        client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/time-entries", {"minutes": minutes}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "minutes"
    assert not TimeEntry.objects.exists()


# --- history -----------------------------------------------------------------------------------


def test_customer_history_hides_internal_rows(personas, ticket):
    # given a public change, an escalation (internal) and logged time (internal)
    ticket_update(ticket=ticket, by=personas.agent_l1, subject="Printer offline on floor 2")
    ticket_escalate(ticket=ticket, to_level="second", handover_note="Driver issue, see logs.", by=personas.agent_l1)
    ticket_time_log(ticket=ticket, minutes=10, by=personas.agent_l1)
    ticket_comment_add(ticket=ticket, body="Internal only", by=personas.agent_l1, is_internal=True)
    # when
    customer = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}/history").json()
    staff = send(client_for(personas.agent_l1), "GET", f"/tickets/{ticket.number}/history").json()
    # then
    customer_actions = [row["action"] for row in customer]
    assert "escalated" not in customer_actions
    assert "time_logged" not in customer_actions
    assert "note_added" not in customer_actions
    assert "Driver issue" not in str(customer)
    assert all("is_internal" not in row and "actor" not in row for row in customer)
    assert {"escalated", "time_logged", "note_added"} <= {row["action"] for row in staff}
    assert customer[0]["action"] == "created"


@pytest.mark.parametrize("who", ROLES)
def test_history_roles(personas, ticket, who):
    response = send(client_for(getattr(personas, who)), "GET", f"/tickets/{ticket.number}/history")
    assert response.status_code == expected_status(who, ok=200, customer=200)


def test_history_has_a_query_ceiling(personas, ticket):
    client = client_for(personas.agent_l1)
    for rows in (3, 30):
        for index in range(rows):
            ticket_update(ticket=ticket, by=personas.agent_l1 if index % 2 else personas.agent_l2, subject=f"S{index}")
        with assert_max_queries(5):
            response = send(client, "GET", f"/tickets/{ticket.number}/history")
        assert response.status_code == 200


def test_comment_with_internal_flag_records_nothing_public(personas, ticket):
    send(
        client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/comments", {"body": "x", "is_internal": True}
    )
    assert Comment.objects.get().is_internal is True
    assert ticket.history.filter(action="note_added", is_internal=True).count() == 1
