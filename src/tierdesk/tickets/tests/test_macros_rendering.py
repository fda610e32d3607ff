"""Rendering a macro's text (tickets/macros.py): every placeholder, and everything else literal.

Pure: no database. Security catalogue B12: no template engine and no str.format on user text."""

from __future__ import annotations

import pytest

from tierdesk.tickets.macros import PLACEHOLDER_HELP, PLACEHOLDERS, render

VALUES = {
    "customer_name": "Anna Vermeulen",
    "ticket_number": "TD#100042",
    "ticket_subject": "Printer offline on floor 2",
    "agent_name": "Lena Example",
    "organisation": "Harbour Freight Systems",
}


@pytest.mark.parametrize(("placeholder", "value"), list(VALUES.items()))
def test_each_placeholder_is_replaced(placeholder, value):
    # when
    text = render(f"<{{{placeholder}}}>", VALUES)
    # then
    assert text == f"<{value}>"


def test_a_whole_reply_with_every_placeholder():
    # given
    body = (
        "Dear {customer_name},\n\nabout {ticket_number} ({ticket_subject}) at {organisation}: "
        "the printer works again.\n\n{agent_name}, {customer_name}'s service desk"
    )
    # when
    text = render(body, VALUES)
    # then
    assert text == (
        "Dear Anna Vermeulen,\n\nabout TD#100042 (Printer offline on floor 2) at Harbour Freight Systems: "
        "the printer works again.\n\nLena Example, Anna Vermeulen's service desk"
    )


def test_the_documented_placeholders_are_exactly_the_rendered_ones():
    # then
    assert PLACEHOLDERS == ("customer_name", "ticket_number", "ticket_subject", "agent_name", "organisation")
    for name in PLACEHOLDERS:
        assert f"{{{name}}}" in str(PLACEHOLDER_HELP)


@pytest.mark.parametrize(
    "body",
    [
        "{{ settings.SECRET_KEY }}",
        "{% load static %}{% debug %}",
        "{0.__class__}",
        "{0.__class__.__init__.__globals__}",
        "{customer_name.__class__}",
        "{ customer_name }",
        "{Customer_Name}",
        "{unknown}",
        "{}",
        "{",
        "}",
        "%(customer_name)s and $customer_name",
        "{{",
    ],
)
def test_template_syntax_and_unknown_placeholders_come_out_literally(body):
    # when
    text = render(body, VALUES)
    # then
    assert text == body


def test_unknown_placeholders_beside_known_ones_stay_as_typed():
    # when
    text = render("Hello {customer_name}, your {contract_id} is {ticket_number}.", VALUES)
    # then
    assert text == "Hello Anna Vermeulen, your {contract_id} is TD#100042."


def test_values_are_not_rendered_again():
    # given a customer whose subject looks like placeholders and template code
    values = {**VALUES, "ticket_subject": "{agent_name} {{ settings.SECRET_KEY }} {0.__class__}"}
    # when
    text = render("Re: {ticket_subject}", values)
    # then
    assert text == "Re: {agent_name} {{ settings.SECRET_KEY }} {0.__class__}"


def test_a_missing_value_renders_empty():
    # when
    text = render("Dear {customer_name},", {})
    # then
    assert text == "Dear ,"
