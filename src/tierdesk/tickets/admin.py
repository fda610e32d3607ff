from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.models import Category, Macro, PriorityMatrixCell, Tag, Ticket
from tierdesk.tickets.services.macros import macro_clean


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: every change to a ticket goes through its services (and its history)."""

    list_display = ("number", "subject", "organisation", "level", "status", "priority", "assignee")
    list_filter = ("status", "level", "priority")
    search_fields = ("subject", "=number")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Category)
admin.site.register(Tag)
admin.site.register(PriorityMatrixCell)


# The fields macro_clean checks; is_active needs no check.
MACRO_CHECKED_FIELDS = (
    "name",
    "language",
    "body",
    "is_internal",
    "set_status",
    "set_urgency",
    "set_impact",
    "add_tags",
)


class MacroAdminForm(forms.ModelForm[Macro]):
    """The services' own validation (macro_clean), so the admin refuses what the API refuses."""

    class Meta:
        model = Macro
        fields = (*MACRO_CHECKED_FIELDS, "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            fields: dict[str, Any] = {name: data.get(name) for name in MACRO_CHECKED_FIELDS}
            data.update(macro_clean(**fields))
        except ValidationFailed as error:
            raise ValidationError({error.field or NON_FIELD_ERRORS: error.message}, code=error.code) from None
        return data


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Canned replies, checked as the services check them. History rows keep a macro's name, so
    deleting one loses nothing there; deactivating keeps it for later."""

    form = MacroAdminForm
    list_display = ("name", "language", "is_internal", "set_status", "is_active", "updated_at")
    list_filter = ("language", "is_active", "is_internal", "set_status")
    search_fields = ("name", "body")
    fields = (*MACRO_CHECKED_FIELDS, "is_active")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
