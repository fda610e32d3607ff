from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tierdesk.accounts.models import AgentProfile, ApiToken, AuditEntry, Contact, ContactPhone, Organisation, User


@admin.register(User)
class TierdeskUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Tierdesk", {"fields": ("role", "language")}))
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "language", "is_active")
    search_fields = ("name",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "email", "is_system_admin")
    search_fields = ("name", "email")
    inlines = [ContactPhoneInline]


admin.site.register(AgentProfile)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor", "target", "ip_address")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
