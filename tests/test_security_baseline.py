"""Security baseline of the web UI (security catalogue B10, ASVS 3.3, 3.5, 3.7, 7.2): session
cookies, rotation on sign-in, POST-only sign-out, CSRF on state changes, and no open redirects."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tierdesk.accounts.tests.factories import PASSWORD
from tierdesk.tickets.tests.factories import make_ticket

EVIL_TARGETS = ["//evil.example/", "https://evil.example/", "/\\evil.example", "https:evil.example", "\\\\evil.example"]


def test_sign_in_rotates_the_session_and_sets_safe_cookie_flags(personas):
    client = Client()
    client.get("/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    response = client.post("/login/", {"username": "l1", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != "attacker-chosen-session-id"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_is_post_only(personas):
    client = Client()
    client.force_login(personas.agent_l1)
    assert client.get("/logout/").status_code == 405
    assert client.get("/desk/").status_code == 200
    client.post("/logout/")
    assert client.get("/desk/").status_code == 302


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_in_never_redirects_off_site(personas, target):
    response = Client().post(f"/login/?next={target}", {"username": "l1", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_never_redirects_off_site(personas, target):
    client = Client()
    client.force_login(personas.agent_l1)
    response = client.post("/account/language/", {"language": "de", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize(
    ("who", "path", "data"),
    [
        ("agent_l1", "/desk/tickets/{number}/take/", {"version": "1"}),
        ("customer_a", "/portal/tickets/{number}/reply/", {"body": "forged"}),
        ("agent_l1", "/account/language/", {"language": "de"}),
    ],
)
def test_state_changes_need_the_csrf_token(personas, who, path, data):
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(personas, who))
    response = client.post(path.format(number=ticket.number), data)
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert (ticket.version, ticket.assignee_id) == (1, None)
    assert ticket.comments.count() == 0


def test_get_never_changes_a_ticket(personas):
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    client = Client()
    client.force_login(personas.agent_l1)
    for action in ("take", "resolve", "escalate", "reply"):
        client.get(f"/desk/tickets/{ticket.number}/{action}/")
    ticket.refresh_from_db()
    assert ticket.version == 1
