"""SLA policies: the Standard policy from the data migration, the services' rules (targets for
every priority, one default, one policy per organisation), the policy for an organisation, the
deadlines in business time, calendars in use, and the admin-only API with its role matrix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tierdesk.accounts.errors import NotAllowed
from tierdesk.accounts.tests.api_support import ROLES, client_for, send
from tierdesk.core.errors import ValidationFailed
from tierdesk.sla.errors import SlaPolicyInvalid, SlaUnavailable
from tierdesk.sla.models import BusinessCalendar, SlaPolicy, SlaTarget
from tierdesk.sla.selectors import deadlines, policy_for_organisation
from tierdesk.sla.services import TargetValues, calendar_delete, policy_create, policy_delete, policy_update
from tierdesk.sla.tests.factories import BusinessCalendarFactory, office_calendar

pytestmark = pytest.mark.django_db

# Friday 20 November 2026 in Amsterdam (UTC+1): 15:00 and 15:30 local time.
FRIDAY_1500 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
FRIDAY_1530 = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def targets(response: int = 30, resolution: int = 120) -> list[TargetValues]:
    return [TargetValues(priority, response, resolution) for priority in ("p1", "p2", "p3", "p4", "p5")]


def standard() -> SlaPolicy:
    return SlaPolicy.objects.get(name="Standard")


def api_targets(response: int = 30, resolution: int = 120) -> list[dict[str, object]]:
    return [
        {"priority": priority, "first_response_minutes": response, "resolution_minutes": resolution}
        for priority in ("p1", "p2", "p3", "p4", "p5")
    ]


def policy_state() -> list[tuple[object, ...]]:
    policies = SlaPolicy.objects.values_list("pk", "name", "calendar_id", "organisation_id", "is_default")
    rows = SlaTarget.objects.values_list("policy_id", "priority", "first_response_minutes", "resolution_minutes")
    return sorted(policies) + sorted(rows)


# --- the Standard policy -------------------------------------------------------------------------


def test_the_migration_makes_standard_the_default_on_the_default_calendar():
    policy = standard()
    assert (policy.is_default, policy.calendar.is_default, policy.organisation_id, policy.warning_percent) == (
        True,
        True,
        None,
        80,
    )
    assert sorted(policy.targets.values_list("priority", "first_response_minutes", "resolution_minutes")) == [
        ("p1", 15, 240),
        ("p2", 60, 480),
        ("p3", 240, 1440),
        ("p4", 480, 2400),
        ("p5", 960, 4800),
    ]


def test_deadlines_run_in_business_time():
    # a P1 at Friday 15:00: respond by 15:15; resolve in 240 business minutes: Monday 11:00
    assert deadlines(standard(), "p1", FRIDAY_1500) == (
        datetime(2026, 11, 20, 14, 15, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    # a P2 at Friday 15:30: 30 minutes on Friday, 30 on Monday from 08:00
    first, _ = deadlines(standard(), "p2", FRIDAY_1530)
    assert first == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def test_deadlines_add_the_paused_business_time():
    first, resolution = deadlines(standard(), "p1", FRIDAY_1500, paused_seconds=30 * 60)
    assert (first, resolution) == (
        datetime(2026, 11, 20, 14, 45, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
    )


def test_a_calendar_that_is_never_open_gives_no_deadlines(personas):
    policy = policy_create(
        by=personas.admin, name="Closed", calendar_id=BusinessCalendarFactory.create().pk, targets=targets()
    )
    with pytest.raises(SlaUnavailable):
        deadlines(policy, "p1", FRIDAY_1500)


# --- which policy applies ------------------------------------------------------------------------


def test_an_organisations_own_policy_wins_over_the_default(personas):
    own = policy_create(
        by=personas.admin,
        name="Harbour gold",
        calendar_id=office_calendar().pk,
        organisation_id=personas.org_a.pk,
        targets=targets(),
    )
    assert policy_for_organisation(personas.org_a.pk) == own
    assert policy_for_organisation(personas.org_b.pk) == standard()
    assert policy_for_organisation(None) == standard()


def test_without_a_default_an_organisation_without_its_own_has_none(personas):
    policy_update(by=personas.admin, policy=standard(), is_default=False)
    assert policy_for_organisation(personas.org_b.pk) is None


# --- services ------------------------------------------------------------------------------------


def test_a_new_default_takes_over(personas):
    new = policy_create(
        by=personas.admin, name="Premium", calendar_id=office_calendar().pk, targets=targets(), is_default=True
    )
    assert list(SlaPolicy.objects.filter(is_default=True)) == [new]


def test_update_replaces_targets_and_changes_fields(personas):
    policy = policy_update(
        by=personas.admin, policy=standard(), name="Basic", warning_percent=60, targets=targets(5, 50)
    )
    assert (policy.name, policy.warning_percent) == ("Basic", 60)
    assert set(policy.targets.values_list("first_response_minutes", "resolution_minutes")) == {(5, 50)}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": " "}, "sla_policy.name_required"),
        ({"name": "x" * 101}, "sla_policy.too_long"),
        ({"name": "standard"}, "sla_policy.name_taken"),
        ({"calendar_id": 999_999}, "sla_policy.unknown_calendar"),
        ({"organisation_id": 999_999}, "sla_policy.unknown_organisation"),
        ({"warning_percent": 100}, "sla_policy.invalid_warning_percent"),
        ({"warning_percent": 0}, "sla_policy.invalid_warning_percent"),
        ({"targets": targets()[:4]}, "sla_policy.targets_incomplete"),
        ({"targets": [*targets()[:4], TargetValues("p4", 1, 1)]}, "sla_policy.targets_incomplete"),
        ({"targets": targets(0, 10)}, "sla_policy.invalid_target"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(personas, changes, code):
    before = policy_state()
    values = {"name": "New", "calendar_id": office_calendar().pk, "targets": targets(), **changes}
    with pytest.raises(SlaPolicyInvalid) as raised:
        policy_create(by=personas.admin, **values)
    assert raised.value.code == code
    assert policy_state() == before


def test_an_organisation_has_one_policy_at_most(personas):
    calendar_id = office_calendar().pk
    policy_create(
        by=personas.admin, name="A", calendar_id=calendar_id, organisation_id=personas.org_a.pk, targets=targets()
    )
    with pytest.raises(SlaPolicyInvalid) as raised:
        policy_create(
            by=personas.admin, name="B", calendar_id=calendar_id, organisation_id=personas.org_a.pk, targets=targets()
        )
    assert raised.value.code == "sla_policy.organisation_taken"


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "customer_admin_a"])
def test_only_admins_write_policies(personas, who):
    with pytest.raises(NotAllowed):
        policy_update(by=getattr(personas, who), policy=standard(), name="Mine")
    assert standard().name == "Standard"


def test_a_calendar_used_by_a_policy_cannot_be_deleted(personas):
    calendar = office_calendar(name="Harbour desk")
    policy_create(by=personas.admin, name="Harbour", calendar_id=calendar.pk, targets=targets())
    with pytest.raises(ValidationFailed) as raised:
        calendar_delete(by=personas.admin, calendar=calendar)
    assert raised.value.code == "calendar.in_use"
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()


def test_a_policy_without_tickets_can_be_deleted(personas):
    policy = policy_create(by=personas.admin, name="Spare", calendar_id=office_calendar().pk, targets=targets())
    policy_delete(by=personas.admin, policy=policy)
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()
    assert not SlaTarget.objects.filter(policy_id=policy.pk).exists()


# --- API -----------------------------------------------------------------------------------------


def admin_only(who: str, success: int) -> int:
    return {"anonymous": 401, "admin": success}.get(who, 403)


@pytest.mark.parametrize("who", ROLES)
def test_api_list_and_get_roles(personas, who):
    client = client_for(getattr(personas, who))
    assert send(client, "GET", "/sla-policies").status_code == admin_only(who, 200)
    assert send(client, "GET", f"/sla-policies/{standard().pk}").status_code == admin_only(who, 200)


@pytest.mark.parametrize("who", ROLES)
def test_api_write_roles(personas, who):
    client = client_for(getattr(personas, who))
    calendar_id = office_calendar().pk
    before = policy_state()
    body = {"name": "Premium", "calendar": calendar_id, "targets": api_targets()}
    created = send(client, "POST", "/sla-policies", body)
    patched = send(client, "PATCH", f"/sla-policies/{standard().pk}", {"warning_percent": 50})
    assert (created.status_code, patched.status_code) == (admin_only(who, 201), admin_only(who, 200))
    if who != "admin":
        assert policy_state() == before
        assert send(client, "DELETE", f"/sla-policies/{standard().pk}").status_code == admin_only(who, 204)
        assert policy_state() == before


def test_api_crud_by_an_admin(personas):
    client = client_for(personas.admin)
    calendar_id = office_calendar().pk
    body = {
        "name": "Harbour gold",
        "calendar": calendar_id,
        "organisation": personas.org_a.pk,
        "warning_percent": 75,
        "targets": api_targets(10, 100),
    }
    created = send(client, "POST", "/sla-policies", body)
    assert created.status_code == 201
    policy = created.json()
    assert (policy["name"], policy["calendar"], policy["organisation"], policy["is_default"]) == (
        "Harbour gold",
        calendar_id,
        personas.org_a.pk,
        False,
    )
    assert policy["targets"][0] == {
        "priority": "p1",
        "first_response_minutes": 10,
        "resolution_minutes": 100,
        "next_update_minutes": None,
    }
    # the organisation is let go with null
    patched = send(client, "PATCH", f"/sla-policies/{policy['id']}", {"organisation": None, "is_default": True})
    assert (patched.status_code, patched.json()["organisation"], patched.json()["is_default"]) == (200, None, True)
    assert standard().is_default is False
    listed = send(client, "GET", "/sla-policies").json()
    assert [item["name"] for item in listed["items"]] == ["Harbour gold", "Standard"]
    standard_id = standard().pk
    assert send(client, "DELETE", f"/sla-policies/{standard_id}").status_code == 204
    assert send(client, "GET", f"/sla-policies/{standard_id}").status_code == 404


def test_api_validation_codes(personas):
    client = client_for(personas.admin)
    response = send(client, "POST", "/sla-policies", {"name": "X", "calendar": 999_999, "targets": api_targets()})
    assert (response.status_code, response.json()["code"]) == (422, "sla_policy.unknown_calendar")
    response = send(client, "PATCH", f"/sla-policies/{standard().pk}", {"name": None})
    assert response.status_code == 422
    assert standard().name == "Standard"
