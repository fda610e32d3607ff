"""NUL characters never reach the database: every route answers 400 and changes nothing."""

from __future__ import annotations

import json

import pytest

from tierdesk.accounts.services import api_token_create
from tierdesk.tickets.models import Ticket


@pytest.fixture
def bearer(personas) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=personas.agent_l1, name='t').raw}"}


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "status=open&q=%C0%80%00"])
def test_nul_in_query_string_is_a_400(client, bearer, query):
    response = client.get(f"/api/v1/tickets?{query}", **bearer)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_nul_in_json_body_is_a_400_and_creates_nothing(client, bearer, personas):
    body = json.dumps({"subject": "pri\u0000nter", "requester": personas.contact_a.pk})
    response = client.post("/api/v1/tickets", body, content_type="application/json", **bearer)
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_nul_in_urlencoded_form_is_a_400(client, personas):
    client.force_login(personas.agent_l1)
    response = client.get("/desk/", {"q": "a\x00"})
    assert response.status_code == 400
    response = client.post("/login/", "username=a%00&password=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_ordinary_requests_pass(client, bearer):
    assert client.get("/api/v1/tickets?q=printer", **bearer).status_code == 200


@pytest.mark.parametrize("path", ["/login/", "/api/v1/openapi.json", "/portal/", "/desk/"])
def test_every_response_carries_a_strict_content_security_policy(client, db, path):
    # db: the sign-in page lists the single sign-on providers kept in the database.
    policy = client.get(path)["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/contacts/abc", "/api/v2/tickets"])
def test_unknown_api_paths_answer_json(client, bearer, path):
    response = client.get(path, **bearer)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_pages_use_our_error_page(client, personas, settings):
    settings.DEBUG = False
    client.force_login(personas.agent_l1)
    response = client.get("/desk/no-such-page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_api_docs_load_nothing_from_other_hosts(client, personas):
    # the machine (and many customers' networks) reach no CDN, and the CSP would block one anyway
    client.force_login(personas.agent_l1)
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "https://" not in html.replace("https://swagger.io", "")
