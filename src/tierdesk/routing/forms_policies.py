"""The form of the desk's assignment policy page: shapes and types only. Whether a name, a level,
a mode or a maximum is acceptable, and whether the level (and category) has a policy already, is
routing/services.py's answer, shown next to the field it names."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import Level
from tierdesk.routing.choices import AssignmentMode
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.tickets.models import Category

# The service names the category `category_id`; the form calls it `category`.
SERVICE_FIELDS = {"category_id": "category"}


class PolicyForm(forms.Form):
    # Not required here: the service says why an empty name will not do.
    name = forms.CharField(label=_("Name"), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Every category"),
        help_text=_("A category's own policy wins over the policy for the whole level."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=AssignmentMode.choices)
    max_open_tickets = forms.IntegerField(
        label=_("Maximum open tickets per agent"),
        help_text=_("An agent with this many unfinished tickets gets no more from routing."),
    )
    respect_language = forms.BooleanField(
        label=_("Match the customer's language"),
        required=False,
        help_text=_("Prefer agents who speak the requester's language; anyone when nobody available does."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, categories: QuerySet[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def policy_fields(self) -> dict[str, Any]:
        """The service's keyword arguments (after is_valid)."""
        data = dict(self.cleaned_data)
        category = data.pop("category")
        return {**data, "category_id": category.pk if category is not None else None}

    def field_of(self, service_field: str | None) -> str | None:
        """The form field a service error belongs to, or None (a banner only)."""
        if service_field is None:
            return None
        name = SERVICE_FIELDS.get(service_field, service_field)
        return name if name in self.fields else None


def policy_initial(policy: AssignmentPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "level": policy.level,
        "category": policy.category_id,
        "mode": policy.mode,
        "max_open_tickets": policy.max_open_tickets,
        "respect_language": policy.respect_language,
        "is_active": policy.is_active,
    }


def new_policy_initial() -> dict[str, Any]:
    """A new policy's form starts from the model's defaults."""
    fields = ("mode", "max_open_tickets", "respect_language", "is_active")
    return {name: cast(models.Field[Any, Any], AssignmentPolicy._meta.get_field(name)).get_default() for name in fields}
