"""Sign-in, lock-out, sign-out, the role-based landing page and the language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tierdesk.accounts.models import AuditEntry, User
from tierdesk.accounts.tests.factories import PASSWORD

LOGIN_URL = "/login/"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def test_sign_in_page_has_labelled_fields(client, db):
    # when
    response = client.get(LOGIN_URL)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html
    assert 'data-testid="login-form"' in html
    assert "After 5 wrong passwords the account is locked for 15 minutes." in html


def test_staff_sign_in_lands_on_the_board(client, personas):
    # when
    response = sign_in(client, "l1")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/desk/"


def test_customer_sign_in_lands_in_the_portal(client, personas):
    # when
    response = sign_in(client, "anna")
    # then
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/portal/")


def test_sign_in_rotates_the_session_key(client, personas):
    # given an anonymous session
    session = client.session
    session["seen"] = True
    session.save()
    before = session.session_key
    # when
    sign_in(client, "l1")
    # then
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert int(client.session["_auth_user_id"]) == personas.agent_l1.pk


def test_sign_in_follows_a_safe_next_and_ignores_an_unsafe_one(client, personas):
    # when
    safe = sign_in(client, "l1", next="/desk/organisations/")
    client.post("/logout/")
    unsafe = sign_in(client, "l1", next="https://evil.example/")
    # then
    assert safe["Location"] == "/desk/organisations/"
    assert unsafe["Location"] == "/"


def test_wrong_password_shows_the_form_again(client, personas):
    # when
    response = sign_in(client, "l1", "not-the-password")
    # then
    assert response.status_code == 200
    assert 'data-testid="login-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, personas):
    # given four failures, the account still answers normally
    for _ in range(4):
        assert sign_in(client, "l1", "wrong").status_code == 200
    # when the fifth fails
    fifth = sign_in(client, "l1", "wrong")
    # then the lock-out page says so in plain words
    assert fifth.status_code == 429
    html = fifth.content.decode()
    assert 'data-testid="locked-out"' in html
    assert "The password was wrong 5 times in a row." in html
    assert "blocked for 15 minutes" in html
    assert "accounts/locked_out.html" in [t.name for t in fifth.templates]
    # and even the right password is refused now
    locked = sign_in(client, "l1")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_account(client, personas):
    # given l1 is locked
    for _ in range(5):
        sign_in(client, "l1", "wrong")
    # when l2 signs in from the same address
    response = sign_in(client, "l2")
    # then
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == personas.agent_l2.pk


def test_sign_out_is_post_only_and_ends_the_session(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    refused = client.get("/logout/")
    response = client.post("/logout/")
    # then
    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert "_auth_user_id" not in client.session


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    # when
    response = client.get("/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("agent_l1", "/desk/"),
        ("case_manager", "/desk/"),
        ("admin", "/desk/"),
        ("customer_a", "/portal/"),
        ("customer_admin_a", "/portal/"),
    ],
)
def test_home_sends_each_role_to_its_place(client, personas, persona, target):
    # given
    client.force_login(getattr(personas, persona))
    # when
    response = client.get("/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(target)


def test_signed_in_visitor_of_the_sign_in_page_is_sent_on(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    response = client.get(LOGIN_URL)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_url_names_resolve_bare_and_namespaced():
    assert [reverse(name) for name in ("login", "logout", "home", "language")] == [
        "/login/",
        "/logout/",
        "/",
        "/account/language/",
    ]
    assert reverse("accounts:login") == "/login/"


# --- language switch ----------------------------------------------------------------------


def test_language_switch_saves_the_choice_and_the_next_page_speaks_it(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    response = client.post("/account/language/", {"language": "nl", "next": "/desk/organisations/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/desk/organisations/"
    assert User.objects.get(pk=personas.agent_l1.pk).language == "nl"
    page = client.get("/desk/organisations/")
    assert page["Content-Language"] == "nl"
    assert '<html lang="nl">' in page.content.decode()


def test_language_switch_of_a_customer_updates_the_contact_too(client, personas):
    # given
    client.force_login(personas.customer_a)
    # when
    client.post("/account/language/", {"language": "de"})
    # then
    personas.contact_a.refresh_from_db()
    assert (User.objects.get(pk=personas.customer_a.pk).language, personas.contact_a.language) == ("de", "de")


def test_language_switch_refuses_an_unknown_language(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    response = client.post("/account/language/", {"language": "xx"})
    # then
    assert response.status_code == 422
    assert 'data-error-code="user.invalid_language"' in response.content.decode()
    assert User.objects.get(pk=personas.agent_l1.pk).language == "en"


def test_language_switch_ignores_an_unsafe_next(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    response = client.post("/account/language/", {"language": "pl", "next": "https://evil.example/"})
    # then
    assert response["Location"] == "/"


def test_language_page_and_header_form(client, personas):
    # given
    client.force_login(personas.agent_l1)
    # when
    page = client.get("/account/language/").content.decode()
    board = client.get("/desk/").content.decode()
    # then
    assert '<label for="language-choice">' in page
    assert 'data-testid="language-form"' in board
    assert '<label class="visually-hidden" for="language-select">' in board


def test_language_switch_needs_a_signed_in_user(client, db):
    # when
    response = client.post("/account/language/", {"language": "nl"})
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _lock_out(client, username: str) -> None:
    for _ in range(5):
        client.post("/login/", {"username": username, "password": "wrong-password"})


def test_admin_sees_and_lifts_a_lockout_with_an_audit_entry(client, personas):
    # given a customer who typed a wrong password five times
    _lock_out(client, "anna")
    assert client.post("/login/", {"username": "anna", "password": PASSWORD}).status_code == 429
    # when an admin opens the lock-out page and unlocks her
    client.force_login(personas.admin)
    page = client.get("/desk/security/lockouts/").content.decode()
    assert 'data-testid="lockout-anna"' in page
    response = client.post("/desk/security/lockouts/", {"username": "anna"})
    assert response.status_code == 302
    # then she can sign in again, and the unlock is audited
    assert 'data-testid="no-lockouts"' in client.get("/desk/security/lockouts/").content.decode()
    entry = AuditEntry.objects.get(action="login_unlocked")
    assert (entry.actor, entry.target) == (personas.admin, "username:anna")
    assert AuditEntry.objects.filter(action="login_locked", target="username:anna").exists()
    client.logout()
    assert client.post("/login/", {"username": "anna", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "customer_admin_a"])
def test_only_admins_may_unlock(client, personas, who):
    _lock_out(client, "anna")
    client.force_login(getattr(personas, who))
    assert client.get("/desk/security/lockouts/").status_code == 403
    assert client.post("/desk/security/lockouts/", {"username": "anna"}).status_code == 403
    assert not AuditEntry.objects.filter(action="login_unlocked").exists()
