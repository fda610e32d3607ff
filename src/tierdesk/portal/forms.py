"""Portal forms: validate and convert the customer's input, nothing more.

They never create or change tickets (the views call the tickets services), and they declare
only what a customer may set: organisation, requester, status and priority are not fields,
so extra POST fields have nowhere to go."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.choices import Impact, Urgency

# The urgency x impact questions in the customer's words; the values are the domain's.
URGENCY_ANSWERS = [
    (Urgency.HIGH.value, _("It stops my work now")),
    (Urgency.MEDIUM.value, _("It slows my work")),
    (Urgency.LOW.value, _("It can wait")),
]
IMPACT_ANSWERS = [
    (Impact.HIGH.value, _("Everyone in our organisation")),
    (Impact.MEDIUM.value, _("Some of us")),
    (Impact.LOW.value, _("Only me")),
]


class NewTicketForm(forms.Form):
    subject = forms.CharField(label=_("What is the problem, in a few words?"), max_length=250)
    description = forms.CharField(
        label=_("Tell us more"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what did you expect, and since when?"),
    )
    urgency = forms.ChoiceField(
        label=_("How much does it hold up your work?"), choices=URGENCY_ANSWERS, widget=forms.RadioSelect
    )
    impact = forms.ChoiceField(label=_("Who is affected?"), choices=IMPACT_ANSWERS, widget=forms.RadioSelect)
    attachment = forms.FileField(label=_("Attach a file (optional)"), required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    attachment = forms.FileField(label=_("Attach a file (optional)"), required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not str(cleaned.get("body") or "").strip() and not cleaned.get("attachment"):
            raise forms.ValidationError(_("Write a reply or choose a file."), code="empty")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReopenForm(ReasonForm):
    reason = forms.CharField(label=_("What is still wrong?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class SecondLevelForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why should a specialist take over?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


SCOPE_CHOICES = [("all", _("Everyone in our organisation")), ("mine", _("Only mine"))]
STATUS_FILTER_CHOICES = [("", _("Any status")), ("open", _("Open")), ("resolved", _("Solved")), ("closed", _("Closed"))]


class TicketListFilterForm(forms.Form):
    """The list's filters; unknown values fall back to the defaults instead of failing."""

    scope = forms.ChoiceField(
        label=_("Whose tickets"),
        choices=SCOPE_CHOICES,
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_FILTER_CHOICES,
        required=False,
    )
