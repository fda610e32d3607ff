from django.contrib import admin

from tierdesk.tickets.models import Category, PriorityMatrixCell, Tag, Ticket


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
