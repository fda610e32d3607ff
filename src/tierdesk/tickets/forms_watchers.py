"""Forms of the ticket page's Followers panel. Shapes and types only: whether someone may
follow the ticket is the services' answer (services/watchers.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Contact, User
from tierdesk.tickets.forms import StaffChoiceField, VersionedForm


class ColleagueWatcherForm(VersionedForm):
    user = StaffChoiceField(label=_("Colleague"), queryset=User.objects.none())

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]


class ContactWatcherForm(VersionedForm):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]


class RemoveWatcherForm(VersionedForm):
    """One follower, as listed: a colleague's or a contact's id."""

    user = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
