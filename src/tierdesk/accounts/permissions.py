"""Who may see and do what, in one place for the API and the web UI alike."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tierdesk.accounts.choices import Role
from tierdesk.accounts.models import Contact, Organisation, User


def is_staff_member(user: Any) -> bool:
    """Agents, case managers and admins: they work tickets of every organisation."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_staff_member


def is_case_manager(user: Any) -> bool:
    return is_staff_member(user) and user.role in {Role.CASE_MANAGER, Role.ADMIN}


def is_admin(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN


def is_customer(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and user.role in {Role.CUSTOMER, Role.CUSTOMER_ADMIN}
    )


def contact_of(user: Any) -> Contact | None:
    """The contact record behind a customer login, or None (staff, anonymous, unlinked)."""
    if not is_customer(user):
        return None
    try:
        contact: Contact = user.contact
    except Contact.DoesNotExist:
        return None
    if not contact.is_active or not contact.organisation.is_active:
        return None
    return contact


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    if is_staff_member(user):
        return Organisation.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=contact.organisation_id)


def visible_contacts(user: Any) -> QuerySet[Contact]:
    if is_staff_member(user):
        return Contact.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Contact.objects.none()
    if user.role == Role.CUSTOMER_ADMIN:
        return Contact.objects.filter(organisation_id=contact.organisation_id)
    return Contact.objects.filter(pk=contact.pk)


def can_manage_organisations(user: Any) -> bool:
    """Create and edit organisations and contacts: staff members."""
    return is_staff_member(user)


def can_read_access_notes(user: Any) -> bool:
    return is_staff_member(user)


def can_unlock_logins(user: User | Any) -> bool:
    return is_admin(user)
