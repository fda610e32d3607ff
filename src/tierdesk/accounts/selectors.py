"""Reads of the accounts domain, always scoped to the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import AUTOMATION_USERNAME, STAFF_ROLES
from tierdesk.accounts.errors import ContactNotFound, OrganisationNotFound, UserNotFound
from tierdesk.accounts.models import AccessNote, Contact, Organisation, User
from tierdesk.accounts.permissions import (
    can_read_access_notes,
    can_unlock_logins,
    visible_contacts,
    visible_organisations,
)
from tierdesk.accounts.phones import normalise_phone


def organisation_get_for(*, user: Any, organisation_id: int) -> Organisation:
    try:
        return visible_organisations(user).select_related("case_manager").get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise OrganisationNotFound(_("No such organisation.")) from None


def organisation_list_for(*, user: Any, q: str = "", with_domains: bool = False) -> QuerySet[Organisation]:
    qs = visible_organisations(user).order_by("name", "id")
    if with_domains:
        qs = qs.prefetch_related("domains")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def contact_get_for(*, user: Any, contact_id: int) -> Contact:
    try:
        return visible_contacts(user).select_related("organisation").prefetch_related("phones").get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise ContactNotFound(_("No such contact.")) from None


def contact_list_for(*, user: Any, organisation_id: int | None = None, q: str = "") -> QuerySet[Contact]:
    qs = visible_contacts(user).select_related("organisation").prefetch_related("phones")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(email__icontains=q)
    return qs.order_by("organisation_id", "name", "id")


def contact_find_by_phone(*, user: Any, phone: str) -> Contact:
    """The contact behind a caller's number (exact E.164 match on an index)."""
    number = normalise_phone(phone)
    contact = (
        visible_contacts(user)
        .filter(phones__number=number, is_active=True)
        .select_related("organisation")
        .prefetch_related("phones")
        .order_by("id")
        .first()
    )
    if contact is None:
        raise ContactNotFound(_("No contact has this phone number."))
    return contact


def access_notes_for(*, user: Any, organisation: Organisation) -> QuerySet[AccessNote]:
    if not can_read_access_notes(user):
        return AccessNote.objects.none()
    return organisation.access_notes.order_by("title")


def staff_users() -> QuerySet[User]:
    """Active staff members, not the automation user (nobody assigns work to it)."""
    return (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(username=AUTOMATION_USERNAME)
        .select_related("agent")
        .order_by("username")
    )


def staff_user_get(*, user_id: int) -> User:
    """An active staff member by id (e.g. the assignee named in an API call)."""
    try:
        return staff_users().get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise UserNotFound(_("No such agent."), field="assignee") from None


@dataclass(frozen=True)
class LockedLogin:
    username: str
    ip_address: str
    failures: int
    last_attempt: datetime


def locked_logins(*, user: Any) -> list[LockedLogin]:
    """Sign-ins locked out now (failures at the limit within the cool-off), for an admin; else none."""
    if not can_unlock_logins(user):
        return []
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time", "id")[:200]
    return [
        LockedLogin(
            username=attempt.username or "",
            ip_address=attempt.ip_address or "",
            failures=attempt.failures_since_start,
            last_attempt=attempt.attempt_time,
        )
        for attempt in attempts
    ]
