"""Macros (canned replies): managing them (administrators and case managers) and applying one to
a ticket (any agent).

Applying never writes the ticket itself: it renders the text (tickets/macros.py) and calls the
ticket's own services (edit, conversation, transitions) in one transaction, so that every change
keeps its rules, its history rows and its events, and a refused step undoes the earlier ones.

Error codes: macro.forbidden, macro.not_found (selectors), macro.inactive, macro.name_required,
macro.name_too_long, macro.duplicate, macro.invalid_language, macro.body_required,
macro.body_too_long, macro.invalid_status, macro.invalid_urgency, macro.invalid_impact,
macro.invalid_tags, macro.too_many_tags, macro.internal_cannot_resolve, macro.field_not_editable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_case_manager
from tierdesk.core.errors import Forbidden, ValidationFailed
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Impact, Urgency
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.macros import WAITING_ON, MacroStatusChange, render
from tierdesk.tickets.models import Macro, Ticket
from tierdesk.tickets.services.conversation import MAX_COMMENT_LENGTH, ticket_comment_add
from tierdesk.tickets.services.create import MAX_TAGS
from tierdesk.tickets.services.edit import ticket_update
from tierdesk.tickets.services.transitions import require_staff, ticket_resolve, ticket_wait

MAX_NAME_LENGTH = 100
MAX_TAG_LENGTH = 50
EDITABLE_FIELDS = frozenset(
    {"name", "language", "body", "is_internal", "set_status", "set_urgency", "set_impact", "add_tags", "is_active"}
)


# --- managing macros ----------------------------------------------------------------------------


def _require_manager(by: User) -> None:
    if not is_case_manager(by):
        raise Forbidden(_("Only administrators and case managers may manage macros."), code="macro.forbidden")


def _optional_choice(value: Any, choices: type[TextChoices], field: str, code: str) -> str:
    """A blank value (no change) or one of `choices`."""
    text = "" if value is None else str(value).strip()
    if text and text not in choices.values:
        raise ValidationFailed(
            _("%(value)r is not allowed here; choose one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(choices.values)},
            code=code,
            field=field,
        )
    return text


def _tag_names(value: Any) -> list[str]:
    """Tag names as tickets store them (trimmed, lower case), without repeats."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationFailed(_("Tags must be a list of names."), code="macro.invalid_tags", field="add_tags")
    names: list[str] = []
    for raw in value:
        name = raw.strip().lower() if isinstance(raw, str) else ""
        if not name or len(name) > MAX_TAG_LENGTH:
            raise ValidationFailed(
                _("Each tag needs a name of 1 to %(count)d characters.") % {"count": MAX_TAG_LENGTH},
                code="macro.invalid_tags",
                field="add_tags",
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationFailed(
            _("At most %(count)d tags.") % {"count": MAX_TAGS}, code="macro.too_many_tags", field="add_tags"
        )
    return names


def macro_clean(
    *,
    name: Any,
    language: Any,
    body: Any,
    is_internal: bool = False,
    set_status: Any = "",
    set_urgency: Any = "",
    set_impact: Any = "",
    add_tags: Any = (),
) -> dict[str, Any]:
    """A macro's fields, normalised, or ValidationFailed with the first problem's code and field.

    Shared by the services and the admin's form, so that both refuse the same input."""
    clean_name = str(name or "").strip()
    if not clean_name:
        raise ValidationFailed(_("A macro needs a name."), code="macro.name_required", field="name")
    if len(clean_name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            _("A macro's name has at most %(count)d characters.") % {"count": MAX_NAME_LENGTH},
            code="macro.name_too_long",
            field="name",
        )
    languages = [code for code, _label in settings.LANGUAGES]
    if language not in languages:
        raise ValidationFailed(
            _("%(value)r is not a language of the desk; choose one of: %(allowed)s.")
            % {"value": language, "allowed": ", ".join(languages)},
            code="macro.invalid_language",
            field="language",
        )
    text = str(body or "").strip()
    if not text:
        raise ValidationFailed(_("A macro needs a text."), code="macro.body_required", field="body")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The text is too long."), code="macro.body_too_long", field="body")
    status = _optional_choice(set_status, MacroStatusChange, "set_status", "macro.invalid_status")
    if is_internal and status == MacroStatusChange.RESOLVED:
        raise ValidationFailed(
            _("An internal macro cannot resolve a ticket: the resolution is sent to the customer."),
            code="macro.internal_cannot_resolve",
            field="set_status",
        )
    return {
        "name": clean_name,
        "language": language,
        "body": text,
        "is_internal": bool(is_internal),
        "set_status": status,
        "set_urgency": _optional_choice(set_urgency, Urgency, "set_urgency", "macro.invalid_urgency"),
        "set_impact": _optional_choice(set_impact, Impact, "set_impact", "macro.invalid_impact"),
        "add_tags": _tag_names(add_tags),
    }


def _save_unique(macro: Macro) -> Macro:
    """Save, refusing a second macro of the same name (any case) and language."""
    message = _("A macro with this name exists in this language already.")
    twins = Macro.objects.filter(name__iexact=macro.name, language=macro.language)
    if (twins.exclude(pk=macro.pk) if macro.pk else twins).exists():
        raise ValidationFailed(message, code="macro.duplicate", field="name")
    try:
        # A savepoint: a concurrent twin that passed the check above fails here, not as a 500.
        with transaction.atomic():
            macro.save()
    except IntegrityError:
        raise ValidationFailed(message, code="macro.duplicate", field="name") from None
    return macro


@transaction.atomic
def macro_create(
    *,
    by: User,
    name: str,
    language: str,
    body: str,
    is_internal: bool = False,
    set_status: str = "",
    set_urgency: str = "",
    set_impact: str = "",
    add_tags: Iterable[str] = (),
) -> Macro:
    """A new, active macro (administrators and case managers)."""
    _require_manager(by)
    fields = macro_clean(
        name=name,
        language=language,
        body=body,
        is_internal=is_internal,
        set_status=set_status,
        set_urgency=set_urgency,
        set_impact=set_impact,
        add_tags=add_tags,
    )
    return _save_unique(Macro(**fields, created_by=by))


@transaction.atomic
def macro_update(*, macro: Macro, by: User, **changes: Any) -> Macro:
    """Change some of a macro's fields (a false `is_active` deactivates it, a true one brings it
    back). The whole macro is validated again, so a change cannot break a rule across fields."""
    _require_manager(by)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))},
            code="macro.field_not_editable",
            field=sorted(unknown)[0],
        )
    # Locked: two managers editing one macro at once must not undo each other's other fields.
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    current: dict[str, Any] = {name: getattr(macro, name) for name in EDITABLE_FIELDS - {"is_active"}}
    fields = macro_clean(**{**current, **{k: v for k, v in changes.items() if k != "is_active"}})
    for name, value in fields.items():
        setattr(macro, name, value)
    if "is_active" in changes:
        macro.is_active = bool(changes["is_active"])
    return _save_unique(macro)


