"""Forms of merging this ticket into another and of splitting a comment off. Shapes and types
only: whether the merge or split is allowed is the services' answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.forms import VersionedForm


class MergeForm(VersionedForm):
    # Text, not a number input: agents type "#123" as often as "123"; the selector reads both.
    into = forms.CharField(
        label=_("Merge this ticket into ticket number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "Its comments, attachments, time, checklist, followers and links move there; this ticket is "
            "closed and its number leads there."
        ),
    )
    note = forms.CharField(label=_("Why (for the history)"), max_length=2000, required=False)


class SplitForm(VersionedForm):
    comment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    subject = forms.CharField(
        label=_("Subject of the new ticket"),
        max_length=250,
        required=False,
        help_text=_("Empty: the comment's first line."),
    )
