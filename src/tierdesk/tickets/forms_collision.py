"""The reply form with collision detection: the newest public reply the agent saw travels with
the text, and the "send anyway" box appears only after a newer reply stopped the first attempt."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.forms import ReplyForm


class ReplyWithSeenForm(ReplyForm):
    """The page drops `confirm_despite_newer` unless it is answering a reply conflict."""

    seen_comment = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confirm_despite_newer = forms.BooleanField(label=_("Send anyway: I have read the newer reply"), required=False)
