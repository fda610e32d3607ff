"""HTTP endpoints of the sla domain: business calendars and SLA policies (admins) and the
business-minute arithmetic on one calendar (staff, for integrations and for checking a calendar).
Parse -> selector/service -> output schema; no decisions here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller
from tierdesk.accounts.api_base import ERRORS, PageParams, paginate
from tierdesk.sla import selectors, services
from tierdesk.sla.schemas import (
    AddMinutesOut,
    AddMinutesQuery,
    BusinessMinutesOut,
    BusinessMinutesQuery,
    CalendarIn,
    CalendarOut,
    CalendarPage,
    CalendarPatch,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPage,
    SlaPolicyPatch,
)

router = Router(tags=["calendars"])


@router.get("/calendars", response={200: CalendarPage, **ERRORS}, summary="List calendars (admins)")
def calendar_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.calendar_list_for(user=caller(request)), params)


@router.post("/calendars", response={201: CalendarOut, **ERRORS}, summary="Create a calendar (admins)")
def calendar_create(request: HttpRequest, payload: CalendarIn) -> Any:
    return Status(201, services.calendar_create(by=caller(request), **payload.fields()))


@router.get("/calendars/{int:calendar_id}", response={200: CalendarOut, **ERRORS}, summary="One calendar (admins)")
def calendar_get(request: HttpRequest, calendar_id: int) -> Any:
    return selectors.calendar_get_for(user=caller(request), calendar_id=calendar_id)


@router.patch("/calendars/{int:calendar_id}", response={200: CalendarOut, **ERRORS}, summary="Change (admins)")
def calendar_update(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Any:
    user = caller(request)
    calendar = selectors.calendar_get_for(user=user, calendar_id=calendar_id)
    return services.calendar_update(by=user, calendar=calendar, **payload.fields())


@router.delete("/calendars/{int:calendar_id}", response={204: None, **ERRORS}, summary="Delete (admins)")
def calendar_delete(request: HttpRequest, calendar_id: int) -> Any:
    user = caller(request)
    services.calendar_delete(by=user, calendar=selectors.calendar_get_for(user=user, calendar_id=calendar_id))
    return Status(204, None)


@router.get(
    "/calendars/{int:calendar_id}/business-minutes",
    response={200: BusinessMinutesOut, **ERRORS},
    summary="Business minutes between two instants (staff)",
)
def calendar_business_minutes(request: HttpRequest, calendar_id: int, query: Query[BusinessMinutesQuery]) -> Any:
    minutes = selectors.calendar_business_minutes_for(
        user=caller(request), calendar_id=calendar_id, start=query.start, end=query.end
    )
    return {"calendar": calendar_id, "start": query.start, "end": query.end, "minutes": minutes}


@router.get(
    "/calendars/{int:calendar_id}/add",
    response={200: AddMinutesOut, **ERRORS},
    summary="The instant N business minutes after another (staff)",
)
def calendar_add_minutes(request: HttpRequest, calendar_id: int, query: Query[AddMinutesQuery]) -> Any:
    result = selectors.calendar_add_minutes_for(
        user=caller(request), calendar_id=calendar_id, start=query.start, minutes=query.minutes
    )
    return {"calendar": calendar_id, "start": query.start, "minutes": query.minutes, "result": result}


# --- SLA policies (admins) ---------------------------------------------------------------------

# On the calendars' router (config/api.py mounts that one), with a tag of their own.
POLICY_TAGS = ["sla-policies"]


@router.get(
    "/sla-policies", response={200: SlaPolicyPage, **ERRORS}, summary="List SLA policies (admins)", tags=POLICY_TAGS
)
def policy_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.policy_list_for(user=caller(request)), params)


@router.post(
    "/sla-policies", response={201: SlaPolicyOut, **ERRORS}, summary="Create an SLA policy (admins)", tags=POLICY_TAGS
)
def policy_create(request: HttpRequest, payload: SlaPolicyIn) -> Any:
    return Status(201, services.policy_create(by=caller(request), **payload.fields()))


@router.get(
    "/sla-policies/{int:policy_id}", response={200: SlaPolicyOut, **ERRORS}, summary="One (admins)", tags=POLICY_TAGS
)
def policy_get(request: HttpRequest, policy_id: int) -> Any:
    return selectors.policy_get_for(user=caller(request), policy_id=policy_id)


@router.patch(
    "/sla-policies/{int:policy_id}", response={200: SlaPolicyOut, **ERRORS}, summary="Change (admins)", tags=POLICY_TAGS
)
def policy_update(request: HttpRequest, policy_id: int, payload: SlaPolicyPatch) -> Any:
    user = caller(request)
    policy = selectors.policy_get_for(user=user, policy_id=policy_id)
    return services.policy_update(by=user, policy=policy, **payload.fields())


@router.delete(
    "/sla-policies/{int:policy_id}", response={204: None, **ERRORS}, summary="Delete (admins)", tags=POLICY_TAGS
)
def policy_delete(request: HttpRequest, policy_id: int) -> Any:
    user = caller(request)
    services.policy_delete(by=user, policy=selectors.policy_get_for(user=user, policy_id=policy_id))
    return Status(204, None)
