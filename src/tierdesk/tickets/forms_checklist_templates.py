"""The form of the desk's checklist template page. It converts shapes only (the items textarea
into a list of lines, the category id into a category); whether a name or an item is acceptable,
and who may save, is services/checklists.py's answer, shown next to the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.models import Category, ChecklistTemplate


def item_lines(text: str) -> list[str]:
    """One item per line, in the order typed; blank lines (a trailing newline) are no items."""
    return [line for line in text.splitlines() if line.strip()]


class ChecklistTemplateEditForm(forms.Form):
    # Not required here: the service says why an empty name or list will not do.
    name = forms.CharField(label=_("Name"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Any category"),
        help_text=_("New tickets of this category get the items; “Any category”: every new ticket with a category."),
    )
    items = forms.CharField(
        label=_("Items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One item per line, in the order they are done."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, categories: QuerySet[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def template_fields(self) -> dict[str, Any]:
        """The service's keyword arguments (after is_valid)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "category": data["category"],
            "items": item_lines(data["items"]),
            "is_active": data["is_active"],
        }


def template_initial(template: ChecklistTemplate) -> dict[str, Any]:
    """The stored template as the form shows it (its items prefetched by the selector)."""
    return {
        "name": template.name,
        "category": template.category_id,
        "items": "\n".join(item.text for item in template.items.all()),
        "is_active": template.is_active,
    }
