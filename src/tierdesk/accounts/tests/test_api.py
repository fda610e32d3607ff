"""The accounts API through real HTTP: authentication (token, session + CSRF), /me,
organisations, contacts, login unlocks, the OpenAPI document, and the error shape."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tierdesk.accounts.choices import AuditAction
from tierdesk.accounts.models import ApiToken, AuditEntry, Contact, ContactPhone, Organisation
from tierdesk.accounts.services import api_token_create, api_token_revoke
from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.accounts.tests.factories import ContactFactory, ContactPhoneFactory, OrganisationFactory
from tierdesk.core.testing.queries import assert_max_queries

CSRF_SECRET = "a" * 32  # a well-formed CSRF secret: cookie and header carry the same value


# --- authentication ------------------------------------------------------------------------


def test_anonymous_gets_401_json(personas):
    # when nobody signs in
    response = send(Client(), "GET", "/me")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"
    assert response["WWW-Authenticate"] == 'Bearer realm="tierdesk"'


def test_valid_token_authenticates_and_records_use(personas):
    # given a token of an agent
    issued = api_token_create(user=personas.agent_l1, name="pbx")
    client = Client(headers={"Authorization": f"Bearer {issued.raw}"})
    # when
    response = send(client, "GET", "/me")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "l1"
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_revoked_token_is_401(personas):
    # given a revoked token
    issued = api_token_create(user=personas.agent_l1, name="pbx")
    api_token_revoke(token=issued.token, by=personas.agent_l1)
    # when
    response = send(Client(headers={"Authorization": f"Bearer {issued.raw}"}), "GET", "/me")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tdk_wrong-token",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Token {raw}",  # another scheme
        "{raw}",  # the token without the Bearer prefix
    ],
)
def test_wrong_or_malformed_token_is_401(personas, header):
    # given a real token that is not sent as "Bearer <token>", or a wrong one
    raw = api_token_create(user=personas.agent_l1, name="pbx").raw
    client = Client(headers={"Authorization": header.format(raw=raw)})
    # when
    response = send(client, "GET", "/me")
    # then
    assert response.status_code == 401


def test_wrong_token_is_not_rescued_by_a_session(personas):
    # given a signed-in browser that also sends a wrong bearer token
    client = client_for(personas.agent_l1)
    # when
    response = send(client, "GET", "/me", Authorization="Bearer tdk_wrong")
    # then a broken integration is told so, not served as the browser's user
    assert response.status_code == 401


def test_token_user_who_was_deactivated_is_401(personas):
    # given a token whose user has left
    raw = api_token_create(user=personas.agent_l1, name="pbx").raw
    personas.agent_l1.is_active = False
    personas.agent_l1.save(update_fields=["is_active"])
    # when
    response = send(Client(headers={"Authorization": f"Bearer {raw}"}), "GET", "/me")
    # then
    assert response.status_code == 401


def test_session_post_without_csrf_token_is_rejected(personas):
    # given a signed-in browser session that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.agent_l1)
    # when it posts without the token
    response = send(client, "POST", "/organisations", {"name": "Polder Logistics"})
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf_failed"
    assert not Organisation.objects.filter(name="Polder Logistics").exists()


def test_session_post_with_csrf_token_is_accepted(personas):
    # given a signed-in browser session with the CSRF cookie
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.agent_l1)
    client.cookies["csrftoken"] = CSRF_SECRET
    # when it posts with the X-CSRFToken header
    response = send(client, "POST", "/organisations", {"name": "Polder Logistics"}, X_CSRFToken=CSRF_SECRET)
    # then
    assert response.status_code == 201
    assert Organisation.objects.filter(name="Polder Logistics").exists()


def test_session_get_needs_no_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.agent_l1)
    assert send(client, "GET", "/me").status_code == 200


def test_token_post_needs_no_csrf_token(personas):
    # given an integration with a token and a CSRF-enforcing client
    raw = api_token_create(user=personas.agent_l1, name="crm").raw
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    # when
    response = send(client, "POST", "/organisations", {"name": "Polder Logistics"})
    # then
    assert response.status_code == 201


def test_anonymous_post_is_401_not_a_csrf_error(personas):
    response = send(Client(enforce_csrf_checks=True), "POST", "/organisations", {"name": "Polder Logistics"})
    assert response.status_code == 401
    assert not Organisation.objects.filter(name="Polder Logistics").exists()


def test_token_request_answers_in_the_users_language(personas):
    # given a Dutch-speaking agent with a token
    personas.agent_l1.language = "nl"
    personas.agent_l1.save(update_fields=["language"])
    # when
    response = send(token_client(personas.agent_l1), "GET", "/me")
    # then
    assert response["Content-Language"] == "nl"


# --- /me ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "role", "level", "organisation"),
    [
        ("agent_l2", "agent", "second", None),
        ("case_manager", "case_manager", "second", None),
        ("admin", "admin", "first", None),
        ("customer_a", "customer", None, "org_a"),
        ("customer_admin_a", "customer_admin", None, "org_a"),
        ("customer_b", "customer", None, "org_b"),
    ],
)
def test_me_tells_role_language_and_organisation(personas, who, role, level, organisation):
    user = getattr(personas, who)
    # when
    body = send(client_for(user), "GET", "/me").json()
    # then
    assert body["id"] == user.pk
    assert body["role"] == role
    assert body["language"] == user.language
    assert body["level"] == level
    expected_org = getattr(personas, organisation) if organisation else None
    assert body["organisation"] == ({"id": expected_org.pk, "name": expected_org.name} if expected_org else None)
    assert body["is_staff_member"] is (organisation is None)


# --- organisations ----------------------------------------------------------------------------


def test_staff_list_organisations_with_notes(personas):
    # given
    OrganisationFactory(name="Alder Print Works", notes="Key under the mat")
    # when
    body = send(client_for(personas.agent_l1), "GET", "/organisations?q=alder").json()
    # then
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Alder Print Works"
    assert body["items"][0]["notes"] == "Key under the mat"


def test_customer_sees_only_own_organisation_without_notes(personas):
    # given internal notes on the customer's own organisation
    personas.org_a.notes = "Difficult on Fridays"
    personas.org_a.save(update_fields=["notes"])
    # when
    body = send(client_for(personas.customer_a), "GET", "/organisations").json()
    # then
    assert body["count"] == 1
    assert body["items"] == [{"id": personas.org_a.pk, "name": personas.org_a.name, "country": "NL", "language": "nl"}]


def test_organisation_list_has_a_query_ceiling(personas):
    client = client_for(personas.agent_l1)
    for rows in (3, 30):
        # given more and more organisations
        for _ in range(rows):
            OrganisationFactory()
        # when / then the number of queries does not grow with them (one of them fetches all the e-mail domains)
        with assert_max_queries(5):
            response = send(client, "GET", "/organisations?limit=200")
        assert response.status_code == 200


def test_organisation_list_paginates(personas):
    for index in range(5):
        OrganisationFactory(name=f"Page Test {index}")
    body = send(client_for(personas.agent_l1), "GET", "/organisations?q=page+test&limit=2&offset=2").json()
    assert body["count"] == 5
    assert body["limit"] == 2
    assert body["offset"] == 2
    assert [item["name"] for item in body["items"]] == ["Page Test 2", "Page Test 3"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("customer_b", 404), ("customer_a", 200), ("customer_admin_a", 200), ("agent_l1", 200)],
)
def test_get_organisation_roles(personas, who, status):
    response = send(client_for(getattr(personas, who)), "GET", f"/organisations/{personas.org_a.pk}")
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "organisation.not_found"


def test_get_unknown_organisation_is_404(personas):
    response = send(client_for(personas.agent_l1), "GET", "/organisations/999999")
    assert response.status_code == 404
    assert response.json() == {"code": "organisation.not_found", "message": "No such organisation."}


@pytest.mark.parametrize("who", ROLES)
def test_create_organisation_roles(personas, who):
    expected = {"anonymous": 401, "agent_l1": 201, "case_manager": 201, "admin": 201}.get(who, 403)
    # when
    response = send(client_for(getattr(personas, who)), "POST", "/organisations", {"name": "Polder Logistics"})
    # then
    assert response.status_code == expected
    assert Organisation.objects.filter(name="Polder Logistics").exists() is (expected == 201)
    if expected == 403:
        assert response.json()["code"] == "accounts.forbidden"


def test_create_organisation_returns_it(personas):
    payload = {"name": "Polder Logistics", "country": "nl", "language": "de", "notes": "VPN first"}
    body = send(client_for(personas.agent_l1), "POST", "/organisations", payload).json()
    assert body["name"] == "Polder Logistics"
    assert body["country"] == "NL"
    assert body["language"] == "de"
    assert body["notes"] == "VPN first"
    assert body["is_active"] is True


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"name": "   "}, "organisation.name_required", "name"),
        ({"name": "Harbour Freight Systems"}, "organisation.duplicate", "name"),
        ({"name": "Polder", "language": "fr"}, "invalid", "language"),
        ({"name": "Polder", "country": "NLD"}, "invalid", "country"),
        ({}, "invalid", "name"),
        ({"name": ["Polder"]}, "invalid", "name"),
    ],
)
def test_create_organisation_invalid_input_changes_nothing(personas, payload, code, field):
    before = Organisation.objects.count()
    # when
    response = send(client_for(personas.agent_l1), "POST", "/organisations", payload)
    # then
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert Organisation.objects.count() == before


def test_unparsable_body_is_400(personas):
    client = client_for(personas.agent_l1)
    response = client.post("/api/v1/organisations", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("who", ROLES)
def test_patch_organisation_roles(personas, who):
    expected = {
        "anonymous": 401,
        "customer_b": 404,
        "agent_l1": 200,
        "case_manager": 200,
        "admin": 200,
    }.get(who, 403)
    # when
    response = send(client_for(getattr(personas, who)), "PATCH", f"/organisations/{personas.org_a.pk}", {"notes": "x"})
    # then
    assert response.status_code == expected
    personas.org_a.refresh_from_db()
    assert personas.org_a.notes == ("x" if expected == 200 else "")


def test_patch_organisation_deactivates_instead_of_delete(personas):
    client = client_for(personas.admin)
    # when
    body = send(client, "PATCH", f"/organisations/{personas.org_b.pk}", {"is_active": False}).json()
    # then
    assert body["is_active"] is False
    assert Organisation.objects.get(pk=personas.org_b.pk).is_active is False
    # and there is no hard delete
    assert send(client, "DELETE", f"/organisations/{personas.org_b.pk}").status_code == 405
    assert Organisation.objects.filter(pk=personas.org_b.pk).exists()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"name": None}, "invalid"),
        ({"name": ""}, "invalid"),
        ({"deleted": True}, "invalid"),
        ({"language": 3}, "invalid"),
    ],
)
def test_patch_organisation_invalid_changes_nothing(personas, payload, code):
    response = send(client_for(personas.agent_l1), "PATCH", f"/organisations/{personas.org_a.pk}", payload)
    assert response.status_code == 422
    assert response.json()["code"] == code
    personas.org_a.refresh_from_db()
    assert personas.org_a.name == "Harbour Freight Systems"
    assert personas.org_a.language == "nl"


# --- contacts --------------------------------------------------------------------------------


def test_create_contact_normalises_phones(personas):
    payload = {
        "organisation": personas.org_a.pk,
        "name": "Dirk Smit",
        "email": "Dirk@Harbour.example",
        "phones": ["020 123 4567", "+31 20 123 4567", "+47 22 33 44 55"],
    }
    # when
    response = send(client_for(personas.agent_l1), "POST", "/contacts", payload)
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["phones"] == ["+31201234567", "+4722334455"]
    assert body["email"] == "dirk@harbour.example"
    assert body["language"] == "nl"  # the organisation's
    assert body["organisation"] == {"id": personas.org_a.pk, "name": "Harbour Freight Systems"}
    assert body["has_login"] is False


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"name": "Dirk Smit", "phones": ["not a number"]}, 422, "contact.invalid_phone"),
        ({"name": "Dirk Smit", "email": "nope"}, 422, "invalid"),
        ({"name": "Dirk Smit", "phones": ["+31201234567"] * 11}, 422, "invalid"),
        ({"name": ""}, 422, "invalid"),
        ({"name": "Dirk Smit", "organisation": 999999}, 404, "organisation.not_found"),
    ],
)
def test_create_contact_invalid_changes_nothing(personas, payload, status, code):
    before = (Contact.objects.count(), ContactPhone.objects.count())
    # when
    response = send(client_for(personas.agent_l1), "POST", "/contacts", {"organisation": personas.org_a.pk, **payload})
    # then
    assert response.status_code == status
    assert response.json()["code"] == code
    assert (Contact.objects.count(), ContactPhone.objects.count()) == before


@pytest.mark.parametrize("who", ROLES)
def test_create_contact_roles(personas, who):
    expected = {"anonymous": 401, "customer_b": 404, "agent_l1": 201, "case_manager": 201, "admin": 201}.get(who, 403)
    payload = {"organisation": personas.org_a.pk, "name": "Dirk Smit"}
    # when
    response = send(client_for(getattr(personas, who)), "POST", "/contacts", payload)
    # then
    assert response.status_code == expected
    assert Contact.objects.filter(name="Dirk Smit").exists() is (expected == 201)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("customer_a", {"Anna Vermeulen"}),
        ("customer_admin_a", {"Anna Vermeulen", "Bram de Wit", "Cora Jansen"}),
        ("customer_b", {"Ola Nordby"}),
        ("agent_l1", {"Anna Vermeulen", "Bram de Wit", "Cora Jansen", "Ola Nordby"}),
    ],
)
def test_list_contacts_is_scoped(personas, who, expected):
    body = send(client_for(getattr(personas, who)), "GET", "/contacts").json()
    assert {item["name"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


def test_list_contacts_filters_by_organisation_and_text(personas):
    client = client_for(personas.agent_l1)
    by_org = send(client, "GET", f"/contacts?organisation={personas.org_b.pk}").json()
    by_text = send(client, "GET", "/contacts?q=bram").json()
    assert [item["name"] for item in by_org["items"]] == ["Ola Nordby"]
    assert [item["name"] for item in by_text["items"]] == ["Bram de Wit"]


def test_contact_list_has_a_query_ceiling(personas):
    client = client_for(personas.agent_l1)
    created = 0
    for rows in (3, 30):
        # given contacts with two phone numbers each
        for _ in range(rows):
            contact = ContactFactory(organisation=personas.org_a)
            ContactPhoneFactory(contact=contact)
            ContactPhoneFactory(contact=contact)
        created += rows
        # when / then
        with assert_max_queries(5):
            response = send(client, "GET", "/contacts?limit=200")
        assert response.status_code == 200
        new_items = [item for item in response.json()["items"] if item["name"].startswith("Contact ")]
        assert len(new_items) == created
        assert all(len(item["phones"]) == 2 for item in new_items)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("customer_b", 404),
        ("customer_a2", 404),
        ("customer_admin_a", 200),
        ("customer_a", 200),
        ("agent_l1", 200),
        ("case_manager", 200),
        ("admin", 200),
    ],
)
def test_get_contact_roles(personas, who, status):
    response = send(client_for(getattr(personas, who)), "GET", f"/contacts/{personas.contact_a.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Anna Vermeulen"
    elif status == 404:
        assert response.json()["code"] == "contact.not_found"


@pytest.mark.parametrize("who", ROLES)
def test_patch_contact_roles(personas, who):
    expected = {
        "anonymous": 401,
        "customer_b": 404,
        "customer_a2": 404,
        "agent_l1": 200,
        "case_manager": 200,
        "admin": 200,
    }.get(who, 403)
    # when
    response = send(client_for(getattr(personas, who)), "PATCH", f"/contacts/{personas.contact_a.pk}", {"name": "X"})
    # then
    assert response.status_code == expected
    personas.contact_a.refresh_from_db()
    assert personas.contact_a.name == ("X" if expected == 200 else "Anna Vermeulen")


def test_patch_contact_replaces_phones_and_deactivates(personas):
    ContactPhoneFactory(contact=personas.contact_a, number="+31201111111")
    payload = {"phones": ["+31 20 222 2222"], "is_active": False}
    # when
    body = send(client_for(personas.agent_l1), "PATCH", f"/contacts/{personas.contact_a.pk}", payload).json()
    # then
    assert body["phones"] == ["+31202222222"]
    assert body["is_active"] is False
    assert list(personas.contact_a.phones.values_list("number", flat=True)) == ["+31202222222"]


def test_patch_contact_invalid_phone_changes_nothing(personas):
    ContactPhoneFactory(contact=personas.contact_a, number="+31201111111")
    # when
    response = send(client_for(personas.agent_l1), "PATCH", f"/contacts/{personas.contact_a.pk}", {"phones": ["12"]})
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "contact.invalid_phone"
    assert list(personas.contact_a.phones.values_list("number", flat=True)) == ["+31201111111"]


def test_contact_id_that_is_not_a_number_is_not_found(personas):
    assert send(client_for(personas.agent_l1), "GET", "/contacts/abc").status_code == 404


# --- login unlock -----------------------------------------------------------------------------


def _lock_out(username: str) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.10",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


@pytest.mark.parametrize("who", ROLES)
def test_unlock_roles(personas, who):
    expected = {"anonymous": 401, "admin": 200}.get(who, 403)
    _lock_out("anna")
    # when
    response = send(client_for(getattr(personas, who)), "POST", "/admin/unlock", {"username": "anna"})
    # then
    assert response.status_code == expected
    assert AccessAttempt.objects.filter(username="anna").exists() is (expected != 200)
    unlocked = AuditEntry.objects.filter(action=AuditAction.LOGIN_UNLOCKED).exists()
    assert unlocked is (expected == 200)


def test_unlock_reports_what_it_cleared(personas):
    _lock_out("anna")
    # when
    body = send(client_for(personas.admin), "POST", "/admin/unlock", {"username": "anna"}).json()
    # then
    assert body == {"username": "anna", "cleared": 1}
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_UNLOCKED)
    assert entry.actor == personas.admin
    assert entry.target == "username:anna"
    assert entry.at <= timezone.now()


def test_unlock_needs_a_username(personas):
    response = send(client_for(personas.admin), "POST", "/admin/unlock", {"username": ""})
    assert response.status_code == 422
    assert response.json()["field"] == "username"


# --- the OpenAPI document ---------------------------------------------------------------------


def test_openapi_document_and_docs_are_served(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/tickets", "/api/v1/me", "/api/v1/contacts/lookup", "/api/v1/organisations/{organisation_id}"):
        assert path in paths
    schemes = schema.json()["components"]["securitySchemes"]
    assert schemes["BearerTokenAuth"]["scheme"] == "bearer"
    assert docs.status_code == 200
