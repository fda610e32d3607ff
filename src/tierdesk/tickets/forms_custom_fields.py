"""Forms of custom fields: the values on the desk's ticket page and the portal's new-ticket form
(both built from the fields that apply), and the definition form of the desk's admin page.

They convert shapes only: whether a value fits its type, is required or may be set under the
conditions is decided by services/custom_fields.py, whose errors (one per bad field) the views
put back next to the fields named `custom_fields.<key>`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation
from tierdesk.accounts.selectors import staff_users
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.forms import VersionedForm
from tierdesk.tickets.models import Category, CustomField
from tierdesk.tickets.models.custom_fields import MAX_TEXT_LENGTH
from tierdesk.tickets.selectors_custom_fields import FieldState, display_value, fact_value
from tierdesk.tickets.services.custom_fields import CustomFieldsInvalid

FIELD_PREFIX = "custom_fields."


def form_field(field: CustomField, *, required: bool, staff_choices: Sequence[tuple[str, str]] = ()) -> forms.Field:
    """The form field of a custom field; never required by the form (the service decides), the
    label says when it is."""
    label = f"{field.label} *" if required else field.label
    common: dict[str, Any] = {"label": label, "required": False, "help_text": field.help_text}
    kind = field.field_type
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in field.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.USER:
        return forms.ChoiceField(choices=[("", "—"), *staff_choices], **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), max_length=10, **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=30, **common)
    return forms.CharField(max_length=MAX_TEXT_LENGTH, **common)


def initial_of(value: Any) -> Any:
    """A stored value as a form shows it."""
    if isinstance(value, list):
        return value
    fact = fact_value(value)
    return str(fact) if isinstance(fact, int) else display_value(value)


def add_custom_fields(form: forms.Form, states: Iterable[FieldState], *, with_initial: bool = True) -> list[str]:
    """Add a form field per visible state (named custom_fields.<key>); returns their names."""
    states = [state for state in states if state.visible]
    staff = (
        [(str(user.pk), user.display_name) for user in staff_users()]
        if any(state.field.field_type == FieldType.USER for state in states)
        else []
    )
    names = []
    for state in states:
        name = FIELD_PREFIX + state.field.key
        form.fields[name] = form_field(state.field, required=state.required, staff_choices=staff)
        if with_initial and state.value is not None:
            form.initial[name] = initial_of(state.value)
        names.append(name)
    return names


def submitted_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """key → value of the custom fields in a form's cleaned data."""
    return {name.removeprefix(FIELD_PREFIX): value for name, value in cleaned.items() if name.startswith(FIELD_PREFIX)}


def add_field_errors(form: forms.Form, error: CustomFieldsInvalid) -> None:
    """Each bad field's message next to it (or above the form for a field it does not show)."""
    for item in error.errors:
        name = FIELD_PREFIX + item.key
        form.add_error(name if name in form.fields else None, item.message)


class CustomFieldValuesForm(VersionedForm):
    """The values of the fields that apply to a ticket and are visible now. A field that a
    change makes visible appears once the change is saved."""

    def __init__(self, *args: Any, states: Sequence[FieldState], values: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.states = list(states)
        self.values = dict(values)
        add_custom_fields(self, self.states)

    @property
    def hidden_with_values(self) -> list[FieldState]:
        """Fields that do not apply now but keep a stored value (shown, so nothing seems lost)."""
        return [state for state in self.states if not state.visible and state.value is not None]


# --- the definition (desk admin page) --------------------------------------------------------------


def _condition_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "code"}),
        help_text=_('JSON, e.g. {"fact": "cf_os", "op": "eq", "value": "linux"}; empty for none.'),
    )


class CustomFieldForm(forms.Form):
    """A definition: choices one per line, conditions as JSON (checked by the service)."""

    key = forms.SlugField(label=_("Key"), max_length=40, help_text=_("a-z, 0-9 and _; cannot change later."))
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For (multiple) choice fields: one per line."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Only for organisation"), queryset=Organisation.objects.none(), required=False, empty_label=_("All")
    )
    category = forms.ModelChoiceField(
        label=_("Only for category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    required = forms.BooleanField(label=_("Always required"), required=False)
    required_when = _condition_field(_("Required when"))
    visible_when = _condition_field(_("Visible when"))
    visible_to_customer = forms.BooleanField(label=_("Customers see and fill it (portal)"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        categories: QuerySet[Category],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        if editing:
            self.fields["key"].disabled = True

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in str(self.cleaned_data.get("choices") or "").splitlines() if line.strip()]

    def _json(self, name: str) -> Any:
        text = str(self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON."), code="json") from None

    def clean_required_when(self) -> Any:
        return self._json("required_when")

    def clean_visible_when(self) -> Any:
        return self._json("visible_when")


def definition_initial(field: CustomField) -> dict[str, Any]:
    """A definition as the form shows it."""
    return {
        "key": field.key,
        "label": field.label,
        "field_type": field.field_type,
        "help_text": field.help_text,
        "choices": "\n".join(field.choices),
        "organisation": field.organisation_id,
        "category": field.category_id,
        "required": field.required,
        "required_when": json.dumps(field.required_when) if field.required_when else "",
        "visible_when": json.dumps(field.visible_when) if field.visible_when else "",
        "visible_to_customer": field.visible_to_customer,
        "position": field.position,
        "is_active": field.is_active,
    }


class CustomFieldFilterForm(forms.Form):
    """The board's custom field filters: one input per active field, named cf_<key> like the
    API's filters (selectors_custom_fields); an empty one filters nothing, a bad one is ignored."""

    def __init__(self, *args: Any, fields: Iterable[CustomField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = list(fields)
        staff = (
            [(str(user.pk), user.display_name) for user in staff_users()]
            if any(field.field_type == FieldType.USER for field in fields)
            else []
        )
        for field in fields:
            choice: forms.Field
            if field.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
                choice = forms.ChoiceField(
                    label=field.label, required=False, choices=[("", _("Any")), *[(c, c) for c in field.choices]]
                )
            elif field.field_type == FieldType.USER:
                choice = forms.ChoiceField(label=field.label, required=False, choices=[("", _("Anyone")), *staff])
            else:
                choice = form_field(field, required=False)
                choice.help_text = ""
            self.fields[f"cf_{field.key}"] = choice
