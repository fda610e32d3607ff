"""Forms of the agent desk. They validate shapes and convert types only.

Domain rules (an empty reply, a short handover note, a missing bug key, a wrong status) are
left to the services on purpose, so that the web UI and the API answer with the same codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation, User
from tierdesk.tickets.choices import Impact, Level, Priority, Urgency, WaitingOn
from tierdesk.tickets.models import Macro


class StaffChoiceField(forms.ModelChoiceField[User]):
    """Staff shown by their names, not their usernames."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _text(label: Any, *, rows: int = 4, help_text: Any = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows, **attrs})
    )


class BoardFilterForm(forms.Form):
    """The board's filters, read from GET parameters; invalid values are simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False, empty_label=_("All")
    )
    priority = forms.MultipleChoiceField(
        label=_("Priority"), choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    assignee = StaffChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    mine = forms.BooleanField(label=_("My tickets"), required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update(
            {"id": "board-search", "type": "search", "data-shortcut": "search", "aria-keyshortcuts": "/"}
        )


class VersionedForm(forms.Form):
    """Every change carries the version of the ticket the agent was looking at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    body = _text(_("Message"), rows=6, **{"data-shortcut": "reply", "aria-keyshortcuts": "r"})
    is_internal = forms.BooleanField(label=_("Internal note (only staff see it)"), required=False)


class AssignForm(VersionedForm):
    assignee = StaffChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class EscalateForm(VersionedForm):
    to_level = forms.ChoiceField(label=_("Hand over to"), choices=[])
    handover_note = _text(_("Handover note"), help_text=_("What was tried, what the colleague needs to know."))
    bug_key = forms.CharField(label=_("Bug key"), required=False, max_length=100, help_text=_("Development only."))
    bug_url = forms.CharField(label=_("Bug URL"), required=False, max_length=500, help_text=_("Development only."))

    def __init__(self, *args: Any, levels: list[Level], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = [(level.value, level.label) for level in levels]  # type: ignore[attr-defined]


class WaitForm(VersionedForm):
    on = forms.ChoiceField(label=_("Waiting on"), choices=WaitingOn.choices)
    note = _text(_("Note"), rows=2)


class ResumeForm(VersionedForm):
    note = _text(_("Note"), rows=2)


class TimeForm(VersionedForm):
    # No range here: the service owns the limits (1 to 1440) and answers with its own code.
    minutes = forms.IntegerField(label=_("Minutes"), widget=forms.NumberInput(attrs={"min": 1, "max": 1440}))
    note = forms.CharField(label=_("What was done"), required=False, max_length=500)
    is_billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)


class ResolveForm(VersionedForm):
    resolution = _text(_("Resolution"), help_text=_("The customer reads this."))


class ReopenForm(VersionedForm):
    reason = _text(_("Reason"), rows=2)


class ConfirmForm(VersionedForm):
    note = _text(_("How did the customer confirm?"), rows=2)


class PriorityForm(VersionedForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices)


class AttachmentForm(VersionedForm):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    is_internal = forms.BooleanField(label=_("Internal (only staff see it)"), required=False)


class SecondLevelDecisionForm(VersionedForm):
    DECISIONS = (("approve", _("Approve: hand over to second level")), ("decline", _("Decline: tell the customer why")))

    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = _text(_("Note"), rows=3, help_text=_("The handover note, or the answer to the customer."))


class AccessNoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = _text(_("Access details"), rows=4, help_text=_("Stored encrypted; every view is recorded."))


class MacroForm(VersionedForm):
    """Pick a macro to apply. The macros are read once, grouped by language in the given order
    (the agent's own language first); the field hands the chosen Macro to the service."""

    macro = forms.TypedChoiceField(label=_("Macro"), choices=[], coerce=int)

    def __init__(self, *args: Any, macros: Iterable[Macro], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.macros: dict[int, Macro] = {macro.pk: macro for macro in macros}
        languages = dict(settings.LANGUAGES)
        groups: dict[str, list[tuple[int, str]]] = {}
        for macro in self.macros.values():
            label = f"{macro.name} ({_('internal note')})" if macro.is_internal else macro.name
            groups.setdefault(str(languages.get(macro.language, macro.language)), []).append((macro.pk, label))
        self.fields["macro"].choices = [("", _("Choose a macro")), *groups.items()]  # type: ignore[attr-defined]

    def clean_macro(self) -> Macro:
        return self.macros[self.cleaned_data["macro"]]
