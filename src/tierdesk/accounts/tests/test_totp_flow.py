"""The second factor of staff sign-ins: set-up, the code step after the password, replay
refusal, the lock after wrong codes, single-use recovery codes, forced set-up, the admin's reset.

Codes are computed from the secret for the time step after the last accepted one (RFC 6238
allows one step of drift), so no test waits for the clock."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tierdesk.accounts import totp
from tierdesk.accounts.choices import AuditAction
from tierdesk.accounts.errors import NotAllowed
from tierdesk.accounts.models import AuditEntry, RecoveryCode, TotpDevice, User
from tierdesk.accounts.services_totp import totp_enrol_begin, totp_reset
from tierdesk.accounts.sign_in_flow import VERIFIED_KEY
from tierdesk.accounts.tests.api_support import send, token_client
from tierdesk.accounts.tests.factories import PASSWORD
from tierdesk.accounts.tests.totp_support import enrol, next_code

VERIFY_URL = "/login/two-factor/"
ENROL_URL = "/account/two-factor/"


def password_sign_in(client: Client, username: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def error_code(response: Any) -> str:
    html = response.content.decode()
    assert 'data-testid="second-factor-error"' in html
    return html.split('data-code="', 1)[1].split('"', 1)[0]


@pytest.fixture
def enrolled(personas: Any) -> tuple[User, str, list[str]]:
    secret, codes = enrol(personas.agent_l1)
    return personas.agent_l1, secret, codes


def test_staff_with_an_authenticator_are_asked_for_a_code_after_the_password(client, enrolled):
    user, secret, _codes = enrolled
    # when the password is right
    response = password_sign_in(client, user.username)
    # then nobody is signed in yet, and the desk stays closed
    assert response.status_code == 302
    assert response["Location"] == VERIFY_URL
    assert not signed_in(client)
    assert client.get("/desk/")["Location"].startswith("/login/")
    # when the code is right
    response = client.post(VERIFY_URL, {"code": next_code(user, secret)})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session[VERIFIED_KEY] == user.pk
    assert client.get("/desk/").status_code == 200


def test_a_wrong_code_signs_nobody_in_and_is_audited(client, enrolled):
    user, _secret, _codes = enrolled
    password_sign_in(client, user.username)
    response = client.post(VERIFY_URL, {"code": "000000"})
    assert response.status_code == 422
    assert error_code(response) == "totp.invalid"
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_FAILED, actor=user).exists()


def test_wrong_codes_lock_the_second_step_even_for_the_right_code(client, enrolled, settings):
    settings.TIERDESK_TOTP_MAX_FAILURES = 3
    user, secret, _codes = enrolled
    password_sign_in(client, user.username)
    for _ in range(2):
        assert client.post(VERIFY_URL, {"code": "000000"}).status_code == 422
    # when the third wrong code comes
    locked = client.post(VERIFY_URL, {"code": "111111"})
    # then
    assert locked.status_code == 403
    assert error_code(locked) == "totp.locked"
    right = client.post(VERIFY_URL, {"code": next_code(user, secret)})
    assert error_code(right) == "totp.locked"
    assert not signed_in(client)
    assert TotpDevice.objects.get(user=user).locked_until > timezone.now()
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_LOCKED, actor=user).count() == 1


def test_a_code_accepted_once_is_refused_the_second_time(client, enrolled):
    user, secret, _codes = enrolled
    code = next_code(user, secret)
    password_sign_in(client, user.username)
    assert client.post(VERIFY_URL, {"code": code})["Location"] == "/"
    client.post("/logout/")
    # when the same code comes again (someone watched it being typed)
    password_sign_in(client, user.username)
    replay = client.post(VERIFY_URL, {"code": code})
    # then
    assert error_code(replay) == "totp.invalid"
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_FAILED, detail__reason="replayed").exists()


def test_a_code_of_a_step_before_the_last_accepted_one_is_refused(client, enrolled):
    user, secret, _codes = enrolled
    device = TotpDevice.objects.get(user=user)
    password_sign_in(client, user.username)
    older = totp.code_at_step(secret, device.last_used_step - 1)
    assert error_code(client.post(VERIFY_URL, {"code": older})) == "totp.invalid"


def test_a_recovery_code_works_once(client, enrolled):
    user, _secret, codes = enrolled
    password_sign_in(client, user.username)
    # when (typed in lower case without dashes, as people do)
    response = client.post(VERIFY_URL, {"code": codes[0].replace("-", "").lower()})
    # then
    assert response["Location"] == "/"
    assert signed_in(client)
    assert AuditEntry.objects.get(action=AuditAction.RECOVERY_CODE_USED).detail == {"left": 9}
    client.post("/logout/")
    password_sign_in(client, user.username)
    again = client.post(VERIFY_URL, {"code": codes[0]})
    assert error_code(again) == "totp.invalid"
    assert not signed_in(client)


def test_recovery_codes_are_stored_as_digests_only(enrolled):
    user, _secret, codes = enrolled
    digests = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(codes) == len(digests) == 10
    assert not digests & {c for code in codes for c in (code, code.replace("-", ""))}


def test_another_users_recovery_code_does_not_work(client, enrolled, personas):
    _user, _secret, codes = enrolled
    _other_secret, _other_codes = enrol(personas.case_manager)
    password_sign_in(client, personas.case_manager.username)
    assert error_code(client.post(VERIFY_URL, {"code": codes[1]})) == "totp.invalid"


def test_the_code_step_without_a_pending_sign_in_goes_back_to_sign_in(client, db):
    assert client.get(VERIFY_URL)["Location"] == "/login/"
    assert client.post(VERIFY_URL, {"code": "123456"})["Location"] == "/login/"


def test_a_staff_member_sets_up_an_authenticator(client, personas):
    user = personas.agent_l1
    client.force_login(user)
    # when
    page = client.get(ENROL_URL)
    # then a QR code and the key are shown, and not cached
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = html.split('data-testid="totp-secret">', 1)[1].split("<", 1)[0]
    assert len(secret) == 32
    assert "no-store" in page["Cache-Control"]
    # when a wrong code, then the right one
    assert client.post(ENROL_URL, {"code": "000000"}).status_code == 422
    done = client.post(ENROL_URL, {"code": totp.code_at_step(secret, totp.time_step(timezone.now()))})
    # then
    assert done.status_code == 200
    assert done.content.decode().count("<li><code>") == 10
    assert TotpDevice.objects.get(user=user).confirmed_at is not None
    assert AuditEntry.objects.filter(action=AuditAction.TOTP_ENABLED, actor=user).exists()
    # and the next sign-in asks for a code
    client.post("/logout/")
    assert password_sign_in(client, user.username)["Location"] == VERIFY_URL


def test_customers_set_up_no_authenticator(client, personas):
    client.force_login(personas.customer_a)
    assert client.get(ENROL_URL)["Location"] == "/"
    assert not TotpDevice.objects.exists()
    with pytest.raises(NotAllowed):
        totp_enrol_begin(user=personas.customer_a)


def test_when_required_staff_must_set_up_an_authenticator_before_the_desk(client, personas, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    user = personas.agent_l1
    # when
    response = password_sign_in(client, user.username)
    # then
    assert response["Location"] == ENROL_URL
    assert not signed_in(client)
    assert client.get("/desk/")["Location"].startswith("/login/")
    html = client.get(ENROL_URL).content.decode()
    secret = html.split('data-testid="totp-secret">', 1)[1].split("<", 1)[0]
    done = client.post(ENROL_URL, {"code": totp.code_at_step(secret, totp.time_step(timezone.now()))})
    assert done.status_code == 200
    assert 'href="/"' in done.content.decode()
    assert signed_in(client)
    assert client.get("/desk/").status_code == 200


def test_when_required_customers_are_not_asked(client, personas, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    response = password_sign_in(client, personas.customer_a.username)
    assert response["Location"] == "/"
    assert signed_in(client)
    assert client.get("/")["Location"].startswith("/portal/")


def test_when_required_an_older_staff_session_without_the_code_ends(personas, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    browser = Client()
    browser.force_login(personas.agent_l1)  # a session from before the setting
    assert browser.get("/desk/")["Location"].startswith("/login/")
    assert "_auth_user_id" not in browser.session
    api = Client()
    api.force_login(personas.agent_l1)
    response = send(api, "GET", "/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.second_factor_required"


def test_api_tokens_are_not_affected(personas, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    enrol(personas.agent_l1)
    response = send(token_client(personas.agent_l1), "GET", "/me")
    assert response.status_code == 200
    assert response.json()["username"] == personas.agent_l1.username


def test_an_admin_resets_a_lost_authenticator(client, enrolled, personas):
    user, _secret, _codes = enrolled
    client.force_login(personas.admin)
    # when the admin uses the action on the user list
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]}, follow=False
    )
    # then
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TOTP_RESET)
    assert entry.actor == personas.admin
    assert entry.target == f"user:{user.pk}"
    # and the next sign-in needs no code (or the set-up, when required)
    client.post("/logout/")
    assert password_sign_in(client, user.username)["Location"] == "/"


def test_only_an_admin_may_reset(enrolled, personas):
    user, _secret, _codes = enrolled
    with pytest.raises(NotAllowed):
        totp_reset(by=personas.case_manager, user=user)
    assert TotpDevice.objects.filter(user=user).exists()


def test_the_admin_site_signs_in_through_our_page(client, db):
    response = client.get("/admin/login/?next=/admin/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/accounts/"
