"""The changes an agent makes on the ticket page: one entry per form, each calling one service.

An entry builds its form and turns the cleaned data into one service call; the view around
them (ticket.py) handles validation, domain errors and the response the same way for all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.selectors import staff_users
from tierdesk.tickets import forms as ticket_forms
from tierdesk.tickets import forms_checklists, forms_collision, forms_links, forms_merge, forms_watchers
from tierdesk.tickets.choices import Channel, Level
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import LEVEL_ORDER, is_higher_level
from tierdesk.tickets.selectors import macro_choices, pending_second_level_requests
from tierdesk.tickets.selectors_checklists import checklist_template_choices
from tierdesk.tickets.selectors_links import ticket_reference_get_for
from tierdesk.tickets.selectors_watchers import watcher_candidates, watcher_target_for
from tierdesk.tickets.services import (
    ticket_assign,
    ticket_attachment_add,
    ticket_checklist_add,
    ticket_checklist_apply_template,
    ticket_checklist_remove,
    ticket_checklist_toggle,
    ticket_child_create,
    ticket_comment_add,
    ticket_confirm,
    ticket_detach_child,
    ticket_escalate,
    ticket_link_add,
    ticket_link_remove,
    ticket_macro_apply,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_second_level_decide,
    ticket_set_parent,
    ticket_take,
    ticket_time_log,
    ticket_unwatch,
    ticket_update,
    ticket_wait,
    ticket_watch,
)
from tierdesk.tickets.views import actions_merge
from tierdesk.tickets.views.actions_appointments import APPOINTMENT_ACTIONS
from tierdesk.tickets.views.actions_custom_fields import CUSTOM_FIELD_ACTIONS

Data = Mapping[str, Any]
FormKwargs = Callable[[Ticket, bool], dict[str, Any]]


def escalation_levels(ticket: Ticket) -> list[Level]:
    """The levels above the ticket's current one, in escalation order."""
    return [level for level in LEVEL_ORDER if is_higher_level(ticket.level, level)]


def _escalate_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # A posted form accepts every level above first, so a ticket escalated meanwhile by a
    # colleague is answered by the service (version conflict), not by "invalid choice".
    return {"levels": list(LEVEL_ORDER[1:]) if bound else escalation_levels(ticket)}


def _staff_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    return {"staff": staff_users()}


def _macro_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # The page lists the active macros, those in the agent's language (the one the request runs
    # in) first. A posted form accepts any macro, so one deactivated meanwhile is answered by the
    # service (macro.inactive), not by "invalid choice".
    return {"macros": macro_choices(language_first=get_language(), include_inactive=bound)}


def _colleague_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # A posted form accepts any colleague and any contact, so one who follows meanwhile is
    # answered by the service (watcher.exists), not by "invalid choice".
    return {"staff": staff_users() if bound else watcher_candidates(ticket=ticket)[0]}


def _contact_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    return {"contacts": Contact.objects.all() if bound else watcher_candidates(ticket=ticket)[1]}


def _template_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # A posted form accepts any template, so one deactivated meanwhile is answered by the
    # service (checklist.template_inactive), not by "invalid choice".
    return {"templates": checklist_template_choices(include_inactive=bound)}


def _no_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    return {}


