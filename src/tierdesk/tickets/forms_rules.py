"""The desk's form of an automation rule: conditions and actions typed in the text syntax.

It checks shapes and converts types only. Whether the text parses, names known fields and values,
and makes a valid rule is for the rule services, so that the desk and the API answer alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.automation.vocabulary import MAX_RULE_TEXT, actions_text, conditions_text
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Rule, RuleTrigger
from tierdesk.tickets.services.rules import MAX_POSITION

# Typed code, not prose: no spell checking or automatic capitals in the rule texts.
CODE_ATTRS = {"spellcheck": "false", "autocapitalize": "off", "autocomplete": "off", "aria-describedby": "rule-help"}


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    trigger = forms.ChoiceField(
        label=_("Runs"), choices=RuleTrigger.choices, initial=RuleTrigger.EVENT, widget=forms.RadioSelect
    )
    events = forms.MultipleChoiceField(
        label=_("After these changes (rules on a change)"),
        choices=HistoryAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions_text = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=MAX_RULE_TEXT,
        help_text=_("One per line, or joined by AND; all must hold. None: every ticket."),
        widget=forms.Textarea(attrs={"rows": 6, **CODE_ATTRS}),
    )
    actions_text = forms.CharField(
        label=_("Actions"),
        required=False,
        max_length=MAX_RULE_TEXT,
        help_text=_("One per line, carried out in order."),
        widget=forms.Textarea(attrs={"rows": 4, **CODE_ATTRS}),
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=MAX_POSITION,
        initial=100,
        help_text=_("Rules run in this order, lowest first."),
    )

    def rule_fields(self) -> dict[str, Any]:
        """Keyword arguments for rule_create / rule_update. The events boxes belong to rules on a
        change: a time rule ignores them instead of being refused for boxes left ticked."""
        data = self.cleaned_data
        is_time = data["trigger"] == RuleTrigger.TIME
        return {
            "name": data["name"],
            "description": data["description"],
            "trigger": data["trigger"],
            "events": [] if is_time else list(data["events"]),
            "conditions_text": data["conditions_text"],
            "actions_text": data["actions_text"],
            "is_enabled": data["is_enabled"],
            "position": data["position"],
        }


class RuleEditForm(RuleForm):
    """Changing a rule carries the version it was read at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def rule_initial(rule: Rule) -> dict[str, Any]:
    """The edit form's values for a stored rule. A text is None (blank) when the stored JSON has
    no text form; the page says so."""
    return {
        "name": rule.name,
        "description": rule.description,
        "trigger": rule.trigger,
        "events": list(rule.events),
        "conditions_text": conditions_text(rule.conditions) or "",
        "actions_text": actions_text(rule.actions) or "",
        "is_enabled": rule.is_enabled,
        "position": rule.position,
        "version": rule.version,
    }


# The form field a service error belongs to: "conditions[2].value" and "conditions" are the text.
ERROR_FIELDS = {"conditions": "conditions_text", "actions": "actions_text"}


def field_of(error_field: str | None) -> str | None:
    """The form field a service error's `field` names, or None when it names no field of the form."""
    if not error_field:
        return None
    head = error_field.split("[", 1)[0].split(".", 1)[0]
    name = ERROR_FIELDS.get(head, head)
    return name if name in RuleEditForm.base_fields else None
