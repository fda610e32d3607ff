"""HTTP endpoints of the accounts domain: the caller (/me), organisations, contacts and
login unlocks. Parse -> selector/service -> output schema; no decisions here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tierdesk.accounts import selectors, services
from tierdesk.accounts.api_auth import caller, client_ip
from tierdesk.accounts.api_base import ERRORS, paginate
from tierdesk.accounts.schemas import (
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPatch,
    CustomerOrganisationOut,
    CustomerOrganisationPage,
    MeOut,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    UnlockIn,
    UnlockOut,
    organisation_page_schema,
    organisation_schema,
)

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> Any:
    return caller(request)


@router.get("/organisations", response={200: OrganisationPage | CustomerOrganisationPage, **ERRORS})
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    user = caller(request)
    page = paginate(selectors.organisation_list_for(user=user, q=filters.q, with_domains=True), filters)
    return organisation_page_schema(user).model_validate(page)


@router.post("/organisations", response={201: OrganisationOut, **ERRORS})
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    return Status(201, services.organisation_create(by=caller(request), **payload.model_dump()))


@router.get("/organisations/{int:organisation_id}", response={200: OrganisationOut | CustomerOrganisationOut, **ERRORS})
def organisation_get(request: HttpRequest, organisation_id: int) -> Any:
    user = caller(request)
    organisation = selectors.organisation_get_for(user=user, organisation_id=organisation_id)
    return organisation_schema(user).model_validate(organisation)


@router.patch("/organisations/{int:organisation_id}", response={200: OrganisationOut, **ERRORS})
def organisation_update(request: HttpRequest, organisation_id: int, payload: OrganisationPatch) -> Any:
    user = caller(request)
    organisation = selectors.organisation_get_for(user=user, organisation_id=organisation_id)
    return services.organisation_update(by=user, organisation=organisation, **payload.changes())


@router.get("/contacts", response={200: ContactPage, **ERRORS})
def contact_list(request: HttpRequest, filters: Query[ContactFilter]) -> Any:
    contacts = selectors.contact_list_for(user=caller(request), organisation_id=filters.organisation, q=filters.q)
    return paginate(contacts, filters)


@router.post("/contacts", response={201: ContactOut, **ERRORS})
def contact_create(request: HttpRequest, payload: ContactIn) -> Any:
    user = caller(request)
    organisation = selectors.organisation_get_for(user=user, organisation_id=payload.organisation)
    fields = payload.model_dump(exclude={"organisation"})
    contact = services.contact_create(by=user, organisation=organisation, **fields)
    return Status(201, selectors.contact_get_for(user=user, contact_id=contact.pk))


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS})
def contact_get(request: HttpRequest, contact_id: int) -> Any:
    return selectors.contact_get_for(user=caller(request), contact_id=contact_id)


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS})
def contact_update(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    user = caller(request)
    contact = selectors.contact_get_for(user=user, contact_id=contact_id)
    services.contact_update(by=user, contact=contact, **payload.changes())
    return selectors.contact_get_for(user=user, contact_id=contact_id)


@router.post("/admin/unlock", response={200: UnlockOut, **ERRORS}, summary="Lift a login lock-out (admins)")
def login_unlock(request: HttpRequest, payload: UnlockIn) -> Any:
    cleared = services.login_unlock(by=caller(request), username=payload.username, ip_address=client_ip(request))
    return {"username": payload.username, "cleared": cleared}