def _reply(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_comment_add(
        ticket=ticket,
        body=data["body"],
        by=_user(request),
        is_internal=data["is_internal"],
        expected_version=data["version"],
        seen_comment_id=data.get("seen_comment"),
        confirm_despite_newer=data.get("confirm_despite_newer", False),
    )
    return _("Internal note added.") if data["is_internal"] else _("Reply sent.")


def _take(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_take(ticket=ticket, by=_user(request), expected_version=data["version"])
    return _("You took the ticket.")


def _release(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_assign(ticket=ticket, assignee=None, by=_user(request), expected_version=data["version"])
    return _("You released the ticket.")


def _assign(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_assign(ticket=ticket, assignee=data["assignee"], by=_user(request), expected_version=data["version"])
    return _("Assignee changed.")


def _escalate(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_escalate(
        ticket=ticket,
        to_level=data["to_level"],
        handover_note=data["handover_note"],
        by=_user(request),
        bug_key=data["bug_key"],
        bug_url=data["bug_url"],
        expected_version=data["version"],
    )
    return _("Ticket handed over.")


def _wait(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_wait(ticket=ticket, on=data["on"], by=_user(request), note=data["note"], expected_version=data["version"])
    return _("Ticket is waiting.")


def _resume(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_resume(ticket=ticket, by=_user(request), note=data["note"], expected_version=data["version"])
    return _("Ticket resumed.")


def _log_time(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_time_log(
        ticket=ticket,
        minutes=data["minutes"],
        by=_user(request),
        note=data["note"],
        is_billable=data["is_billable"],
        expected_version=data["version"],
    )
    return _("Time logged.")


def _resolve(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_resolve(
        ticket=ticket,
        resolution=data["resolution"],
        by=_user(request),
        expected_version=data["version"],
        despite_open_children=data.get("despite_open_children", False),
    )
    return _("Ticket resolved; the customer is asked to confirm.")


def _reopen(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_reopen(ticket=ticket, reason=data["reason"], by=_user(request), expected_version=data["version"])
    return _("Ticket reopened.")


def _confirm(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_confirm(
        ticket=ticket, by=_user(request), note=data["note"], channel=Channel.WEB, expected_version=data["version"]
    )
    return _("Confirmation recorded; the ticket is closed.")


def _edit_priority(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_update(
        ticket=ticket,
        by=_user(request),
        urgency=data["urgency"],
        impact=data["impact"],
        expected_version=data["version"],
    )
    return _("Urgency and impact saved.")


def _attach(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_attachment_add(
        ticket=ticket,
        upload=data["file"],
        by=_user(request),
        is_internal=data["is_internal"],
        expected_version=data["version"],
    )
    return _("File attached.")


def _decide(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    pending = pending_second_level_requests(user=request.user).filter(pk=data["request"], ticket_id=ticket.pk).first()
    if pending is None:
        raise Http404
    ticket_second_level_decide(
        request=pending,
        approve=data["decision"] == "approve",
        note=data["note"],
        by=_user(request),
        expected_version=data["version"],
    )
    return (
        _("Request approved; the ticket is at second level.")
        if data["decision"] == "approve"
        else _("Request declined; the customer gets your note.")
    )


def _apply_macro(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    macro = data["macro"]
    ticket_macro_apply(
        ticket=ticket, macro=macro, by=_user(request), channel=Channel.WEB, expected_version=data["version"]
    )
    return _("Macro “%(name)s” applied.") % {"name": macro.name}


def _link(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    other = ticket_reference_get_for(user=request.user, number=data["number"])
    ticket_link_add(ticket=ticket, other=other, kind=data["kind"], by=_user(request), expected_version=data["version"])
    return _("Linked to #%(number)s.") % {"number": other.number}


def _unlink(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    other = ticket_reference_get_for(user=request.user, number=data["number"])
    ticket_link_remove(
        ticket=ticket, other=other, kind=data["kind"], by=_user(request), expected_version=data["version"]
    )
    return _("Link to #%(number)s removed.") % {"number": other.number}


def _add_child(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    child = ticket_child_create(
        parent=ticket,
        by=_user(request),
        subject=data["subject"],
        description=data["description"],
        expected_version=data["version"],
    )
    return _("Child ticket #%(number)s opened.") % {"number": child.number}


def _detach_child(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    child = ticket_reference_get_for(user=request.user, number=data["child"], field="child")
    ticket_detach_child(ticket=ticket, child=child, by=_user(request), expected_version=data["version"])
    return _("#%(number)s is no longer a child of this ticket.") % {"number": child.number}


def _set_parent(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    parent = ticket_reference_get_for(user=request.user, number=data["number"])
    ticket_set_parent(ticket=ticket, parent=parent, by=_user(request), expected_version=data["version"])
    return _("This ticket is now a child of #%(number)s.") % {"number": parent.number}


def _remove_parent(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_set_parent(ticket=ticket, parent=None, by=_user(request), expected_version=data["version"])
    return _("This ticket is no longer a child ticket.")


def _follow(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_watch(ticket=ticket, by=_user(request), user=_user(request), expected_version=data["version"])
    return _("You follow this ticket.")


def _unfollow(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_unwatch(ticket=ticket, by=_user(request), user=_user(request), expected_version=data["version"])
    return _("You no longer follow this ticket.")


def _watch_colleague(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    colleague = data["user"]
    ticket_watch(ticket=ticket, by=_user(request), user=colleague, expected_version=data["version"])
    return _("%(name)s follows this ticket now.") % {"name": colleague.display_name}


def _watch_contact(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    contact = data["contact"]
    ticket_watch(ticket=ticket, by=_user(request), contact=contact, expected_version=data["version"])
    return _("%(name)s follows this ticket now.") % {"name": contact.name}


def _remove_watcher(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    if data["user"] is None and data["contact"] is None:
        raise Http404  # the panel always names one; a hand-made post naming nobody is not ours
    user, contact = watcher_target_for(user=request.user, user_id=data["user"], contact_id=data["contact"])
    ticket_unwatch(ticket=ticket, by=_user(request), user=user, contact=contact, expected_version=data["version"])
    return _("Follower removed.")


def _checklist_add(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_checklist_add(ticket=ticket, texts=[data["text"]], by=_user(request), expected_version=data["version"])
    return _("Checklist item added.")


def _checklist_toggle(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_checklist_toggle(
        ticket=ticket, item_id=data["item"], done=data["done"], by=_user(request), expected_version=data["version"]
    )
    return _("Checklist item done.") if data["done"] else _("Checklist item reopened.")


def _checklist_remove(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    ticket_checklist_remove(ticket=ticket, item_id=data["item"], by=_user(request), expected_version=data["version"])
    return _("Checklist item removed.")


def _checklist_template(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    template = data["template"]
    added = ticket_checklist_apply_template(
        ticket=ticket, template=template, by=_user(request), expected_version=data["version"]
    )
    return ngettext(
        "Template “%(name)s” applied: %(count)d item added.",
        "Template “%(name)s” applied: %(count)d items added.",
        len(added),
    ) % {"name": template.name, "count": len(added)}


def _user(request: HttpRequest) -> User:
    # staff_required lets only signed-in staff members reach these views.
    return cast(User, request.user)


@dataclass(frozen=True)
class TicketAction:
    form_class: type[forms.Form]
    perform: Callable[[HttpRequest, Ticket, Data], str]
    form_kwargs: FormKwargs = _no_kwargs

    def make_form(
        self, name: str, ticket: Ticket, request: HttpRequest | None = None, initial: Data | None = None
    ) -> forms.Form:
        """A bound form from the request, or an unbound one for showing the page; the ids
        carry the action's name because several forms on the page have a "note" field."""
        bound = request is not None
        kwargs = self.form_kwargs(ticket, bound)
        if request is not None:
            return self.form_class(request.POST, request.FILES, auto_id=f"{name}-%s", **kwargs)
        return self.form_class(initial={"version": ticket.version, **(initial or {})}, auto_id=f"{name}-%s", **kwargs)


ACTIONS: dict[str, TicketAction] = {
    "reply": TicketAction(forms_collision.ReplyWithSeenForm, _reply),
    "take": TicketAction(ticket_forms.VersionedForm, _take),
    "release": TicketAction(ticket_forms.VersionedForm, _release),
    "assign": TicketAction(ticket_forms.AssignForm, _assign, _staff_kwargs),
    "escalate": TicketAction(ticket_forms.EscalateForm, _escalate, _escalate_kwargs),
    "wait": TicketAction(ticket_forms.WaitForm, _wait),
    "resume": TicketAction(ticket_forms.ResumeForm, _resume),
    "time": TicketAction(ticket_forms.TimeForm, _log_time),
    "resolve": TicketAction(forms_links.ResolveWithChildrenForm, _resolve),
    "reopen": TicketAction(ticket_forms.ReopenForm, _reopen),
    "confirm": TicketAction(ticket_forms.ConfirmForm, _confirm),
    "priority": TicketAction(ticket_forms.PriorityForm, _edit_priority),
    "attach": TicketAction(ticket_forms.AttachmentForm, _attach),
    "decide": TicketAction(ticket_forms.SecondLevelDecisionForm, _decide),
    "macro": TicketAction(ticket_forms.MacroForm, _apply_macro, _macro_kwargs),
    # The Links panel (links and child tickets).
    "link": TicketAction(forms_links.LinkForm, _link),
    "unlink": TicketAction(forms_links.UnlinkForm, _unlink),
    "child": TicketAction(forms_links.ChildForm, _add_child),
    "detach": TicketAction(forms_links.DetachChildForm, _detach_child),
    "parent": TicketAction(forms_links.ParentForm, _set_parent),
    "unparent": TicketAction(ticket_forms.VersionedForm, _remove_parent),
    # Merging this ticket into another; splitting a comment off into a new ticket.
    "merge": TicketAction(forms_merge.MergeForm, actions_merge.merge),
    "split": TicketAction(forms_merge.SplitForm, actions_merge.split),
    # The Followers panel (watchers: colleagues and contacts in copy).
    "follow": TicketAction(ticket_forms.VersionedForm, _follow),
    "unfollow": TicketAction(ticket_forms.VersionedForm, _unfollow),
    "watch_colleague": TicketAction(forms_watchers.ColleagueWatcherForm, _watch_colleague, _colleague_kwargs),
    "watch_contact": TicketAction(forms_watchers.ContactWatcherForm, _watch_contact, _contact_kwargs),
    "unwatch": TicketAction(forms_watchers.RemoveWatcherForm, _remove_watcher),
    # The Checklist panel (internal work: items, who ticked them and when, templates).
    "checklist_add": TicketAction(forms_checklists.ChecklistAddForm, _checklist_add),
    "checklist_toggle": TicketAction(forms_checklists.ChecklistToggleForm, _checklist_toggle),
    "checklist_remove": TicketAction(forms_checklists.ChecklistItemForm, _checklist_remove),
    "checklist_template": TicketAction(forms_checklists.ChecklistTemplateForm, _checklist_template, _template_kwargs),
}
# The Appointments panel (actions_appointments.py: plan, move, cancel, mark done).
ACTIONS.update({name: TicketAction(*entry) for name, entry in APPOINTMENT_ACTIONS.items()})
# The Custom fields panel (actions_custom_fields.py: the values of the fields that apply).
ACTIONS.update({name: TicketAction(*entry) for name, entry in CUSTOM_FIELD_ACTIONS.items()})
