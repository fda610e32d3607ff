"""The calendars API through real HTTP: the role matrix of every endpoint (status and that nothing
changed), CRUD by an admin, validation codes, the query ceiling, and the business-minute answers."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.sla.models import BusinessCalendar, SlaPolicy
from tierdesk.sla.tests.factories import ClosedDayFactory, office_calendar
from tierdesk.sla.tests.test_services import snapshot

STAFF = ("agent_l1", "case_manager", "admin")
NEW_CALENDAR = {
    "name": "Oslo desk",
    "time_zone": "Europe/Oslo",
    "country": "NO",
    "opening_hours": [{"weekday": weekday, "opens": "08:00", "closes": "16:00"} for weekday in range(5)],
    "closed_days": [{"date": "2026-12-24", "name": "Christmas Eve"}],
}


def admin_only(who: str, success: int) -> int:
    return {"anonymous": 401, "admin": success}.get(who, 403)


def default_id() -> int:
    return BusinessCalendar.objects.get(is_default=True).pk


def query(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}"


# --- role matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_list_roles(personas, who):
    response = send(client_for(getattr(personas, who)), "GET", "/calendars")
    assert response.status_code == admin_only(who, 200)


@pytest.mark.parametrize("who", ROLES)
def test_get_roles(personas, who):
    response = send(client_for(getattr(personas, who)), "GET", f"/calendars/{default_id()}")
    assert response.status_code == admin_only(who, 200)


@pytest.mark.parametrize("who", ROLES)
def test_create_roles(personas, who):
    before = snapshot()
    response = send(client_for(getattr(personas, who)), "POST", "/calendars", NEW_CALENDAR)
    assert response.status_code == admin_only(who, 201)
    assert BusinessCalendar.objects.filter(name="Oslo desk").exists() is (response.status_code == 201)
    if response.status_code != 201:
        assert snapshot() == before


@pytest.mark.parametrize("who", ROLES)
def test_update_roles(personas, who):
    before = snapshot()
    response = send(client_for(getattr(personas, who)), "PATCH", f"/calendars/{default_id()}", {"name": "Renamed"})
    assert response.status_code == admin_only(who, 200)
    assert BusinessCalendar.objects.filter(name="Renamed").exists() is (response.status_code == 200)
    if response.status_code != 200:
        assert snapshot() == before


@pytest.mark.parametrize("who", ROLES)
def test_delete_roles(personas, who):
    calendar = office_calendar(name="Harbour desk")
    before = snapshot()
    response = send(client_for(getattr(personas, who)), "DELETE", f"/calendars/{calendar.pk}")
    assert response.status_code == admin_only(who, 204)
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists() is (response.status_code != 204)
    if response.status_code != 204:
        assert snapshot() == before


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_calendar_is_404_for_admins_and_403_for_others(personas, who, method):
    response = send(client_for(getattr(personas, who)), method, "/calendars/999999", {} if method == "PATCH" else None)
    assert response.status_code == admin_only(who, 404)
    if response.status_code == 404:
        assert response.json()["code"] == "calendar.not_found"


@pytest.mark.parametrize("who", ROLES)
def test_business_minutes_roles(personas, who):
    path = query(
        f"/calendars/{default_id()}/business-minutes", start="2026-04-24T15:50:00+02:00", end="2026-04-28T08:20+02:00"
    )
    response = send(client_for(getattr(personas, who)), "GET", path)
    assert response.status_code == {"anonymous": 401}.get(who, 200 if who in STAFF else 403)


@pytest.mark.parametrize("who", ROLES)
def test_add_roles(personas, who):
    path = query(f"/calendars/{default_id()}/add", start="2026-04-24T15:50:00+02:00", minutes=30)
    response = send(client_for(getattr(personas, who)), "GET", path)
    assert response.status_code == {"anonymous": 401}.get(who, 200 if who in STAFF else 403)


# --- CRUD by an admin ---------------------------------------------------------------------------


def test_admin_creates_and_reads_a_calendar(personas):
    client = client_for(personas.admin)
    # when
    created = send(client, "POST", "/calendars", NEW_CALENDAR)
    # then
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Oslo desk"
    assert (body["time_zone"], body["country"], body["subdivision"], body["is_default"]) == (
        "Europe/Oslo",
        "NO",
        "",
        False,
    )
    assert body["opening_hours"][0] == {"weekday": 0, "opens": "08:00:00", "closes": "16:00:00"}
    assert len(body["opening_hours"]) == 5
    assert body["closed_days"] == [{"date": "2026-12-24", "name": "Christmas Eve"}]
    assert send(client, "GET", f"/calendars/{body['id']}").json() == body


def test_admin_lists_calendars_within_a_query_ceiling(personas):
    for name in ("Alpha desk", "Beta desk", "Gamma desk"):
        ClosedDayFactory.create(calendar=office_calendar(name=name), date="2026-12-24")
    client = client_for(personas.admin)
    with assert_max_queries(8):
        response = send(client, "GET", "/calendars?limit=2")
    body = response.json()
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 0)
    assert [item["name"] for item in body["items"]] == ["Alpha desk", "Beta desk"]
    assert body["items"][0]["closed_days"] == [{"date": "2026-12-24", "name": "Office party"}]


def test_admin_patches_only_what_is_sent(personas):
    client = client_for(personas.admin)
    response = send(
        client,
        "PATCH",
        f"/calendars/{default_id()}",
        {
            "opening_hours": [
                {"weekday": 0, "opens": "08:00", "closes": "12:00"},
                {"weekday": 0, "opens": "13:00", "closes": "00:00"},
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Office hours NL"
    assert body["opening_hours"] == [
        {"weekday": 0, "opens": "08:00:00", "closes": "12:00:00"},
        {"weekday": 0, "opens": "13:00:00", "closes": "00:00:00"},
    ]


def test_admin_moves_the_default_and_deletes_the_old_one(personas):
    client = client_for(personas.admin)
    old_default = default_id()
    new = send(client, "POST", "/calendars", {**NEW_CALENDAR, "is_default": True}).json()
    assert new["is_default"] is True
    # the Standard SLA policy still runs on the old calendar, so it cannot go yet
    refused = send(client, "DELETE", f"/calendars/{old_default}")
    assert (refused.status_code, refused.json()["code"]) == (422, "calendar.in_use")
    standard = SlaPolicy.objects.get(name="Standard")
    assert send(client, "PATCH", f"/sla-policies/{standard.pk}", {"calendar": new["id"]}).status_code == 200
    assert send(client, "DELETE", f"/calendars/{old_default}").status_code == 204
    assert list(BusinessCalendar.objects.values_list("name", flat=True)) == ["Oslo desk"]


def test_an_integration_token_works_too(personas):
    response = send(token_client(personas.admin), "POST", "/calendars", NEW_CALENDAR)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "body", "code", "field"),
    [
        ("POST", {**NEW_CALENDAR, "time_zone": "Europe/Atlantis"}, "calendar.unknown_time_zone", "time_zone"),
        ("POST", {**NEW_CALENDAR, "country": "XX"}, "calendar.unknown_country", "country"),
        ("POST", {**NEW_CALENDAR, "name": "Office hours NL"}, "calendar.name_taken", "name"),
        (
            "POST",
            {**NEW_CALENDAR, "opening_hours": [{"weekday": 0, "opens": "09:00", "closes": "08:00"}]},
            "calendar.closes_before_opens",
            "opening_hours",
        ),
        (
            "POST",
            {**NEW_CALENDAR, "opening_hours": [{"weekday": 9, "opens": "09:00", "closes": "10:00"}]},
            "calendar.invalid_weekday",
            "opening_hours",
        ),
        (
            "POST",
            {**NEW_CALENDAR, "opening_hours": [{"weekday": 0, "opens": "nine"}]},
            "invalid",
            "opening_hours.0.opens",
        ),
        ("POST", {"name": "No zone"}, "invalid", "time_zone"),
        ("PATCH", {"is_default": False}, "calendar.default_required", "is_default"),
        ("PATCH", {"name": None}, "invalid", "name"),
        ("PATCH", {"holidays": "none"}, "invalid", "holidays"),
        ("DELETE", None, "calendar.default_not_deletable", None),
    ],
)
def test_invalid_input_is_422_with_a_code_and_changes_nothing(personas, method, body, code, field):
    before = snapshot()
    path = "/calendars" if method == "POST" else f"/calendars/{default_id()}"
    response = send(client_for(personas.admin), method, path, body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json().get("field") == field
    assert snapshot() == before


# --- business minutes -----------------------------------------------------------------------------


def test_business_minutes_between_two_instants(personas):
    # given the default calendar, Friday 15:50 to Tuesday 08:20 around King's Day (Monday)
    path = query(
        f"/calendars/{default_id()}/business-minutes", start="2026-04-24T15:50:00+02:00", end="2026-04-28T06:20:00Z"
    )
    # when
    response = send(client_for(personas.agent_l1), "GET", path)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "calendar": default_id(),
        "start": "2026-04-24T15:50:00+02:00",
        "end": "2026-04-28T06:20:00Z",
        "minutes": 30,
    }


def test_adding_business_minutes_answers_in_utc(personas):
    path = query(f"/calendars/{default_id()}/add", start="2026-04-24T15:50:00+02:00", minutes=30)
    response = send(client_for(personas.agent_l1), "GET", path)
    assert response.status_code == 200
    assert response.json()["result"] == "2026-04-28T06:20:00Z"
    assert response.json()["minutes"] == 30


@pytest.mark.parametrize(
    ("path", "code", "field"),
    [
        ("/business-minutes?start=2026-04-24T15:50:00&end=2026-04-28T06:20:00Z", "invalid", "start"),
        ("/business-minutes?start=2026-04-24T15:50:00Z", "invalid", "end"),
        ("/business-minutes?start=2026-01-01T00:00:00Z&end=2036-01-01T00:00:00Z", "calendar.range_too_long", "end"),
        ("/add?start=2026-04-24T15:50:00Z&minutes=1000001", "invalid", "minutes"),
        ("/add?start=1800-01-01T00:00:00Z&minutes=1", "calendar.out_of_range", "start"),
    ],
)
def test_business_minute_questions_are_checked(personas, path, code, field):
    response = send(client_for(personas.agent_l1), "GET", f"/calendars/{default_id()}{path}")
    assert response.status_code == 422
    assert (response.json()["code"], response.json().get("field")) == (code, field)


def test_a_calendar_that_is_never_open_says_so(personas):
    never = BusinessCalendar.objects.create(name="Never", time_zone="UTC")
    path = query(f"/calendars/{never.pk}/add", start="2026-04-24T15:50:00Z", minutes=1)
    response = send(client_for(personas.agent_l1), "GET", path)
    assert response.status_code == 422
    assert response.json()["code"] == "calendar.no_opening_hours"


def test_asking_an_unknown_calendar_is_404(personas):
    path = query("/calendars/999999/add", start="2026-04-24T15:50:00Z", minutes=1)
    response = send(client_for(personas.agent_l1), "GET", path)
    assert response.status_code == 404
    assert response.json()["code"] == "calendar.not_found"


def test_the_openapi_document_lists_the_calendar_endpoints(db):
    paths = send(client_for(None), "GET", "/openapi.json").json()["paths"]
    assert {
        "/api/v1/calendars",
        "/api/v1/calendars/{calendar_id}",
        "/api/v1/calendars/{calendar_id}/business-minutes",
        "/api/v1/calendars/{calendar_id}/add",
    } <= set(paths)
