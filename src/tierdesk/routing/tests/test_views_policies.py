"""Assignment policies in the desk: every staff member reads them (mode, level, category, maximum,
language, active, and who the round robin gave the last ticket to); administrators add, change and
delete them (routing/permissions.py), with the services' errors on the form and nothing saved;
customers and anonymous visitors never reach the page; the list's query count is fixed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tierdesk.accounts.choices import Level
from tierdesk.accounts.tests.api_support import client_for
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.routing.choices import AssignmentMode
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.routing.tests.factories import make_policy
from tierdesk.tickets.models import Category

pytestmark = pytest.mark.django_db

LIST = "/desk/routing/policies/"
NEW = "/desk/routing/policies/new/"


def detail_url(policy: AssignmentPolicy) -> str:
    return f"{LIST}{policy.pk}/"


def delete_url(policy: AssignmentPolicy) -> str:
    return f"{LIST}{policy.pk}/delete/"


def form_data(**changes: Any) -> dict[str, str]:
    data = {
        "name": "Second level desk",
        "level": Level.SECOND,
        "category": "",
        "mode": AssignmentMode.LEAST_LOADED,
        "max_open_tickets": "7",
        "respect_language": "on",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def printing() -> Category:
    return Category.objects.create(name="Printing")


@pytest.fixture
def policy(personas: Any) -> AssignmentPolicy:
    return make_policy(personas.admin, name="First level desk", level=Level.FIRST)


def snapshot() -> list[tuple[Any, ...]]:
    """Every policy, to show that a refused request changed nothing."""
    return list(
        AssignmentPolicy.objects.order_by("pk").values_list(
            "name", "level", "category_id", "mode", "max_open_tickets", "respect_language", "is_active"
        )
    )


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_l1", "agent_l2", "case_manager"])
def test_staff_read_the_policies_without_any_control(personas, policy, printing, who):
    category_policy = make_policy(
        personas.admin, name="Printing queue", level=Level.FIRST, category_id=printing.pk, mode=AssignmentMode.OFF
    )
    AssignmentPolicy.objects.filter(pk=policy.pk).update(
        last_assigned_user=personas.agent_l2, last_assigned_at=timezone.now()
    )
    response = client_for(getattr(personas, who)).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="policy-{policy.pk}"' in html
    assert f'data-testid="policy-{category_policy.pk}"' in html
    assert f'<td data-testid="policy-mode-{policy.pk}">Round robin</td>' in html
    assert f'<td data-testid="policy-mode-{category_policy.pk}">Off (assign by hand)</td>' in html
    assert "First level" in html
    assert "Printing" in html
    assert "Every category" in html
    last = html.split(f'data-testid="policy-last-{policy.pk}">')[1].split("</td>")[0]
    assert personas.agent_l2.display_name in last
    assert "<time" in last
    assert html.split(f'data-testid="policy-last-{category_policy.pk}">')[1].split("</td>")[0].strip() == "—"
    assert 'data-testid="policy-new"' not in html
    assert f'data-testid="policy-link-{policy.pk}"' not in html
    assert f'data-testid="policy-delete-{policy.pk}"' not in html
    assert 'data-testid="nav-assignment-policies" aria-current="page"' in html


@pytest.mark.parametrize("who", ["agent_l1", "case_manager"])
def test_staff_who_are_not_administrators_may_not_change_anything(personas, policy, who):
    client = client_for(getattr(personas, who))
    before = snapshot()
    assert client.get(NEW).status_code == 403
    assert client.get(detail_url(policy)).status_code == 403
    assert client.get(delete_url(policy)).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert client.post(detail_url(policy), form_data(level=Level.FIRST)).status_code == 403
    assert client.post(delete_url(policy)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_are_sent_away_and_refused(personas, policy, who):
    client = client_for(getattr(personas, who))
    before = snapshot()
    for url in (LIST, NEW, detail_url(policy), delete_url(policy)):
        response = client.get(url)
        # The desk's gate sends a customer's page request to the portal, never to the page.
        assert (response.status_code, response["Location"]) == (302, "/")
    assert client.post(NEW, form_data()).status_code == 403
    assert client.post(detail_url(policy), form_data(level=Level.FIRST)).status_code == 403
    assert client.post(delete_url(policy)).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(personas, policy):
    client = Client()
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert client.post(delete_url(policy)).status_code == 302
    assert AssignmentPolicy.objects.filter(pk=policy.pk).exists()


def test_the_administrator_sees_the_controls_and_an_unknown_policy_is_404(personas, policy):
    client = client_for(personas.admin)
    html = client.get(LIST).content.decode()
    assert 'data-testid="policy-new"' in html
    assert f'data-testid="policy-link-{policy.pk}"' in html
    assert f'data-testid="policy-delete-{policy.pk}"' in html
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.post(f"{LIST}999999/delete/").status_code == 404


def test_an_empty_list_says_tickets_are_assigned_by_hand(personas):
    html = client_for(personas.agent_l1).get(LIST).content.decode()
    assert 'data-testid="no-policies"' in html


# --- creating, changing, deleting ----------------------------------------------------------------


def test_an_administrator_adds_a_policy(personas, printing):
    client = client_for(personas.admin)
    form = client.get(NEW).content.decode()
    assert 'name="max_open_tickets"' in form
    assert 'value="10"' in form  # the model's default
    response = client.post(NEW, form_data(category=str(printing.pk)))
    assert (response.status_code, response["Location"]) == (302, LIST)
    policy = AssignmentPolicy.objects.get()
    assert (
        policy.name,
        policy.level,
        policy.category,
        policy.mode,
        policy.max_open_tickets,
        policy.respect_language,
        policy.is_active,
    ) == ("Second level desk", Level.SECOND, printing, AssignmentMode.LEAST_LOADED, 7, True, True)
    assert "Assignment policy “Second level desk” added." in client.get(LIST).content.decode()


def test_an_administrator_changes_a_policy_and_the_cursor_stays(personas, policy, printing):
    AssignmentPolicy.objects.filter(pk=policy.pk).update(last_assigned_user=personas.agent_l1)
    client = client_for(personas.admin)
    form = client.get(detail_url(policy)).content.decode()
    assert 'value="First level desk"' in form
    response = client.post(
        detail_url(policy),
        form_data(
            name="First level printing",
            level=Level.FIRST,
            category=str(printing.pk),
            mode=AssignmentMode.ROUND_ROBIN,
            max_open_tickets="3",
            respect_language=None,
            is_active=None,
        ),
    )
    assert (response.status_code, response["Location"]) == (302, LIST)
    policy.refresh_from_db()
    assert (
        policy.name,
        policy.category,
        policy.mode,
        policy.max_open_tickets,
        policy.respect_language,
        policy.is_active,
        policy.last_assigned_user,
    ) == ("First level printing", printing, AssignmentMode.ROUND_ROBIN, 3, False, False, personas.agent_l1)


def test_an_administrator_deletes_a_policy_after_confirming(personas, policy):
    client = client_for(personas.admin)
    confirm = client.get(delete_url(policy))
    assert confirm.status_code == 200
    assert 'data-testid="policy-delete-confirm"' in confirm.content.decode()
    assert AssignmentPolicy.objects.filter(pk=policy.pk).exists()  # asking deletes nothing
    response = client.post(delete_url(policy))
    assert (response.status_code, response["Location"]) == (302, LIST)
    assert not AssignmentPolicy.objects.filter(pk=policy.pk).exists()
    assert "Assignment policy “First level desk” deleted." in client.get(LIST).content.decode()


# --- the services' errors on the form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "code", "message"),
    [
        ({"name": " "}, 422, "routing.policy_invalid", "Give the policy a name"),
        ({"max_open_tickets": "0"}, 422, "routing.policy_invalid", "The maximum of open tickets is a number"),
        ({"max_open_tickets": "1001"}, 422, "routing.policy_invalid", "The maximum of open tickets is a number"),
        ({"level": Level.FIRST}, 409, "routing.policy_exists", "has an assignment policy already"),
    ],
)
def test_refused_input_is_shown_on_the_form_and_nothing_is_saved(personas, policy, changes, status, code, message):
    before = snapshot()
    response = client_for(personas.admin).post(NEW, form_data(**changes))
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-error-code="{code}"' in html
    assert message in html
    assert '<p class="field-error" role="alert">' in html  # next to its field too
    assert snapshot() == before


def test_a_refused_change_keeps_what_was_typed(personas, policy):
    second = make_policy(personas.admin, name="Second level desk", level=Level.SECOND)
    before = snapshot()
    response = client_for(personas.admin).post(detail_url(second), form_data(name="Moved", level=Level.FIRST))
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-error-code="routing.policy_exists"' in html
    assert 'value="Moved"' in html
    assert snapshot() == before


@pytest.mark.parametrize("changes", [{"level": "third"}, {"mode": "lottery"}, {"max_open_tickets": "many"}])
def test_input_of_the_wrong_shape_is_refused_by_the_form(personas, changes):
    response = client_for(personas.admin).post(NEW, form_data(**changes))
    assert response.status_code == 422
    assert '<p class="field-error" role="alert">' in response.content.decode()
    assert not AssignmentPolicy.objects.exists()


# --- the list's cost ---------------------------------------------------------------------------


def test_the_list_query_count_does_not_grow_with_policies(personas, policy):
    client = client_for(personas.agent_l1)
    with assert_max_queries(5) as few:
        client.get(LIST)
    now = timezone.now()
    for number in range(12):
        category = Category.objects.create(name=f"Category {number:02d}")
        extra = make_policy(personas.admin, name=f"Queue {number:02d}", level=Level.SECOND, category_id=category.pk)
        AssignmentPolicy.objects.filter(pk=extra.pk).update(last_assigned_user=personas.agent_l2, last_assigned_at=now)
    with assert_max_queries(5) as many:
        html = client.get(LIST).content.decode()
    assert html.count('data-testid="policy-mode-') == 13
    assert len(many.captured_queries) == len(few.captured_queries)
