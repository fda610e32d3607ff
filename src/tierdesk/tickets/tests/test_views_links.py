"""The Links panel of the ticket page: parent, children and links with their statuses, the forms
that add and remove them (page and htmx fragment, refusals with their codes, stale versions), and
the resolve form's warning and override for a parent with open children."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.models import HistoryEvent, Ticket, TicketLink
from tierdesk.tickets.services import (
    ticket_checklist_add,
    ticket_child_create,
    ticket_link_add,
    ticket_resolve,
    ticket_watch,
)
from tierdesk.tickets.tests.factories import make_ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/desk/tickets/{ticket.number}/")
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, ticket: Ticket, action: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    payload = {"version": fresh(ticket).version, **(data or {})}
    return client.post(f"/desk/tickets/{ticket.number}/{action}/", payload, **extra)


def section(html: str, testid: str, *, end: str = "</section>") -> str:
    """The HTML from the element with this data-testid to the next `end` (the panel's end)."""
    start = html.index(f'data-testid="{testid}"')
    stop = html.find(end, start)
    return html[start : stop if stop >= 0 else None]


def row(html: str, testid: str) -> str:
    return section(html, testid, end="</li>")


@pytest.fixture
def agent(client: Client, personas: Any) -> Client:
    client.force_login(personas.agent_l1)
    return client


@pytest.fixture
def parent(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Network down on floor 3")


@pytest.fixture
def other(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Mail relay slow")


# --- the panel ---------------------------------------------------------------------------------


def test_a_ticket_without_links_offers_the_forms(agent, parent):
    panel = section(page(agent, parent), "links-panel")
    assert "No links and no child tickets." in panel
    for testid in ("link-form", "child-form", "parent-form"):
        assert f'data-testid="{testid}"' in panel


def test_the_panel_lists_parent_children_and_links_with_their_status(agent, personas, parent, other):
    # given a child (resolved) and a link
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    ticket_resolve(ticket=child, resolution="Re-patched.", by=personas.agent_l1)
    ticket_link_add(ticket=other, other=fresh(parent), kind="caused_by", by=personas.agent_l1)
    # when
    panel = section(page(agent, parent), "links-panel")
    # then
    child_row = row(panel, f"child-{child.number}")
    assert f'href="/desk/tickets/{child.number}/"' in child_row
    assert "Workstation 31" in child_row
    assert "status-done" in child_row
    link_row = row(panel, f"link-caused-{other.number}")
    assert "Caused" in link_row
    assert "Mail relay slow" in link_row
    # a parent takes no parent while it has children, and offers new children
    assert 'data-testid="parent-form"' not in panel
    assert 'data-testid="child-form"' in panel
    # and the child shows its parent, and offers no children of its own
    child_panel = section(page(agent, child), "links-panel")
    assert f'href="/desk/tickets/{parent.number}/"' in row(child_panel, "parent-ticket")
    assert 'data-testid="child-form"' not in child_panel


def test_link_rows_in_the_timeline_are_named_in_words(agent, personas, parent, other):
    ticket_link_add(ticket=parent, other=other, kind="duplicate_of", by=personas.agent_l1)
    event = HistoryEvent.objects.get(ticket=other, action=HistoryAction.LINKED)
    entry = row(page(agent, other), f"timeline-event-{event.pk}")
    assert "Duplicated by" in entry
    assert f"#{parent.number}" in entry


# --- the forms ---------------------------------------------------------------------------------


def test_link_form_links_by_number(agent, parent, other):
    # when
    response = post(agent, parent, "link", {"kind": "related", "number": f"#{other.number}"})
    # then
    assert response.status_code == 302
    link = TicketLink.objects.get()
    assert (link.kind, {link.from_ticket_id, link.to_ticket_id}) == ("related", {parent.pk, other.pk})


def test_link_form_with_an_unknown_number_marks_the_field(agent, parent):
    before = fresh(parent).version
    # when
    response = post(agent, parent, "link", {"kind": "related", "number": "999999"})
    # then
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-code="ticket.unknown_number"' in html
    assert "There is no ticket #999999." in section(html, "link-form")
    assert fresh(parent).version == before


def test_unlink_form_removes_the_link(agent, personas, parent, other):
    ticket_link_add(ticket=parent, other=other, kind="duplicate_of", by=personas.agent_l1)
    # when removed on the original, as listed there, through htmx
    response = post(agent, other, "unlink", {"kind": "duplicates", "number": parent.number}, HTTP_HX_REQUEST="true")
    # then the fragment comes back without it
    assert response.status_code == 200
    assert not TicketLink.objects.exists()
    html = response.content.decode()
    assert f"Link to #{parent.number} removed." in html
    assert f'data-testid="link-duplicates-{parent.number}"' not in html


def test_child_form_opens_a_child(agent, personas, parent):
    # when
    response = post(agent, parent, "child", {"subject": "Workstation 32", "description": "No network"})
    # then
    assert response.status_code == 302
    child = Ticket.objects.get(subject="Workstation 32")
    assert (child.parent_id, child.requester_id, child.channel) == (parent.pk, personas.contact_a.pk, "web")


def test_detach_form_takes_a_child_out(agent, personas, parent):
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    # when
    response = post(agent, parent, "detach", {"child": child.number}, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert fresh(child).parent_id is None
    assert "No links and no child tickets." in response.content.decode()


def test_parent_and_unparent_forms(agent, parent, other):
    # when this ticket is put under another, then taken out
    assert post(agent, other, "parent", {"number": parent.number}).status_code == 302
    assert fresh(other).parent_id == parent.pk
    assert post(agent, other, "unparent").status_code == 302
    # then
    assert fresh(other).parent_id is None


def test_a_nested_parent_is_refused_with_its_code(agent, personas, parent, other):
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    before = (fresh(parent).version, fresh(child).version, fresh(other).version)
    # when the other ticket is put under the child
    response = post(agent, other, "parent", {"number": child.number})
    # then
    assert response.status_code == 422
    assert 'data-error-code="ticket.parent_nested"' in response.content.decode()
    assert (fresh(parent).version, fresh(child).version, fresh(other).version) == before


def test_a_stale_link_form_changes_nothing(agent, personas, parent, other):
    stale = fresh(parent).version
    ticket_link_add(
        ticket=parent,
        other=make_ticket(by=personas.agent_l1, requester=personas.contact_a),
        kind="related",
        by=personas.agent_l1,
    )
    # when
    response = agent.post(
        f"/desk/tickets/{parent.number}/link/", {"version": stale, "kind": "related", "number": other.number}
    )
    # then
    assert response.status_code == 409
    assert 'data-error-code="ticket.version_conflict"' in response.content.decode()
    assert TicketLink.objects.count() == 1


def test_customers_cannot_post_link_forms(client, personas, parent, other):
    client.force_login(personas.customer_admin_a)
    response = post(client, parent, "link", {"kind": "related", "number": other.number})
    assert response.status_code == 403
    assert not TicketLink.objects.exists()


# --- resolving a parent ------------------------------------------------------------------------


def test_the_resolve_form_offers_no_override_without_open_children(agent, parent):
    html = page(agent, parent)
    assert 'data-testid="open-children-warning"' not in html
    assert 'name="despite_open_children"' not in html


def test_the_resolve_form_warns_of_open_children_and_refuses(agent, personas, parent):
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    # when the page is shown
    html = page(agent, parent)
    # then the warning names the child and the override is offered
    warning = section(html, "open-children-warning")
    assert f'href="/desk/tickets/{child.number}/"' in warning
    assert 'name="despite_open_children"' in section(html, "resolve-form")
    # when resolved without the override
    response = post(agent, parent, "resolve", {"resolution": "Switch replaced."})
    # then refused, with the reason on the override's field
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-error-code="ticket.open_children"' in html
    assert f"#{child.number}" in section(html, "resolve-form")
    assert fresh(parent).status == Status.NEW


def test_the_resolve_form_with_the_override_resolves(agent, personas, parent):
    ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    # when
    response = post(agent, parent, "resolve", {"resolution": "Switch replaced.", "despite_open_children": "on"})
    # then
    assert response.status_code == 302
    assert fresh(parent).status == Status.RESOLVED
    assert HistoryEvent.objects.filter(ticket=parent, field="open_children", is_internal=True).exists()


def test_a_parent_whose_children_are_resolved_resolves_plainly(agent, personas, parent):
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    ticket_resolve(ticket=child, resolution="Re-patched.", by=personas.agent_l1)
    assert 'name="despite_open_children"' not in page(agent, parent)
    assert post(agent, parent, "resolve", {"resolution": "Switch replaced."}).status_code == 302
    assert fresh(parent).status == Status.RESOLVED


def test_every_undo_button_posts_what_its_action_reads(agent, personas):
    # given a ticket with a link, a child, a follower and a checklist item
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Other")
    ticket_link_add(ticket=ticket, other=other, kind="related", by=personas.agent_l1)
    child = ticket_child_create(parent=ticket, by=personas.agent_l1, subject="Desk 4")
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l2)
    [item] = ticket_checklist_add(ticket=ticket, by=personas.agent_l1, texts=["Check the cable"])
    version = fresh(ticket).version
    html = page(agent, ticket)
    # then each undo form names its target and carries the ticket's version and the fields its action reads
    for testid, fields in [
        (f"unlink-form-related-{other.number}", {"kind": "related", "number": str(other.number)}),
        (f"detach-form-{child.number}", {"child": str(child.number)}),
        (f"unwatch-user-{personas.agent_l2.pk}", {"user": str(personas.agent_l2.pk)}),
        (f"checklist-remove-{item.pk}", {"item": str(item.pk)}),
    ]:
        form = html[
            html.index(f'data-testid="{testid}"') : html.index("</form>", html.index(f'data-testid="{testid}"'))
        ]
        assert f'name="version" value="{version}"' in form
        for name, value in fields.items():
            assert f'name="{name}" value="{value}"' in form, (testid, name)
    # and one of them, posted as the page has it, does its work
    response = post(agent, ticket, "unlink", {"kind": "related", "number": other.number})
    assert response.status_code == 302
    assert not TicketLink.objects.exists()
