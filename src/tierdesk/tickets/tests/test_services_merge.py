"""Merging tickets and splitting a comment off, through the services: everything of the merged
ticket arrives in the other one (comments, attachments, time, checklist, followers, tags, links,
children, history), the merged ticket stays as a closed pointer its number leads through, the
refusals leave both tickets untouched, and a split moves one comment into a linked new ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tierdesk.core.errors import DomainError
from tierdesk.tickets.automation.engine import _load
from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.choices_links import LinkKind
from tierdesk.tickets.models import (
    Appointment,
    Attachment,
    ChecklistItem,
    Comment,
    HistoryEvent,
    Ticket,
    TicketLink,
    TicketWatcher,
    TimeEntry,
)
from tierdesk.tickets.selectors import history_for, ticket_by_reference, ticket_get_for
from tierdesk.tickets.services import (
    ticket_attachment_add,
    ticket_checklist_add,
    ticket_child_create,
    ticket_comment_add,
    ticket_link_add,
    ticket_merge,
    ticket_resolve,
    ticket_split_comment,
    ticket_time_log,
    ticket_update,
    ticket_watch,
)
from tierdesk.tickets.services.appointments import appointment_schedule
from tierdesk.tickets.services.transitions import ticket_close
from tierdesk.tickets.tests.factories import make_ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def code_of(**kwargs: Any) -> str:
    with pytest.raises(DomainError) as caught:
        ticket_merge(**kwargs)
    return caught.value.code


def upload(name: str = "log.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"printer log", content_type="text/plain")


@pytest.fixture
def duplicate(personas: Any) -> Ticket:
    """A2's ticket with a bit of everything hanging off it."""
    p = personas
    ticket = make_ticket(by=p.customer_a2, requester=p.contact_a2, subject="Printer on floor 2 jams")
    reply = ticket_comment_add(ticket=ticket, body="It jams at every page.", by=p.customer_a2)
    ticket_attachment_add(ticket=ticket, upload=upload(), by=p.customer_a2, comment=reply)
    ticket_comment_add(ticket=ticket, body="Checked the tray.", by=p.agent_l1, is_internal=True)
    ticket_time_log(ticket=ticket, minutes=15, by=p.agent_l1)
    ticket_checklist_add(ticket=ticket, texts=["Check tray", "Call vendor"], by=p.agent_l1)
    ticket_watch(ticket=ticket, by=p.agent_l1, user=p.agent_l2)
    ticket_update(ticket=ticket, by=p.agent_l1, tags=["printer", "floor-2"])
    return fresh(ticket)


@pytest.fixture
def original(personas: Any) -> Ticket:
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams")
    ticket_comment_add(ticket=ticket, body="Paper jam again.", by=personas.customer_a)
    ticket_checklist_add(ticket=ticket, texts=["Clean rollers"], by=personas.agent_l1)
    ticket_update(ticket=ticket, by=personas.agent_l1, tags=["printer"])
    return fresh(ticket)


def test_merge_moves_everything_and_leaves_a_closed_pointer(personas, duplicate, original):
    comments = set(Comment.objects.filter(ticket=duplicate).values_list("pk", flat=True))
    source_history = set(HistoryEvent.objects.filter(ticket=duplicate).values_list("pk", flat=True))
    # when
    target = ticket_merge(source=duplicate, target=original, by=personas.agent_l1, note="Same printer")
    # then: every comment, attachment, time entry and checklist item is on the target now
    assert comments <= set(Comment.objects.filter(ticket=original).values_list("pk", flat=True))
    assert Comment.objects.filter(ticket=duplicate).count() == 0
    assert Attachment.objects.filter(ticket=original).count() == 1
    assert Attachment.objects.get(ticket=original).comment.body == "It jams at every page."
    assert list(TimeEntry.objects.filter(ticket=original).values_list("minutes", flat=True)) == [15]
    # the source's checklist follows the target's own, in its order
    assert list(ChecklistItem.objects.filter(ticket=original).values_list("text", flat=True)) == [
        "Clean rollers",
        "Check tray",
        "Call vendor",
    ]
    # followers: the colleague, and the source's requester (in copy from now on)
    watchers = TicketWatcher.objects.filter(ticket=original)
    assert {w.user_id for w in watchers if w.user_id} == {personas.agent_l2.pk}
    assert {w.contact_id for w in watchers if w.contact_id} == {personas.contact_a2.pk}
    assert sorted(original.tags.values_list("name", flat=True)) == ["floor-2", "printer"]
    # the merged ticket is a closed pointer
    source = fresh(duplicate)
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.pk)
    assert source.merged_at is not None
    assert source.closed_at is not None
    assert source.version == duplicate.version + 1
    assert fresh(original).version == original.version + 1
    # history: a row on each side, and the target's history shows the source's as well
    merged_row = HistoryEvent.objects.get(ticket=duplicate, action=HistoryAction.MERGED)
    assert (merged_row.field, merged_row.new_value, merged_row.note) == (
        "merged_into",
        f"#{original.number}",
        "Same printer",
    )
    assert HistoryEvent.objects.get(ticket=original, action=HistoryAction.MERGED_FROM).new_value == (
        f"#{duplicate.number}"
    )
    shown = set(history_for(user=personas.agent_l1, ticket=original).values_list("pk", flat=True))
    assert source_history <= shown


