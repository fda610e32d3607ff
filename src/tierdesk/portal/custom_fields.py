"""Custom fields on the portal's new-ticket form: the category question (when there are
categories) and the fields customers fill for their organisation and the chosen category, each
shown when its visible-when condition holds for the answers so far.

The tickets services decide everything (which fields apply, required, types, conditions); this
module only turns their field states into form fields named `custom_fields.<key>` and their
errors back onto those fields. Choosing a category re-renders the fields (htmx, hx-select); without
JavaScript the form is checked on sending and comes back with the fields that now apply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Contact, User
from tierdesk.portal.forms import NewTicketForm
from tierdesk.tickets.choices import Channel, Impact, Urgency
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.models import Category
from tierdesk.tickets.models.custom_fields import MAX_TEXT_LENGTH
from tierdesk.tickets.selectors_custom_fields import FieldState
from tierdesk.tickets.services.custom_fields import CustomFieldsInvalid, new_ticket_field_states

PREFIX = "custom_fields."


def _form_field(state: FieldState) -> forms.Field:
    field = state.field
    label = f"{field.label} *" if state.required else field.label
    common: dict[str, Any] = {"label": label, "required": False, "help_text": field.help_text}
    if field.field_type == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
    if field.field_type == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in field.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if field.field_type == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=10, **common)
    if field.field_type == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=30, **common)
    return forms.CharField(max_length=MAX_TEXT_LENGTH, **common)


def _typed_so_far(source: QueryDict) -> dict[str, Any]:
    return {
        name.removeprefix(PREFIX): (values if len(values) > 1 else values[0])
        for name, values in source.lists()
        if name.startswith(PREFIX)
    }


def new_ticket_form(
    *, user: User, contact: Contact, source: QueryDict, files: Any = None, bound: bool
) -> NewTicketForm:
    """The new-ticket form with the category question and the custom fields that apply to the
    answers in `source` (the POST when sending; the GET when htmx asks again after a choice)."""
    form = NewTicketForm(source, files) if bound else NewTicketForm(initial=source.dict())
    categories = Category.objects.order_by("name")
    if categories.exists():
        form.fields["category"] = forms.ModelChoiceField(
            label=_("What is it about? (optional)"), queryset=categories, required=False, empty_label="—"
        )
    category = source.get("category", "")
    states = new_ticket_field_states(
        by=user,
        organisation_id=contact.organisation_id,
        category_id=int(category) if category.isdigit() else None,
        urgency=source.get("urgency") or Urgency.MEDIUM,
        impact=source.get("impact") or Impact.LOW,
        channel=Channel.PORTAL,
        values=_typed_so_far(source),
    )
    form.custom_field_names = []  # type: ignore[attr-defined]
    for state in states:
        if state.visible:
            name = PREFIX + state.field.key
            form.fields[name] = _form_field(state)
            form.custom_field_names.append(name)  # type: ignore[attr-defined]
    return form


def custom_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """key → value of the custom fields the form showed."""
    return {name.removeprefix(PREFIX): value for name, value in cleaned.items() if name.startswith(PREFIX)}


def add_custom_field_errors(form: forms.Form, error: CustomFieldsInvalid) -> None:
    for item in error.errors:
        name = PREFIX + item.key
        form.add_error(name if name in form.fields else None, item.message)
