"""Macros through their services: managing them (who may, what is refused with which code) and
applying one to a ticket (reply or note, resolution, wait, urgency/impact, tags, history, one
transaction, version check); and the macro selectors."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from tierdesk.core.errors import DomainError
from tierdesk.sla.models import SlaPolicy
from tierdesk.sla.selectors import deadlines
from tierdesk.tickets.choices import HistoryAction, Priority, Status, WaitingOn
from tierdesk.tickets.models import Comment, HistoryEvent, Macro, Ticket
from tierdesk.tickets.selectors import macro_choices, macro_get_for, macro_list_for
from tierdesk.tickets.services import (
    macro_create,
    macro_deactivate,
    macro_update,
    ticket_macro_apply,
    ticket_resolve,
    ticket_update,
)
from tierdesk.tickets.tests.api_support import ticket_state
from tierdesk.tickets.tests.factories import make_ticket

BODY = "Dear {customer_name},\n\n{ticket_number} ({ticket_subject}) is in hand.\n\n{agent_name}, {organisation}"


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer offline on floor 2")


def new_macro(personas: Any, **fields: Any) -> Macro:
    return macro_create(by=personas.case_manager, **{"name": "In hand", "language": "en", "body": BODY, **fields})


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def rendered(ticket: Ticket, agent_name: str) -> str:
    return (
        f"Dear Anna Vermeulen,\n\nTD#{ticket.number} (Printer offline on floor 2) is in hand.\n\n"
        f"{agent_name}, Harbour Freight Systems"
    )


# --- applying a macro -----------------------------------------------------------------------


def test_public_reply_macro_posts_the_rendered_text(personas, ticket):
    # given
    macro = new_macro(personas)
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1, channel="web")
    # then
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal, comment.author) == (rendered(ticket, "l1"), False, personas.agent_l1)
    assert (result.status, result.version) == (Status.OPEN, fresh(ticket).version)


def test_agent_name_is_the_display_name(personas, ticket):
    # given an agent with a full name
    personas.agent_l1.first_name, personas.agent_l1.last_name = "Lena", "Example"
    personas.agent_l1.save()
    # when
    ticket_macro_apply(ticket=ticket, macro=new_macro(personas, body="{agent_name}"), by=personas.agent_l1)
    # then
    assert Comment.objects.get(ticket=ticket).body == "Lena Example"


def test_template_injection_reaches_the_ticket_literally(personas, ticket):
    # given a body with template code, and a subject that looks like a placeholder
    body = "{{ settings.SECRET_KEY }} {% load static %} {0.__class__} {unknown} {ticket_subject}"
    ticket_update(ticket=ticket, by=personas.agent_l1, subject="{agent_name} {{ request }}")
    # when
    ticket_macro_apply(ticket=ticket, macro=new_macro(personas, body=body), by=personas.agent_l1)
    # then
    assert Comment.objects.get(ticket=ticket).body == (
        "{{ settings.SECRET_KEY }} {% load static %} {0.__class__} {unknown} {agent_name} {{ request }}"
    )


def test_a_ticket_without_requester_renders_an_empty_customer_name(personas):
    # given
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    Ticket.objects.filter(pk=ticket.pk).update(requester=None)
    # when
    ticket_macro_apply(
        ticket=fresh(ticket), macro=new_macro(personas, body="Hello {customer_name}."), by=personas.admin
    )
    # then
    assert Comment.objects.get(ticket=ticket).body == "Hello ."


def test_internal_macro_adds_an_internal_note(personas, ticket):
    # given
    macro = new_macro(personas, is_internal=True, body="Checked {ticket_number} remotely.")
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal) == (f"Checked TD#{ticket.number} remotely.", True)
    assert result.status == Status.NEW  # a note does not open the ticket, as with the note form


def test_resolving_macro_resolves_with_the_rendered_text(personas, ticket):
    # given
    macro = new_macro(personas, set_status="resolved", body="Fixed for {customer_name}.")
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    assert (result.status, result.resolution) == (Status.RESOLVED, "Fixed for Anna Vermeulen.")
    assert Comment.objects.filter(ticket=ticket).count() == 0
    resolved = HistoryEvent.objects.get(ticket=ticket, action=HistoryAction.RESOLVED)
    assert resolved.note == "Fixed for Anna Vermeulen."


@pytest.mark.parametrize(
    ("set_status", "waiting_on", "paused"),
    [("waiting_customer", WaitingOn.CUSTOMER, True), ("waiting_third_party", WaitingOn.THIRD_PARTY, False)],
)
def test_waiting_macro_replies_then_waits(personas, ticket, set_status, waiting_on, paused):
    # given
    macro = new_macro(personas, set_status=set_status, body="Could you send a photo, {customer_name}?")
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    assert (result.status, result.waiting_on, result.paused_at is not None) == (Status.WAITING, waiting_on, paused)
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal) == ("Could you send a photo, Anna Vermeulen?", False)
    statuses = list(
        HistoryEvent.objects.filter(ticket=ticket, field="status").order_by("id").values_list("old_value", "new_value")
    )
    assert statuses == [("new", "open"), ("open", "waiting")]


def test_urgency_and_impact_recompute_priority_and_deadline(personas, ticket):
    # given a P4 ticket (medium urgency, low impact)
    assert ticket.priority == Priority.P4
    macro = new_macro(personas, set_urgency="high", set_impact="high")
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    assert (result.urgency, result.impact, result.priority) == ("high", "high", Priority.P1)
    # the macro's public reply is the first response, so due_at is the P1 resolution deadline
    policy = SlaPolicy.objects.get(name="Standard")
    assert result.first_responded_at is not None
    assert (result.first_response_due, result.resolution_due) == deadlines(policy, "p1", result.created_at)
    assert result.due_at == result.resolution_due
    changed = set(
        HistoryEvent.objects.filter(ticket=ticket, action=HistoryAction.CHANGED).values_list("field", flat=True)
    )
    assert {"urgency", "impact", "priority", "due_at"} <= changed


def test_tags_are_added_to_the_tickets_own(personas):
    # given
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, tags=["printer", "floor-2"])
    macro = new_macro(personas, add_tags=["VIP", "printer"])
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    assert sorted(result.tags.values_list("name", flat=True)) == ["floor-2", "printer", "vip"]


def test_history_records_the_macro_before_its_effects(personas, ticket):
    # given
    macro = new_macro(personas, name="Photo please", set_status="waiting_customer", set_urgency="high")
    # when
    ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1, channel="api")
    # then
    rows = list(HistoryEvent.objects.filter(ticket=ticket).exclude(action=HistoryAction.CREATED).order_by("at", "id"))
    first = rows[0]
    assert (first.action, first.field, first.new_value, first.actor, first.channel, first.is_internal) == (
        HistoryAction.MACRO_APPLIED,
        "macro",
        "Photo please",
        personas.agent_l1,
        "api",
        True,
    )
    assert [row.action for row in rows[1:]] == [
        HistoryAction.CHANGED,  # urgency
        HistoryAction.CHANGED,  # priority
        HistoryAction.CHANGED,  # due_at
        HistoryAction.CHANGED,  # first_response_due (internal)
        HistoryAction.CHANGED,  # resolution_due (internal)
        HistoryAction.CHANGED,  # new -> open, by the reply
        HistoryAction.COMMENTED,
        HistoryAction.WAITING,
        HistoryAction.CHANGED,  # waiting_on
    ]
    assert all(row.channel == "api" for row in rows)


def test_the_expected_version_is_checked(personas, ticket):
    # given
    macro = new_macro(personas, set_urgency="high", set_status="waiting_customer")
    # when
    result = ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1, expected_version=1)
    # then the three services each bumped the version once
    assert result.version == 4


@pytest.mark.parametrize("fields", [{}, {"set_urgency": "high"}, {"set_status": "resolved"}])
def test_a_stale_version_is_refused_and_changes_nothing(personas, ticket, fields):
    # given
    macro = new_macro(personas, **fields)
    ticket_update(ticket=ticket, by=personas.agent_l2, subject="Printer offline on floor 3")
    before = ticket_state(ticket)
    # when
    with pytest.raises(DomainError) as refused:
        ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1, expected_version=1)
    # then
    assert (refused.value.code, refused.value.http_status) == ("ticket.version_conflict", 409)
    assert ticket_state(ticket) == before


def test_a_refused_later_step_undoes_the_earlier_ones(personas, ticket):
    # given a resolved ticket, and a macro that changes urgency and then resolves
    ticket_resolve(ticket=ticket, resolution="Restarted.", by=personas.agent_l1)
    macro = new_macro(personas, set_urgency="high", set_status="resolved")
    before = ticket_state(ticket)
    # when
    with pytest.raises(DomainError) as refused:
        ticket_macro_apply(ticket=fresh(ticket), macro=macro, by=personas.agent_l1)
    # then
    assert refused.value.code == "ticket.transition_not_allowed"
    assert ticket_state(ticket) == before


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_b", "anonymous"])
def test_customers_may_not_apply_macros(personas, ticket, who):
    # given
    macro = new_macro(personas)
    before = ticket_state(ticket)
    # when
    with pytest.raises(DomainError) as refused:
        ticket_macro_apply(ticket=ticket, macro=macro, by=getattr(personas, who))
    # then
    assert (refused.value.code, refused.value.http_status) == ("ticket.forbidden", 403)
    assert ticket_state(ticket) == before


def test_an_inactive_macro_is_refused(personas, ticket):
    # given a macro the caller read before it was deactivated
    macro = new_macro(personas)
    macro_deactivate(macro=macro, by=personas.admin)
    before = ticket_state(ticket)
    # when
    with pytest.raises(DomainError) as refused:
        ticket_macro_apply(ticket=ticket, macro=macro, by=personas.agent_l1)
    # then
    assert (refused.value.code, refused.value.field, refused.value.http_status) == ("macro.inactive", "macro", 422)
    assert ticket_state(ticket) == before


# --- managing macros ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["case_manager", "admin"])
def test_managers_create_macros(personas, who):
    # when
    macro = macro_create(
        by=getattr(personas, who),
        name="  Photo please ",
        language="nl",
        body="  Beste {customer_name}, kunt u een foto sturen?\n",
        set_status="waiting_customer",
        set_urgency="low",
        set_impact="medium",
        add_tags=[" Photo ", "photo", "Floor-2"],
    )
    # then
    row = Macro.objects.get(pk=macro.pk)
    assert (row.name, row.language, row.body, row.is_internal, row.is_active) == (
        "Photo please",
        "nl",
        "Beste {customer_name}, kunt u een foto sturen?",
        False,
        True,
    )
    assert (row.set_status, row.set_urgency, row.set_impact, row.add_tags) == (
        "waiting_customer",
        "low",
        "medium",
        ["photo", "floor-2"],
    )
    assert row.created_by == getattr(personas, who)


@pytest.mark.parametrize("who", ["agent_l1", "developer", "customer_admin_a", "customer_a", "anonymous"])
def test_others_may_not_manage_macros(personas, who):
    # given
    macro = new_macro(personas)
    user = getattr(personas, who)
    # when / then
    for call in (
        lambda: macro_create(by=user, name="Other", language="en", body="Text"),
        lambda: macro_update(macro=macro, by=user, body="Changed"),
        lambda: macro_deactivate(macro=macro, by=user),
    ):
        with pytest.raises(DomainError) as refused:
            call()
        assert (refused.value.code, refused.value.http_status) == ("macro.forbidden", 403)
    assert list(Macro.objects.values_list("name", "body", "is_active")) == [("In hand", BODY, True)]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  "}, "macro.name_required", "name"),
        ({"name": "x" * 101}, "macro.name_too_long", "name"),
        ({"language": "fr"}, "macro.invalid_language", "language"),
        ({"language": ""}, "macro.invalid_language", "language"),
        ({"body": " \n "}, "macro.body_required", "body"),
        ({"body": "x" * 100_001}, "macro.body_too_long", "body"),
        ({"set_status": "closed"}, "macro.invalid_status", "set_status"),
        ({"set_status": "waiting"}, "macro.invalid_status", "set_status"),
        ({"set_urgency": "urgent"}, "macro.invalid_urgency", "set_urgency"),
        ({"set_impact": "huge"}, "macro.invalid_impact", "set_impact"),
        ({"add_tags": "vip"}, "macro.invalid_tags", "add_tags"),
        ({"add_tags": ["vip", " "]}, "macro.invalid_tags", "add_tags"),
        ({"add_tags": ["x" * 51]}, "macro.invalid_tags", "add_tags"),
        ({"add_tags": [42]}, "macro.invalid_tags", "add_tags"),
        ({"add_tags": [f"tag-{i}" for i in range(21)]}, "macro.too_many_tags", "add_tags"),
        ({"is_internal": True, "set_status": "resolved"}, "macro.internal_cannot_resolve", "set_status"),
    ],
)
def test_invalid_macros_are_refused_with_a_code(personas, fields, code, field):
    # when
    with pytest.raises(DomainError) as refused:
        new_macro(personas, **fields)
    # then
    assert (refused.value.code, refused.value.field, refused.value.http_status) == (code, field, 422)
    assert Macro.objects.count() == 0


def test_a_name_is_unique_per_language_whatever_its_case(personas):
    # given
    new_macro(personas, name="Photo please", language="en")
    # when
    with pytest.raises(DomainError) as refused:
        new_macro(personas, name="PHOTO PLEASE", language="en")
    # then
    assert (refused.value.code, refused.value.field) == ("macro.duplicate", "name")
    # and the same name in another language is another macro
    assert new_macro(personas, name="Photo please", language="de").language == "de"


def test_the_database_refuses_duplicates_and_internal_resolutions(personas):
    # given
    new_macro(personas, name="Photo please")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Macro.objects.create(name="Photo please", language="en", body="Again")
    with pytest.raises(IntegrityError), transaction.atomic():
        Macro.objects.create(name="Note", language="en", body="Done", is_internal=True, set_status="resolved")


def test_update_changes_the_given_fields_and_validates_the_whole(personas):
    # given
    macro = new_macro(personas, set_status="resolved")
    # when
    updated = macro_update(macro=macro, by=personas.case_manager, body="Solved, {customer_name}.", add_tags=["Done"])
    # then
    row = Macro.objects.get(pk=macro.pk)
    assert (row.body, row.add_tags, row.set_status, row.name) == (
        "Solved, {customer_name}.",
        ["done"],
        "resolved",
        "In hand",
    )
    assert updated == row
    # when a change breaks a rule across fields
    with pytest.raises(DomainError) as refused:
        macro_update(macro=macro, by=personas.case_manager, is_internal=True)
    # then
    assert refused.value.code == "macro.internal_cannot_resolve"
    assert Macro.objects.get(pk=macro.pk).is_internal is False


def test_update_refuses_unknown_fields_and_renaming_onto_a_twin(personas):
    # given
    macro = new_macro(personas)
    new_macro(personas, name="Photo please")
    # when / then
    with pytest.raises(DomainError) as unknown:
        macro_update(macro=macro, by=personas.admin, created_by=personas.agent_l1)
    assert (unknown.value.code, unknown.value.field) == ("macro.field_not_editable", "created_by")
    with pytest.raises(DomainError) as twin:
        macro_update(macro=macro, by=personas.admin, name="photo please")
    assert twin.value.code == "macro.duplicate"
    # and keeping its own name is no conflict
    assert macro_update(macro=macro, by=personas.admin, name="In hand", language="en").name == "In hand"


def test_deactivate_is_idempotent_and_update_reactivates(personas):
    # given
    macro = new_macro(personas)
    # when
    macro_deactivate(macro=macro, by=personas.admin)
    macro_deactivate(macro=macro, by=personas.admin)
    # then
    assert Macro.objects.get(pk=macro.pk).is_active is False
    # when
    macro_update(macro=macro, by=personas.admin, is_active=True)
    # then
    assert Macro.objects.get(pk=macro.pk).is_active is True


# --- selectors ------------------------------------------------------------------------------


@pytest.fixture
def macros(personas) -> dict[str, Macro]:
    made = {
        "en_b": new_macro(personas, name="B reply", language="en"),
        "en_a": new_macro(personas, name="A reply", language="en"),
        "nl": new_macro(personas, name="Antwoord", language="nl"),
        "de": new_macro(personas, name="Antwort", language="de"),
        "old": new_macro(personas, name="Old reply", language="en"),
    }
    macro_deactivate(macro=made["old"], by=personas.admin)
    return made


def _names(macros: Any) -> list[str]:
    return [macro.name for macro in macros]


def test_staff_list_the_active_macros_by_language_and_name(personas, macros):
    # then
    assert _names(macro_list_for(user=personas.agent_l1)) == ["Antwort", "A reply", "B reply", "Antwoord"]
    assert _names(macro_list_for(user=personas.agent_l1, language="en")) == ["A reply", "B reply"]


def test_only_managers_list_inactive_macros(personas, macros):
    # then
    assert "Old reply" not in _names(macro_list_for(user=personas.agent_l1, include_inactive=True))
    assert "Old reply" in _names(macro_list_for(user=personas.case_manager, include_inactive=True))


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_b", "anonymous"])
def test_customers_see_no_macros(personas, macros, who):
    # when
    user = getattr(personas, who)
    # then
    assert list(macro_list_for(user=user, include_inactive=True)) == []
    with pytest.raises(DomainError) as refused:
        macro_get_for(user=user, macro_id=macros["en_a"].pk)
    assert (refused.value.code, refused.value.http_status) == ("macro.not_found", 404)


def test_an_unknown_language_filter_is_invalid(personas):
    # when
    with pytest.raises(DomainError) as refused:
        macro_list_for(user=personas.agent_l1, language="xx")
    # then
    assert (refused.value.code, refused.value.field) == ("macro.invalid_language", "language")


def test_get_finds_inactive_macros_for_staff_and_not_unknown_ids(personas, macros):
    # then
    assert macro_get_for(user=personas.agent_l1, macro_id=macros["old"].pk).name == "Old reply"
    with pytest.raises(DomainError) as refused:
        macro_get_for(user=personas.agent_l1, macro_id=999_999)
    assert refused.value.code == "macro.not_found"


def test_desk_choices_put_the_given_language_first(macros):
    # then
    assert _names(macro_choices(language_first="de")) == ["Antwort", "A reply", "B reply", "Antwoord"]
    assert "Old reply" in _names(macro_choices(include_inactive=True))