def test_the_old_number_leads_to_the_merged_ticket(personas, duplicate, original):
    ticket_merge(source=duplicate, target=original, by=personas.agent_l1)
    # staff, the API and mail threading follow the pointer; follow_merge=False shows it
    assert ticket_get_for(user=personas.agent_l1, number=duplicate.number).pk == original.pk
    assert ticket_get_for(user=personas.agent_l1, number=duplicate.number, follow_merge=False).pk == duplicate.pk
    assert ticket_by_reference(duplicate.number).pk == original.pk
    assert ticket_by_reference(999_999) is None
    # the requester of the merged ticket follows the target, so they still see their case
    assert ticket_get_for(user=personas.customer_a2, number=duplicate.number).pk == original.pk


def test_a_customer_user_sees_a_ticket_only_once_in_copy(personas, original):
    with pytest.raises(DomainError):
        ticket_get_for(user=personas.customer_a2, number=original.number)
    ticket_watch(ticket=original, by=personas.agent_l1, contact=personas.contact_a2)
    assert ticket_get_for(user=personas.customer_a2, number=original.number).pk == original.pk
    # a contact of another organisation never
    with pytest.raises(DomainError):
        ticket_get_for(user=personas.customer_b, number=original.number)


def test_merging_into_a_ticket_that_was_merged_into_keeps_one_hop(personas, duplicate, original):
    third = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer jams, third call")
    ticket_merge(source=duplicate, target=original, by=personas.agent_l1)
    # when the target is merged on in its turn
    ticket_merge(source=original, target=third, by=personas.agent_l1)
    # then both old tickets point straight at the live one
    assert fresh(duplicate).merged_into_id == third.pk
    assert fresh(original).merged_into_id == third.pk
    assert ticket_by_reference(duplicate.number).pk == third.pk
    assert Comment.objects.filter(ticket=third).count() == 3


def test_appointments_move_to_the_target(personas, duplicate, original):
    appointment = appointment_schedule(
        ticket=duplicate,
        by=personas.agent_l1,
        kind="remote_session",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=30,
    )
    ticket_merge(source=fresh(duplicate), target=original, by=personas.agent_l1)
    assert Appointment.objects.get(pk=appointment.pk).ticket_id == original.pk


def test_links_and_children_move_to_the_target(personas, duplicate, original):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Scanner offline")
    cause = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Print server down")
    ticket_link_add(ticket=duplicate, other=other, kind="related", by=personas.agent_l1)
    ticket_link_add(ticket=duplicate, other=cause, kind="caused_by", by=personas.agent_l1)
    ticket_link_add(ticket=duplicate, other=original, kind="duplicate_of", by=personas.agent_l1)
    child = ticket_child_create(parent=fresh(duplicate), by=personas.agent_l1, subject="Workstation 7")
    # when
    ticket_merge(source=fresh(duplicate), target=fresh(original), by=personas.agent_l1)
    # then: the links are the target's, the link between the two is gone, the child moved
    links = set(TicketLink.objects.values_list("from_ticket_id", "to_ticket_id", "kind"))
    low, high = sorted((original.pk, other.pk))
    assert links == {(low, high, LinkKind.RELATED), (original.pk, cause.pk, LinkKind.CAUSED_BY)}
    assert fresh(child).parent_id == original.pk


def test_a_link_that_would_contradict_one_of_the_target_is_dropped(personas, duplicate, original):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Print server down")
    ticket_link_add(ticket=duplicate, other=other, kind="caused_by", by=personas.agent_l1)
    ticket_link_add(ticket=other, other=original, kind="caused_by", by=personas.agent_l1)
    # when: the moved link would say "original caused by other" beside "other caused by original"
    ticket_merge(source=fresh(duplicate), target=fresh(original), by=personas.agent_l1)
    # then only the target's own link stays
    links = set(TicketLink.objects.values_list("from_ticket_id", "to_ticket_id", "kind"))
    assert links == {(other.pk, original.pk, LinkKind.CAUSED_BY)}


