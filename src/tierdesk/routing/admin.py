"""Django admin: assignment policies go through the services' checks (like the API); presence and
its log are read-only here (agents set presence in the desk header or through the API)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tierdesk.accounts.models import User
from tierdesk.routing.models import AgentPresence, AssignmentPolicy, PresenceChange
from tierdesk.routing.permissions import can_manage_policies
from tierdesk.routing.services import policy_create, policy_delete, policy_update

POLICY_FIELDS = ("name", "level", "category", "mode", "max_open_tickets", "respect_language", "is_active")


class AssignmentPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssignmentPolicy
        fields = POLICY_FIELDS


@admin.register(AssignmentPolicy)
class AssignmentPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AssignmentPolicyForm
    list_display = ("name", "level", "category", "mode", "max_open_tickets", "respect_language", "is_active")
    list_filter = ("level", "mode", "is_active")
    readonly_fields = ("last_assigned_user", "last_assigned_at")

    def save_model(self, request: HttpRequest, obj: AssignmentPolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in POLICY_FIELDS}
        category = values.pop("category")
        values["category_id"] = category.pk if category is not None else None
        # The form has checked what the services check (choices, bounds, one policy per level and
        # category), and only administrators reach this (the permissions below).
        user = cast(User, request.user)
        saved = policy_update(by=user, policy=obj, **values) if change else policy_create(by=user, **values)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: AssignmentPolicy) -> None:
        policy_delete(by=cast(User, request.user), policy=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_policies(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_policies(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_policies(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgentPresence)
class AgentPresenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "reason", "changed_at", "last_assigned_at")
    list_filter = ("status",)


@admin.register(PresenceChange)
class PresenceChangeAdmin(ReadOnlyAdmin):
    list_display = ("user", "previous_status", "status", "reason", "changed_by", "at")
    list_filter = ("status",)
    date_hierarchy = "at"
