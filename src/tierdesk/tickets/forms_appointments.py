"""Forms of the ticket page's Appointments panel. Shapes and types only: whether the time is free,
in the future and the people fit is the services' answer (services/appointments.py). Times are
entered in the agent's time zone (the active one) and stored as instants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Contact, User
from tierdesk.tickets.choices_appointments import AppointmentKind
from tierdesk.tickets.forms import StaffChoiceField, VersionedForm
from tierdesk.tickets.models.appointments import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from tierdesk.tickets.services.appointments import MAX_LOCATION_LENGTH, MAX_NOTE_LENGTH

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def _start_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Starts"),
        input_formats=[LOCAL_INPUT_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT_FORMAT),
    )


def _duration_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Minutes"), min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, initial=30
    )


class AppointmentScheduleForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    starts_at = _start_field()
    duration_minutes = _duration_field()
    agent = StaffChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Me"))
    contact = forms.ModelChoiceField(
        label=_("With"), queryset=Contact.objects.none(), required=False, empty_label=_("The requester")
    )
    location = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=MAX_LOCATION_LENGTH,
        help_text=_("The remote session link, a phone number or an address."),
    )
    note = forms.CharField(
        label=_("Note for the customer"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, staff: QuerySet[User], contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]


class AppointmentRescheduleForm(VersionedForm):
    """One listed appointment moved: its id, the new start and length."""

    appointment = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    starts_at = _start_field()
    duration_minutes = _duration_field()


class AppointmentCloseForm(VersionedForm):
    """One listed appointment cancelled or marked done."""

    appointment = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
