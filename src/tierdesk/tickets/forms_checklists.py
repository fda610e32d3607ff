"""Forms of the ticket page's Checklist panel. Shapes and types only: who may change a checklist
and what a text may hold is the services' answer (services/checklists.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.forms import VersionedForm
from tierdesk.tickets.models import ChecklistTemplate
from tierdesk.tickets.models.checklists import MAX_ITEM_LENGTH


class ChecklistAddForm(VersionedForm):
    text = forms.CharField(label=_("New item"), max_length=MAX_ITEM_LENGTH)


class ChecklistItemForm(VersionedForm):
    """One item, as listed (remove)."""

    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ChecklistToggleForm(ChecklistItemForm):
    done = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )


class ChecklistTemplateForm(VersionedForm):
    template = forms.ModelChoiceField(label=_("Template"), queryset=ChecklistTemplate.objects.none())

    def __init__(self, *args: Any, templates: QuerySet[ChecklistTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
