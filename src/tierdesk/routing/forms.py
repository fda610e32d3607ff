"""Forms of the routing desk pages: validate and convert only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.services import MAX_REASON_LENGTH


class PresenceForm(forms.Form):
    status = forms.ChoiceField(label=_("Presence"), choices=PresenceStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON_LENGTH, required=False)
