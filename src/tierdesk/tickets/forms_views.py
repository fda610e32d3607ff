"""Forms of the desk's ticket list: its filters (GET), saving a view, and a bulk action on the
selection. They validate shapes and convert types only; the services (view_spec, bulk) decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation, User
from tierdesk.tickets import view_spec
from tierdesk.tickets.choices import Level, Priority, Status, WaitingOn
from tierdesk.tickets.forms import StaffChoiceField
from tierdesk.tickets.models import Macro
from tierdesk.tickets.models.views import MAX_VIEW_NAME_LENGTH, SortDirection
from tierdesk.tickets.services.bulk import BulkAction

# The bulk actions offered, in the action bar's order. Merge appears once the service has it.
BULK_LABELS: dict[str, Promise] = {
    "assign": _("Assign"),
    "wait": _("Wait"),
    "resume": _("Resume"),
    "resolve": _("Resolve"),
    "reopen": _("Reopen"),
    "set_priority": _("Set priority"),
    "add_tags": _("Add tags"),
    "remove_tags": _("Remove tags"),
    "apply_macro": _("Apply macro"),
    "merge": _("Merge into ticket"),
}
# Which text each action sends as its free text (the note, resolution or reopening reason).
TEXT_PARAM = {"wait": "note", "resume": "note", "resolve": "resolution", "reopen": "reason"}


def bulk_action_choices() -> list[tuple[str, Promise]]:
    offered = {action.value for action in BulkAction}
    return [(key, label) for key, label in BULK_LABELS.items() if key in offered]


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class TicketListFilterForm(forms.Form):
    """The list's filters as GET parameters; invalid values drop only themselves (as on the board)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=view_spec.MAX_QUERY_LENGTH)
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=Status.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    level = forms.MultipleChoiceField(
        label=_("Level"), choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.MultipleChoiceField(
        label=_("Priority"), choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation = forms.ModelMultipleChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    assignee = StaffMultipleChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    mine = forms.BooleanField(label=_("My tickets"), required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]
        self.fields["organisation"].widget.attrs["size"] = 3
        self.fields["assignee"].widget.attrs["size"] = 3
        self.fields["q"].widget.attrs.update(
            {"id": "list-search", "type": "search", "data-shortcut": "search", "aria-keyshortcuts": "/"}
        )

    @staticmethod
    def initial_from(filters: dict[str, Any]) -> dict[str, Any]:
        """A saved view's filters as this form's initial values."""
        return {
            "q": filters.get("q", ""),
            "status": filters.get("status", []),
            "level": filters.get("level", []),
            "priority": filters.get("priority", []),
            "organisation": filters.get("organisation_ids", []),
            "assignee": filters.get("assignee_ids", []),
            "unassigned": filters.get("unassigned", False),
            "mine": filters.get("mine", False),
        }

    def filters(self) -> dict[str, Any]:
        """The valid fields as view filters (view_spec.clean_filters' shape)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        raw = {
            "q": data.get("q", ""),
            "status": list(data.get("status") or []),
            "level": list(data.get("level") or []),
            "priority": list(data.get("priority") or []),
            "organisation_ids": [o.pk for o in data.get("organisation") or []],
            "assignee_ids": [u.pk for u in data.get("assignee") or []],
            "unassigned": bool(data.get("unassigned")),
            "mine": bool(data.get("mine")),
        }
        return view_spec.clean_filters(raw)


def custom_field_filters_of(params: Any) -> dict[str, Any]:
    """The `cf_*` query parameters as view filters (one value, or a list of several)."""
    found: dict[str, Any] = {}
    for name in params:
        if name.startswith(view_spec.CUSTOM_FIELD_PREFIX):
            values = [v for v in params.getlist(name) if v.strip()]
            if values:
                found[name] = values[0] if len(values) == 1 else values
    return found


class SavedViewForm(forms.Form):
    """Save the list as it is (filters, as JSON from the page) under a name, with columns and sort."""

    name = forms.CharField(label=_("Name"), max_length=MAX_VIEW_NAME_LENGTH)
    is_shared = forms.BooleanField(label=_("Share with all staff"), required=False)
    columns = forms.MultipleChoiceField(
        label=_("Columns"), choices=list(view_spec.COLUMNS.items()), widget=forms.CheckboxSelectMultiple
    )
    sort_field = forms.ChoiceField(label=_("Sort by"), choices=list(view_spec.SORT_LABELS.items()))
    sort_direction = forms.ChoiceField(label=_("Direction"), choices=SortDirection.choices)
    filters = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, column_order: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if column_order:
            # The view's own columns first, in its order, so saving keeps that order.
            rest = [key for key in view_spec.COLUMNS if key not in column_order]
            self.fields["columns"].choices = [(key, view_spec.COLUMNS[key]) for key in [*column_order, *rest]]  # type: ignore[attr-defined]

    def clean_filters(self) -> Any:
        raw = self.cleaned_data.get("filters") or "{}"
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The filters could not be read.")) from None

    def clean_columns(self) -> list[str]:
        # The checkboxes arrive in page order, which is the order offered.
        return list(self.cleaned_data.get("columns") or [])


class BulkForm(forms.Form):
    """A bulk action on the ticket numbers ticked in the list."""

    action = forms.ChoiceField(label=_("Action"), choices=[])
    assignee = StaffChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    on = forms.ChoiceField(label=_("Waiting on"), choices=WaitingOn.choices, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=500)
    macro = forms.ModelChoiceField(label=_("Macro"), queryset=Macro.objects.none(), required=False)
    text = forms.CharField(
        label=_("Note, resolution or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Resolving needs a resolution, reopening a reason."),
    )
    into = forms.IntegerField(label=_("Merge into ticket number"), required=False, min_value=1)

    def __init__(self, *args: Any, staff: QuerySet[User], macros: QuerySet[Macro], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = bulk_action_choices()  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]
        self.fields["macro"].queryset = macros  # type: ignore[attr-defined]

    def numbers(self) -> list[int]:
        """The ticked numbers (checkboxes `numbers`); the service answers for unknown ones, an
        empty selection and one over its limit, with its own codes."""
        values = self.data.getlist("numbers") if hasattr(self.data, "getlist") else []
        return [int(value) for value in values if str(value).isdigit()]

    def params(self) -> dict[str, Any]:
        """The bulk service's params of the chosen action, from the fields that belong to it."""
        data = self.cleaned_data
        action = data["action"]
        if action == "assign":
            assignee = data.get("assignee")
            return {"assignee": assignee.pk if assignee is not None else None}
        if action == "set_priority":
            return {"priority": data.get("priority")}
        if action in ("add_tags", "remove_tags"):
            return {"tags": [tag.strip() for tag in (data.get("tags") or "").split(",") if tag.strip()]}
        if action == "apply_macro":
            macro = data.get("macro")
            return {"macro": macro.pk if macro is not None else None}
        if action == "merge":
            return {"into": data.get("into")}
        params: dict[str, Any] = {TEXT_PARAM[action]: data.get("text", "")}
        if action == "wait":
            params["on"] = data.get("on")
        return params
