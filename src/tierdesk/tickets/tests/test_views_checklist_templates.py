"""Checklist templates in the desk: every staff member reads the active ones; administrators and
case managers also see the inactive ones and add, change, deactivate and reactivate them (the
services' rule); the services' errors are shown on the form with nothing saved; customers and
anonymous visitors never reach the page; the list's query count does not grow with templates."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.tests.api_support import client_for
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Category, ChecklistTemplate
from tierdesk.tickets.services import checklist_template_create

pytestmark = pytest.mark.django_db

LIST = "/desk/checklist-templates/"
NEW = "/desk/checklist-templates/new/"
HTMX = {"HX-Request": "true"}


def detail_url(template: ChecklistTemplate) -> str:
    return f"{LIST}{template.pk}/"


def active_url(template: ChecklistTemplate) -> str:
    return f"{LIST}{template.pk}/active/"


@pytest.fixture
def printing() -> Category:
    return Category.objects.create(name="Printing")


@pytest.fixture
def template(personas: Any, printing: Category) -> ChecklistTemplate:
    return checklist_template_create(
        by=personas.case_manager, name="Printer visit", category=printing, items=["Check toner", "Print a test page"]
    )


@pytest.fixture
def retired(personas: Any) -> ChecklistTemplate:
    return checklist_template_create(by=personas.admin, name="Fax setup", items=["Dial tone"], is_active=False)


def snapshot() -> list[tuple[str, int | None, bool, list[str]]]:
    """Every template with its items, to show that a refused request changed nothing."""
    return [
        (t.name, t.category_id, t.is_active, [item.text for item in t.items.all()])
        for t in ChecklistTemplate.objects.prefetch_related("items").order_by("pk")
    ]


def items_of(template: ChecklistTemplate) -> list[str]:
    return list(template.items.order_by("position").values_list("text", flat=True))


# --- who may -----------------------------------------------------------------------------------


def test_agents_read_the_active_templates_without_any_control(personas, template, retired):
    response = client_for(personas.agent_l1).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="checklist-template-{template.pk}"' in html
    assert "<li>Check toner</li><li>Print a test page</li>" in html
    assert "Printing" in html
    assert f'data-testid="checklist-template-{retired.pk}"' not in html  # inactive: managers only
    assert 'data-testid="checklist-template-new"' not in html
    assert f'data-testid="checklist-template-link-{template.pk}"' not in html
    assert f'data-testid="checklist-template-toggle-{template.pk}"' not in html
    assert 'data-testid="nav-checklist-templates" aria-current="page"' in html


@pytest.mark.parametrize("who", ["agent_l1", "agent_l2"])
def test_agents_may_not_add_change_or_deactivate(personas, template, who):
    client = client_for(getattr(personas, who))
    before = snapshot()
    assert client.get(NEW).status_code == 403
    assert client.get(detail_url(template)).status_code == 403
    assert client.post(NEW, {"name": "Mine", "items": "One"}).status_code == 403
    assert client.post(detail_url(template), {"name": "Changed", "items": "One"}).status_code == 403
    assert client.post(active_url(template), {"is_active": "0"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["case_manager", "admin"])
def test_managers_see_every_template_with_its_controls(personas, template, retired, who):
    html = client_for(getattr(personas, who)).get(LIST).content.decode()
    assert f'data-testid="checklist-template-{retired.pk}"' in html
    assert 'data-testid="checklist-template-new"' in html
    assert f'data-testid="checklist-template-link-{template.pk}"' in html
    assert f'data-testid="checklist-template-toggle-{retired.pk}"' in html
    assert client_for(getattr(personas, who)).get(detail_url(template)).status_code == 200


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_are_sent_away_and_refused(personas, template, who):
    client = client_for(getattr(personas, who))
    before = snapshot()
    for url in (LIST, NEW, detail_url(template)):
        response = client.get(url)
        # The desk's gate sends a customer's page request to the portal, never to the page.
        assert (response.status_code, response["Location"]) == (302, "/")
    assert client.post(NEW, {"name": "Mine", "items": "One"}).status_code == 403
    assert client.post(detail_url(template), {"name": "Mine", "items": "One"}).status_code == 403
    assert client.post(active_url(template), {"is_active": "0"}).status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(personas, template):
    client = Client()
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert client.post(NEW, {"name": "Mine", "items": "One"}).status_code == 302
    assert not ChecklistTemplate.objects.exclude(pk=template.pk).exists()


def test_an_unknown_template_is_404(personas):
    assert client_for(personas.case_manager).get(f"{LIST}999999/").status_code == 404
    assert client_for(personas.case_manager).post(f"{LIST}999999/active/", {"is_active": "0"}).status_code == 404


# --- creating and changing ---------------------------------------------------------------------


def test_a_case_manager_adds_a_template_one_item_per_line_in_order(personas, printing):
    client = client_for(personas.case_manager)
    form = client.get(NEW).content.decode()
    assert 'name="items"' in form
    response = client.post(
        NEW,
        {
            "name": "  Printer visit  ",
            "category": str(printing.pk),
            "items": "Check toner\r\n\r\nPrint a test page\n  Ask the customer  \n",
            "is_active": "on",
        },
    )
    assert (response.status_code, response["Location"]) == (302, LIST)
    template = ChecklistTemplate.objects.get()
    assert (template.name, template.category, template.is_active) == ("Printer visit", printing, True)
    assert items_of(template) == ["Check toner", "Print a test page", "Ask the customer"]
    assert template.created_by == personas.case_manager
    page = client.get(LIST).content.decode()
    assert "Checklist template “Printer visit” added." in page


def test_an_administrator_changes_name_category_items_and_state(personas, template):
    client = client_for(personas.admin)
    form = client.get(detail_url(template)).content.decode()
    assert "Check toner\nPrint a test page</textarea>" in form  # the items, one per line
    assert 'value="Printer visit"' in form
    response = client.post(
        detail_url(template), {"name": "Printer call", "category": "", "items": "Print a test page\nCheck toner\nDone"}
    )
    assert (response.status_code, response["Location"]) == (302, LIST)
    template.refresh_from_db()
    assert (template.name, template.category, template.is_active) == ("Printer call", None, False)
    assert items_of(template) == ["Print a test page", "Check toner", "Done"]


def test_deactivating_and_reactivating_from_the_list(personas, template):
    client = client_for(personas.case_manager)
    response = client.post(active_url(template), {"is_active": "0"})
    assert (response.status_code, response["Location"]) == (302, LIST)
    template.refresh_from_db()
    assert template.is_active is False
    # the same request again (a double click) leaves it deactivated
    client.post(active_url(template), {"is_active": "0"})
    template.refresh_from_db()
    assert template.is_active is False
    # htmx answers with the list, the row showing the new state
    response = client.post(active_url(template), {"is_active": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'data-testid="checklist-template-{template.pk}" data-active="true"' in html
    template.refresh_from_db()
    assert template.is_active is True
    assert items_of(template) == ["Check toner", "Print a test page"]  # items untouched


# --- the services' errors on the form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        ({"name": "", "items": "One"}, "checklist.template_name_required", "A checklist template needs a name."),
        ({"name": "Cabling", "items": " \n\n"}, "checklist.template_items_required", "needs at least one item"),
        ({"name": "Cabling", "items": "x" * 501}, "checklist.text_too_long", "at most 500 characters"),
        ({"name": "x" * 101, "items": "One"}, "checklist.template_name_too_long", "at most 100 characters"),
        ({"name": "printer VISIT", "items": "One"}, "checklist.template_duplicate", "exists already"),
    ],
)
def test_refused_input_is_shown_on_the_form_and_nothing_is_saved(personas, template, data, code, message):
    before = snapshot()
    response = client_for(personas.case_manager).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'data-error-code="{code}"' in html
    assert message in html
    assert '<p class="field-error" role="alert">' in html  # next to its field too
    assert snapshot() == before


def test_a_refused_change_keeps_what_was_typed(personas, template):
    checklist_template_create(by=personas.admin, name="Cabling", items=["Label both ends"])
    before = snapshot()
    response = client_for(personas.admin).post(
        detail_url(template), {"name": "Cabling", "items": "First step\nSecond step", "is_active": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-error-code="checklist.template_duplicate"' in html
    assert "First step\nSecond step</textarea>" in html
    assert snapshot() == before


def test_an_unknown_category_is_refused_by_the_form(personas):
    response = client_for(personas.admin).post(NEW, {"name": "Cabling", "category": "999999", "items": "One"})
    assert response.status_code == 422
    assert not ChecklistTemplate.objects.exists()


# --- the list's cost ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_l1", "case_manager"])
def test_the_list_query_count_does_not_grow_with_templates(personas, printing, who):
    client = client_for(getattr(personas, who))
    checklist_template_create(by=personas.admin, name="Template 00", category=printing, items=["One"])
    with assert_max_queries(6) as few:
        client.get(LIST)
    for number in range(1, 15):
        checklist_template_create(
            by=personas.admin,
            name=f"Template {number:02d}",
            category=Category.objects.create(name=f"Category {number:02d}"),
            items=["One", "Two", "Three"],
        )
    with assert_max_queries(6) as many:
        html = client.get(LIST).content.decode()
    assert html.count('data-testid="checklist-template-items-') == 15
    assert len(many.captured_queries) == len(few.captured_queries)
