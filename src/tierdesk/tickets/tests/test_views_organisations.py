"""Organisation pages of the desk: list, detail, access notes revealed only on POST (audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from tierdesk.accounts.choices import AuditAction
from tierdesk.accounts.models import AccessNote, AuditEntry
from tierdesk.accounts.services import access_note_set
from tierdesk.accounts.tests.factories import ContactFactory, ContactPhoneFactory, OrganisationFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.services import ticket_confirm, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket

SECRET = "VPN vpn.harbour.example, user helpdesk, password in the blue binder"


def org_url(organisation) -> str:
    return f"/desk/organisations/{organisation.pk}/"


def show_url(note: AccessNote) -> str:
    return f"/desk/organisations/{note.organisation_id}/access-notes/{note.pk}/show/"


@pytest.fixture
def staff_client(client: Client, personas) -> Client:
    client.force_login(personas.agent_l1)
    return client


@pytest.fixture
def note(personas) -> AccessNote:
    return access_note_set(by=personas.case_manager, organisation=personas.org_a, title="VPN", body=SECRET)


def viewed_entries():
    return AuditEntry.objects.filter(action=AuditAction.ACCESS_NOTE_VIEWED)


def test_list_is_paginated_and_searchable(staff_client, personas):
    # given 55 more organisations (57 in all)
    for i in range(55):
        OrganisationFactory(name=f"Example Org {i:02d}")
    # when
    first = staff_client.get("/desk/organisations/").content.decode()
    second = staff_client.get("/desk/organisations/", {"page": 2}).content.decode()
    found = staff_client.get("/desk/organisations/", {"q": "fjord"}).content.decode()
    # then
    assert first.count('data-testid="organisation-row-') == 50
    assert second.count('data-testid="organisation-row-') == 7
    assert 'data-testid="pagination"' in first
    assert f'data-testid="organisation-row-{personas.org_b.pk}"' in found
    assert found.count('data-testid="organisation-row-') == 1


def test_list_htmx_request_gets_the_partial(staff_client, personas):
    # when
    response = staff_client.get("/desk/organisations/", {"q": "harbour"}, headers={"HX-Request": "true"})
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="organisations"')
    assert f'data-testid="organisation-row-{personas.org_a.pk}"' in html


def test_detail_shows_contacts_with_phones_and_open_tickets(staff_client, personas):
    # given
    ContactPhoneFactory(contact=personas.contact_a, number="+31201234567")
    open_ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Open one")
    closed = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Closed one")
    ticket_resolve(ticket=closed, resolution="Done.", by=personas.agent_l1)
    ticket_confirm(ticket=closed, by=personas.agent_l1)
    other_org = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Other org")
    # when
    response = staff_client.get(org_url(personas.org_a))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="contact-{personas.contact_a.pk}"' in html
    assert 'href="tel:+31201234567"' in html
    assert f'data-testid="ticket-row-{open_ticket.number}"' in html
    assert f'data-testid="ticket-row-{closed.number}"' not in html
    assert f'data-testid="ticket-row-{other_org.number}"' not in html
    assert f'data-testid="contact-{personas.contact_b.pk}"' not in html


def test_detail_lists_note_titles_but_never_the_body(staff_client, personas, note):
    # when
    html = staff_client.get(org_url(personas.org_a)).content.decode()
    # then
    assert f'data-testid="access-note-{note.pk}"' in html
    assert "<strong>VPN</strong>" in html
    assert SECRET not in html
    assert f'data-testid="reveal-button-{note.pk}"' in html
    assert viewed_entries().count() == 0


def test_show_reveals_the_body_and_writes_an_audit_entry(staff_client, personas, note):
    # when
    response = staff_client.post(show_url(note))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="access-note-body-{note.pk}"' in html
    assert f">{SECRET}</pre>" in html
    assert "no-store" in response["Cache-Control"]
    entry = viewed_entries().get()
    assert (entry.actor, entry.target, entry.ip_address) == (
        personas.agent_l1,
        f"organisation:{personas.org_a.pk}/note:{note.pk}",
        "127.0.0.1",
    )


def test_show_via_htmx_answers_with_the_note_fragment_only(staff_client, personas, note):
    # when
    response = staff_client.post(show_url(note), headers={"HX-Request": "true"})
    # then
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="access-note-{note.pk}"')
    assert SECRET in html
    assert "no-store" in response["Cache-Control"]
    assert viewed_entries().count() == 1


def test_show_is_post_only(staff_client, note):
    # when
    response = staff_client.get(show_url(note))
    # then
    assert response.status_code == 405
    assert viewed_entries().count() == 0


def test_show_of_a_note_through_another_organisation_is_404(staff_client, personas, note):
    # when the URL pairs org B with org A's note
    response = staff_client.post(f"/desk/organisations/{personas.org_b.pk}/access-notes/{note.pk}/show/")
    # then
    assert response.status_code == 404
    assert viewed_entries().count() == 0


@pytest.mark.parametrize("persona", ["customer_a", "customer_admin_a"])
def test_customers_cannot_reveal_notes(client, personas, note, persona):
    # given
    client.force_login(getattr(personas, persona))
    # when
    response = client.post(show_url(note))
    # then
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert viewed_entries().count() == 0


@pytest.mark.parametrize("persona", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_are_sent_away_from_organisation_pages(client, personas, persona):
    # given
    client.force_login(getattr(personas, persona))
    # when
    responses = [client.get(org_url(personas.org_a)), client.get("/desk/organisations/")]
    # then
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, "/"), (302, "/")]


def test_anonymous_is_sent_to_sign_in(client, personas):
    # when
    response = client.get(org_url(personas.org_a))
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/desk/organisations/{personas.org_a.pk}/"


def test_unknown_organisation_is_404(staff_client):
    assert staff_client.get("/desk/organisations/999999/").status_code == 404


def test_add_an_access_note(staff_client, personas):
    # when
    response = staff_client.post(
        f"/desk/organisations/{personas.org_a.pk}/access-notes/", {"title": "Remote support", "body": "ID 123 456 789"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == org_url(personas.org_a)
    note = AccessNote.objects.get(organisation=personas.org_a)
    assert note.title == "Remote support"
    assert b"ID 123 456 789" not in bytes(note.ciphertext)  # stored encrypted
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_NOTE_CHANGED).count() == 1


def test_add_an_access_note_without_title_is_refused(staff_client, personas):
    # when
    response = staff_client.post(f"/desk/organisations/{personas.org_a.pk}/access-notes/", {"title": " ", "body": "x"})
    # then
    assert response.status_code == 422
    assert 'data-error-code="access_note.title_required"' in response.content.decode()
    assert AccessNote.objects.count() == 0


def test_customer_cannot_add_an_access_note(client, personas):
    # given
    client.force_login(personas.customer_admin_a)
    # when
    response = client.post(f"/desk/organisations/{personas.org_a.pk}/access-notes/", {"title": "Mine", "body": "x"})
    # then
    assert response.status_code == 403
    assert AccessNote.objects.count() == 0


def test_detail_query_count_does_not_grow_with_contacts(staff_client, personas, note):
    # given
    with assert_max_queries(13) as few:
        staff_client.get(org_url(personas.org_a))
    for i in range(20):
        contact = ContactFactory(organisation=personas.org_a)
        ContactPhoneFactory(contact=contact)
        make_ticket(by=personas.agent_l1, requester=contact, subject=f"Case {i}")
    # when
    with assert_max_queries(13) as many:
        staff_client.get(org_url(personas.org_a))
    # then
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the case manager ------------------------------------------------------------------------------


def test_staff_name_the_case_manager_on_the_organisation_page(staff_client, personas):
    url = f"{org_url(personas.org_a)}case-manager/"
    page = staff_client.get(org_url(personas.org_a)).content.decode()
    assert "Nobody in particular: every case manager is alerted." in page
    # when
    response = staff_client.post(url, {"case_manager": str(personas.case_manager.pk)})
    # then
    assert (response.status_code, response["Location"]) == (302, org_url(personas.org_a))
    personas.org_a.refresh_from_db()
    assert personas.org_a.case_manager == personas.case_manager
    name = f'<p data-testid="case-manager-name">{personas.case_manager.display_name}</p>'
    assert name in staff_client.get(org_url(personas.org_a)).content.decode()
    # a customer login is refused with the reason, and nothing changes
    response = staff_client.post(url, {"case_manager": str(personas.customer_a.pk)})
    assert response.status_code == 422
    assert 'data-error-code="organisation.invalid_case_manager"' in response.content.decode()
    personas.org_a.refresh_from_db()
    assert personas.org_a.case_manager == personas.case_manager
    # and cleared again
    staff_client.post(url, {"case_manager": ""})
    personas.org_a.refresh_from_db()
    assert personas.org_a.case_manager is None


def test_a_customer_cannot_name_a_case_manager(client, personas):
    client.force_login(personas.customer_admin_a)
    response = client.post(f"{org_url(personas.org_a)}case-manager/", {"case_manager": str(personas.case_manager.pk)})
    assert response.status_code == 403
    personas.org_a.refresh_from_db()
    assert personas.org_a.case_manager is None
