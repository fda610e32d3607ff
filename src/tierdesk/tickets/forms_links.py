"""Forms of the ticket page's Links panel and the resolve form with its open-children override.
Shapes and types only: whether a link or a parent is allowed is the services' answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.choices_links import LinkRole
from tierdesk.tickets.forms import ResolveForm, VersionedForm


def _number_field(label: Any) -> forms.CharField:
    # Text, not a number input: agents type "#123" as often as "123"; the selector reads both.
    return forms.CharField(label=label, max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class LinkForm(VersionedForm):
    kind = forms.ChoiceField(label=_("This ticket is"), choices=LinkRole.choices)
    number = _number_field(_("Ticket number"))


class UnlinkForm(VersionedForm):
    kind = forms.ChoiceField(choices=LinkRole.choices, widget=forms.HiddenInput)
    number = forms.CharField(max_length=20, widget=forms.HiddenInput)


class ParentForm(VersionedForm):
    number = _number_field(_("Parent ticket number"))


class DetachChildForm(VersionedForm):
    child = forms.CharField(max_length=20, widget=forms.HiddenInput)


class ChildForm(VersionedForm):
    subject = forms.CharField(label=_("Subject"), max_length=250)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Organisation, requester, category, urgency and impact are taken from this ticket."),
    )


class ResolveWithChildrenForm(ResolveForm):
    """The resolve form; the page drops the override when the ticket has no open children."""

    despite_open_children = forms.BooleanField(label=_("Resolve although child tickets are open"), required=False)
