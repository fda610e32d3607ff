"""Input and output shapes of the accounts API: the caller, organisations, contacts, unlocks.

Customers get customer-safe output schemas (no internal notes about their organisation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.accounts.permissions import can_manage_organisations, contact_of

MAX_PHONES = 10


def _language(value: str) -> str:
    if value not in dict(settings.LANGUAGES):
        raise ValueError(f"language must be one of {', '.join(dict(settings.LANGUAGES))}")
    return value


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("not a valid e-mail address") from None
    return value


Language = Annotated[str, AfterValidator(_language)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Country = Annotated[str, Field(pattern=r"^([A-Za-z]{2})?$", description="ISO 3166 alpha-2 code, or empty")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Phones = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=MAX_PHONES)]
MAX_DOMAINS = 50
Domains = Annotated[
    list[Annotated[str, Field(max_length=253)]],
    Field(max_length=MAX_DOMAINS, description="e-mail domains: single sign-on puts new contacts at them here"),
]


class OrganisationRef(OutSchema):
    id: int
    name: str


class MeOut(OutSchema):
    id: int
    username: str
    display_name: str
    role: str
    language: str
    is_staff_member: bool
    level: str | None = None
    organisation: OrganisationRef | None = None
    contact_id: int | None = None

    @staticmethod
    def resolve_level(obj: User) -> str | None:
        agent = getattr(obj, "agent", None) if obj.is_staff_member else None
        return str(agent.level) if agent is not None else None

    @staticmethod
    def resolve_organisation(obj: User) -> Any:
        contact = contact_of(obj)
        return contact.organisation if contact is not None else None

    @staticmethod
    def resolve_contact_id(obj: User) -> int | None:
        contact = contact_of(obj)
        return contact.pk if contact is not None else None


class CustomerOrganisationOut(OutSchema):
    """What a customer sees of their own organisation."""

    id: int
    name: str
    country: str
    language: str


class OrganisationOut(CustomerOrganisationOut):
    notes: str
    is_active: bool
    case_manager_id: int | None
    domains: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_domains(obj: Organisation) -> list[str]:
        # .all() so that a prefetch (organisation_list_for) answers without a query per row.
        return [d.domain for d in obj.domains.all()]


class OrganisationIn(Schema):
    name: Name
    country: Country = ""
    language: Language = "en"
    notes: str = Field("", max_length=20_000)
    domains: Domains = []


class OrganisationPatch(PatchSchema):
    name: Name | None = None
    country: Country | None = None
    language: Language | None = None
    notes: str | None = Field(None, max_length=20_000)
    is_active: bool | None = Field(None, description="false retires the organisation (there is no delete)")
    case_manager_id: int | None = Field(None, description="the staff member alerted about this customer; null clears")
    domains: Domains | None = None

    nullable: ClassVar[frozenset[str]] = frozenset({"case_manager_id"})


class OrganisationFilter(PageParams):
    q: str = Field("", max_length=200, description="Part of the name")


class OrganisationPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[OrganisationOut]


class CustomerOrganisationPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[CustomerOrganisationOut]


class ContactOut(OutSchema):
    id: int
    organisation: OrganisationRef
    name: str
    email: str
    language: str
    phones: list[str]
    is_system_admin: bool
    is_active: bool
    has_login: bool

    @staticmethod
    def resolve_phones(obj: Contact) -> list[str]:
        # Reads the prefetched phones: .all() keeps the prefetch, a filter would query again.
        return [phone.number for phone in obj.phones.all()]

    @staticmethod
    def resolve_has_login(obj: Contact) -> bool:
        return obj.user_id is not None


class ContactIn(Schema):
    organisation: int
    name: Name
    email: Email = ""
    phones: Phones = Field(default_factory=list, description="Normalised to E.164 (+31201234567)")
    language: Language | None = Field(None, description="Defaults to the organisation's language")
    is_system_admin: bool = False


class ContactPatch(PatchSchema):
    name: Name | None = None
    email: Email | None = None
    phones: Phones | None = Field(None, description="Replaces all numbers; normalised to E.164")
    language: Language | None = None
    is_system_admin: bool | None = None
    is_active: bool | None = None


class ContactFilter(PageParams):
    organisation: int | None = None
    q: str = Field("", max_length=200, description="Part of the name or e-mail")


class ContactPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[ContactOut]


class UnlockIn(Schema):
    username: str = Field(min_length=1, max_length=150)


class UnlockOut(OutSchema):
    username: str
    cleared: int


def organisation_schema(user: Any) -> type[CustomerOrganisationOut]:
    """Staff see everything about an organisation; its own customers not the internal notes."""
    return OrganisationOut if can_manage_organisations(user) else CustomerOrganisationOut


def organisation_page_schema(user: Any) -> type[Schema]:
    return OrganisationPage if can_manage_organisations(user) else CustomerOrganisationPage
