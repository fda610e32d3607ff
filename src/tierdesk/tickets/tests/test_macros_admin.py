"""Macros in the Django admin: the same validation as the services, and the author recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import Macro

ADD = "/admin/tickets/macro/add/"


def form(**fields: Any) -> dict[str, Any]:
    return {"name": "Photo please", "language": "en", "body": "Hi {customer_name}.", "add_tags": "[]", **fields}


@pytest.fixture
def admin_client_(personas) -> Client:
    client = Client()
    client.force_login(personas.admin)
    return client


def test_the_add_page_documents_the_placeholders(admin_client_):
    # when
    html = admin_client_.get(ADD).content.decode()
    # then
    for placeholder in ("{customer_name}", "{ticket_number}", "{ticket_subject}", "{agent_name}", "{organisation}"):
        assert placeholder in html


def test_admin_creates_a_macro_with_its_author(personas, admin_client_):
    # when
    response = admin_client_.post(ADD, form(add_tags='["VIP", "vip"]', set_status="waiting_customer", is_active="on"))
    # then
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.name, macro.add_tags, macro.set_status, macro.created_by) == (
        "Photo please",
        ["vip"],
        "waiting_customer",
        personas.admin,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_internal": "on", "set_status": "resolved"}, "An internal macro cannot resolve a ticket"),
        ({"add_tags": '"vip"'}, "Tags must be a list of names."),
        ({"body": "   "}, "This field is required."),
    ],
)
def test_admin_refuses_what_the_services_refuse(admin_client_, fields, message):
    # when
    response = admin_client_.post(ADD, form(**fields))
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Macro.objects.count() == 0