def test_merging_a_child_into_its_parent_and_a_parent_into_its_child(personas, original):
    child = ticket_child_create(parent=original, by=personas.agent_l1, subject="Workstation 7")
    sibling = ticket_child_create(parent=fresh(original), by=personas.agent_l1, subject="Workstation 8")
    # the parent merged into one of its children: that child takes over the other children
    ticket_merge(source=fresh(original), target=child, by=personas.agent_l1)
    assert fresh(child).parent_id is None
    assert fresh(sibling).parent_id == child.pk


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("self", "ticket.merge_self"),
        ("closed_target", "ticket.merge_target_closed"),
        ("other_organisation", "ticket.merge_other_organisation"),
        ("already_merged", "ticket.merge_merged"),
        ("customer", "ticket.forbidden"),
        ("stale", "ticket.version_conflict"),
        ("nested", "ticket.merge_nested"),
    ],
)
def test_refused_merges_change_nothing(personas, duplicate, original, case, code):
    p = personas
    kwargs: dict[str, Any] = {"source": duplicate, "target": original, "by": p.agent_l1}
    if case == "self":
        kwargs["target"] = duplicate
    elif case == "closed_target":
        ticket_resolve(ticket=original, resolution="Rollers cleaned.", by=p.agent_l1)
        ticket_close(ticket=fresh(original), by=p.agent_l1)
        kwargs["target"] = fresh(original)
    elif case == "other_organisation":
        kwargs["target"] = make_ticket(by=p.customer_b, requester=p.contact_b, subject="Printer jams")
    elif case == "already_merged":
        spare = make_ticket(by=p.agent_l1, requester=p.contact_a, subject="Spare")
        ticket_merge(source=spare, target=original, by=p.agent_l1)
        kwargs["source"] = fresh(spare)
    elif case == "customer":
        kwargs["by"] = p.customer_admin_a
    elif case == "stale":
        kwargs["expected_version"] = duplicate.version - 1
    elif case == "nested":
        ticket_child_create(parent=duplicate, by=p.agent_l1, subject="Workstation 7")
        parent = make_ticket(by=p.agent_l1, requester=p.contact_a, subject="Floor 2")
        ticket_child_create(parent=parent, by=p.agent_l1, subject="Other")
        kwargs["target"] = ticket_child_create(parent=fresh(parent), by=p.agent_l1, subject="Printer jams too")
    before = {t.pk: (t.status, t.version, t.merged_into_id) for t in Ticket.objects.all()}
    comments = list(Comment.objects.values_list("pk", "ticket_id"))
    # when / then
    assert code_of(**kwargs) == code
    assert {t.pk: (t.status, t.version, t.merged_into_id) for t in Ticket.objects.all()} == before
    assert list(Comment.objects.values_list("pk", "ticket_id")) == comments


def test_the_database_refuses_a_ticket_merged_into_itself(original):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=original.pk).update(merged_into_id=original.pk)


def test_rules_leave_a_merged_ticket_alone(personas, duplicate, original):
    ticket_merge(source=duplicate, target=original, by=personas.agent_l1)
    assert _load(duplicate.pk) is None
    assert _load(original.pk) is not None


# --- split -------------------------------------------------------------------------------------


def test_split_moves_one_comment_into_a_linked_new_ticket(personas, original):
    p = personas
    question = ticket_comment_add(ticket=original, body="Also: my scanner\nis offline since Monday.", by=p.customer_a)
    ticket_attachment_add(ticket=original, upload=upload("scan.txt"), by=p.customer_a, comment=question)
    before = fresh(original)
    # when
    new = ticket_split_comment(ticket=before, comment_id=question.pk, by=p.agent_l1, expected_version=before.version)
    # then
    assert (new.subject, new.organisation_id, new.requester_id) == (
        "Also: my scanner",
        original.organisation_id,
        p.contact_a.pk,
    )
    assert list(Comment.objects.filter(ticket=new).values_list("pk", flat=True)) == [question.pk]
    assert Comment.objects.get(pk=question.pk).author_id == p.customer_a.pk  # author and time kept
    assert Attachment.objects.get(filename="scan.txt").ticket_id == new.pk
    assert not Comment.objects.filter(ticket=original, pk=question.pk).exists()
    low, high = sorted((original.pk, new.pk))
    assert TicketLink.objects.filter(from_ticket_id=low, to_ticket_id=high, kind=LinkKind.RELATED).exists()
    assert HistoryEvent.objects.get(ticket=original, action=HistoryAction.SPLIT_OFF).new_value == f"#{new.number}"
    assert HistoryEvent.objects.get(ticket=new, action=HistoryAction.SPLIT_FROM).new_value == f"#{original.number}"
    assert fresh(original).version == before.version + 1


def test_split_takes_the_given_subject_and_the_comment_author_as_requester(personas, original):
    note = ticket_comment_add(ticket=original, body="Colleague asks about VPN", by=personas.customer_admin_a)
    new = ticket_split_comment(ticket=original, comment_id=note.pk, by=personas.agent_l1, subject="VPN access")
    assert new.subject == "VPN access"
    assert new.requester.user_id == personas.customer_admin_a.pk


def test_split_refuses_a_comment_of_another_ticket_and_customers(personas, original, duplicate):
    foreign = Comment.objects.filter(ticket=duplicate).first()
    count = Ticket.objects.count()
    with pytest.raises(DomainError) as caught:
        ticket_split_comment(ticket=original, comment_id=foreign.pk, by=personas.agent_l1)
    assert caught.value.code == "ticket.split_not_on_ticket"
    own = Comment.objects.filter(ticket=original).first()
    with pytest.raises(DomainError) as caught:
        ticket_split_comment(ticket=original, comment_id=own.pk, by=personas.customer_a)
    assert caught.value.code == "ticket.forbidden"
    assert Ticket.objects.count() == count
    assert Comment.objects.get(pk=foreign.pk).ticket_id == duplicate.pk
