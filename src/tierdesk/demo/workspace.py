"""The agent-workspace part of the demo: shared saved views on the desk's ticket list, two custom
fields, each organisation's e-mail domain (single sign-on places new customers by it) and a
first-level assignment policy that is switched off, so that whoever tries the demo switches it on
and sets themself available to see tickets arrive.

Idempotent like the rest of the loader: each item is looked up by its natural key first and only
added when missing; everything goes through the ordinary services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tierdesk.accounts.models import Organisation, OrganisationDomain, User
from tierdesk.accounts.services import organisation_update
from tierdesk.routing.choices import AssignmentMode
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.routing.services import policy_create
from tierdesk.tickets.choices import Level
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.models import CustomField, SavedView
from tierdesk.tickets.services.custom_fields import custom_field_create
from tierdesk.tickets.services.views import saved_view_create


@dataclass(frozen=True)
class ViewSpec:
    name: str
    filters: dict[str, Any]
    columns: tuple[str, ...] = ("number", "subject", "organisation", "status", "priority", "assignee", "due_at")
    sort_field: str = "priority"


SHARED_VIEWS = (
    ViewSpec("Burning: P1 and P2", {"priority": ["p1", "p2"], "status": ["new", "open", "waiting"]}),
    ViewSpec("First level, nobody on it", {"level": ["first"], "unassigned": True, "status": ["new", "open"]}),
    ViewSpec("Waiting", {"status": ["waiting"]}, sort_field="updated_at"),
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    field_type: str
    help_text: str
    choices: tuple[str, ...] = ()
    visible_to_customer: bool = False


CUSTOM_FIELDS = (
    FieldSpec("asset_tag", "Asset tag", FieldType.TEXT, "The sticker on the device, e.g. WS-0412."),
    FieldSpec(
        "operating_system",
        "Operating system",
        FieldType.CHOICE,
        "On the device the ticket is about.",
        choices=("Windows 11", "Windows 10", "macOS", "Linux", "iOS", "Android"),
        visible_to_customer=True,
    ),
)

POLICY_NAME = "First level: least loaded"


def _views(case_manager: User) -> int:
    added = 0
    for spec in SHARED_VIEWS:
        if SavedView.objects.filter(owner=case_manager, name=spec.name).exists():
            continue
        saved_view_create(
            by=case_manager,
            name=spec.name,
            filters=spec.filters,
            columns=spec.columns,
            sort_field=spec.sort_field,
            is_shared=True,
        )
        added += 1
    return added


def _fields(admin: User) -> int:
    added = 0
    for spec in CUSTOM_FIELDS:
        if CustomField.objects.filter(key=spec.key).exists():
            continue
        custom_field_create(
            by=admin,
            key=spec.key,
            label=spec.label,
            field_type=spec.field_type,
            help_text=spec.help_text,
            choices=spec.choices,
            visible_to_customer=spec.visible_to_customer,
        )
        added += 1
    return added


def _domains(admin: User, organisation: Organisation, addresses: Iterable[str]) -> int:
    """The organisation's contacts' mail domain, unless another organisation holds it already."""
    domains = sorted({address.rpartition("@")[2].lower() for address in addresses if "@" in address})
    taken = set(OrganisationDomain.objects.filter(domain__in=domains).values_list("domain", flat=True))
    free = [domain for domain in domains if domain not in taken]
    if not free:
        return 0
    own = list(OrganisationDomain.objects.filter(organisation=organisation).values_list("domain", flat=True))
    organisation_update(by=admin, organisation=organisation, domains=[*own, *free])
    return len(free)


def _policy(admin: User) -> int:
    if AssignmentPolicy.objects.filter(name=POLICY_NAME).exists():
        return 0
    policy_create(
        by=admin,
        name=POLICY_NAME,
        level=Level.FIRST,
        mode=AssignmentMode.LEAST_LOADED,
        max_open_tickets=15,
        respect_language=True,
        is_active=False,
    )
    return 1


def demo_workspace(*, admin: User, case_manager: User, contact_addresses: dict[Organisation, list[str]]) -> int:
    """Add what is missing; returns how many items were added (0 on a second run)."""
    added = _views(case_manager) + _fields(admin) + _policy(admin)
    for organisation, addresses in contact_addresses.items():
        added += _domains(admin, organisation, addresses)
    return added