@transaction.atomic
def macro_deactivate(*, macro: Macro, by: User) -> Macro:
    """Take a macro out of use. It is kept: history rows name it, and it can be reactivated."""
    _require_manager(by)
    macro = Macro.objects.select_for_update().get(pk=macro.pk)
    if macro.is_active:
        macro.is_active = False
        macro.save(update_fields=["is_active", "updated_at"])
    return macro


# --- applying a macro ---------------------------------------------------------------------------


def placeholder_values(*, ticket: Ticket, agent: User) -> Mapping[str, str]:
    """What each placeholder stands for on this ticket, applied by this agent."""
    return {
        "customer_name": ticket.requester.name if ticket.requester is not None else "",
        "ticket_number": ticket.reference,
        "ticket_subject": ticket.subject,
        "agent_name": agent.display_name,
        "organisation": ticket.organisation.name,
    }


@transaction.atomic
def ticket_macro_apply(
    *,
    ticket: Ticket,
    macro: Macro,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Post the macro's rendered text on the ticket and make its field changes, in this order:
    urgency, impact and tags (ticket_update); the reply or internal note (ticket_comment_add),
    or, for a resolving macro, the resolution (ticket_resolve); then the wait (ticket_wait).

    The ticket is locked and its version checked first, so the placeholders and the tag list
    are read from the row the changes apply to. The first service call is given the version
    too; the later ones run under the same lock and transaction and are given none, since the
    earlier calls have bumped it."""
    require_staff(by)
    # Re-read: the macro may have been deactivated since the caller looked it up.
    current = Macro.objects.filter(pk=macro.pk, is_active=True).first()
    if current is None:
        raise ValidationFailed(_("This macro is no longer in use."), code="macro.inactive", field="macro")
    locked = lock_ticket(ticket.pk, expected_version=expected_version)
    text = render(current.body, placeholder_values(ticket=locked, agent=by))
    history.record(
        ticket=locked,
        by=by,
        channel=channel,
        action=HistoryAction.MACRO_APPLIED,
        field="macro",
        new=current.name,
        is_internal=True,
    )
    version = expected_version
    changes: dict[str, Any] = {}
    if current.set_urgency:
        changes["urgency"] = current.set_urgency
    if current.set_impact:
        changes["impact"] = current.set_impact
    if current.add_tags:
        changes["tags"] = [*locked.tags.values_list("name", flat=True), *current.add_tags]
    if changes:
        ticket_update(ticket=locked, by=by, channel=channel, expected_version=version, **changes)
        version = None
    if current.set_status == MacroStatusChange.RESOLVED:
        ticket_resolve(ticket=locked, resolution=text, by=by, channel=channel, expected_version=version)
    else:
        ticket_comment_add(
            ticket=locked, body=text, by=by, is_internal=current.is_internal, channel=channel, expected_version=version
        )
        if current.set_status in WAITING_ON:
            ticket_wait(ticket=locked, on=WAITING_ON[current.set_status], by=by, channel=channel)
    return lock_ticket(locked.pk)
