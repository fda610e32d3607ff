"""HTTP endpoints of automation rules (administrators only, like the SLA policies: everybody else
gets 403 before an id is looked at): list, create, read, change, delete, their latest firings, the
vocabulary rule builders need, and putting back the rules Tierdesk ships.

Parse -> selector/service -> output schema; who may do what is decided by permissions and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller
from tierdesk.accounts.api_base import ERRORS, PageParams, paginate
from tierdesk.accounts.models import User
from tierdesk.core.errors import Forbidden
from tierdesk.tickets.automation.vocabulary import vocabulary
from tierdesk.tickets.models import Rule
from tierdesk.tickets.permissions import can_manage_rules
from tierdesk.tickets.schemas_rules import (
    FiringQuery,
    RuleFiringOut,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
    VocabularyOut,
)
from tierdesk.tickets.selectors_rules import rule_firings_for, rule_get_for, rule_list_for
from tierdesk.tickets.services.rules import rule_create, rule_delete, rule_update, rules_seed

router = Router(tags=["rules"])

RULE = {200: RuleOut, **ERRORS}


def _admin(request: HttpRequest) -> User:
    """The caller, if they may manage rules; 403 `rule.forbidden` (the services' code) otherwise."""
    user = caller(request)
    if not can_manage_rules(user):
        raise Forbidden(_("Only administrators may manage automation rules."), code="rule.forbidden")
    return user


def _with_figures(user: User, rule_id: int) -> Rule:
    """One rule as the list shows it, with its firing figures; an unknown id is rule.not_found."""
    return rule_get_for(user=user, rule_id=rule_id)


@router.get("/rules", response={200: RulePage, **ERRORS}, summary="Automation rules in running order (admins)")
def rules_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(rule_list_for(user=_admin(request)), params)


@router.post("/rules", response={201: RuleOut, **ERRORS}, summary="New rule (admins)")
def rules_create(request: HttpRequest, payload: RuleIn) -> Any:
    user = _admin(request)
    rule = rule_create(by=user, **payload.fields())
    return Status(201, _with_figures(user, rule.pk))


@router.get("/rules/vocabulary", response={200: VocabularyOut, **ERRORS}, summary="What a rule may say (admins)")
def rules_vocabulary(request: HttpRequest) -> Any:
    _admin(request)
    return vocabulary()


@router.post("/rules/seed", response={200: list[RuleOut], **ERRORS}, summary="Put back the shipped rules (admins)")
def rules_restore(request: HttpRequest) -> Any:
    """Creates the shipped rules that are missing (by key or name) and returns those it created."""
    return rules_seed(by=_admin(request))


@router.get("/rules/{int:rule_id}", response=RULE, summary="One rule (admins)")
def rules_get(request: HttpRequest, rule_id: int) -> Any:
    return _with_figures(_admin(request), rule_id)


@router.patch("/rules/{int:rule_id}", response=RULE, summary="Change a rule (admins)")
def rules_update(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    user = _admin(request)
    rule = rule_get_for(user=user, rule_id=rule_id)
    rule_update(rule=rule, by=user, expected_version=payload.version, **payload.fields())
    return _with_figures(user, rule_id)


@router.delete("/rules/{int:rule_id}", response={204: None, **ERRORS}, summary="Delete a rule and its record (admins)")
def rules_delete(request: HttpRequest, rule_id: int) -> Any:
    user = _admin(request)
    rule_delete(rule=rule_get_for(user=user, rule_id=rule_id), by=user)
    return Status(204, None)


@router.get(
    "/rules/{int:rule_id}/firings", response={200: list[RuleFiringOut], **ERRORS}, summary="Latest firings (admins)"
)
def rules_firings(request: HttpRequest, rule_id: int, query: Query[FiringQuery]) -> Any:
    user = _admin(request)
    return rule_firings_for(user=user, rule=rule_get_for(user=user, rule_id=rule_id), limit=query.limit)
