from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tierdesk.accounts.crypto import encrypt_text
from tierdesk.accounts.models import (
    AgentProfile,
    ApiToken,
    AuditEntry,
    Contact,
    ContactPhone,
    ExternalIdentity,
    IdentityProvider,
    Organisation,
    OrganisationDomain,
    User,
)
from tierdesk.accounts.services_totp import totp_reset
from tierdesk.accounts.sso_providers import issuer_is_acceptable


def _sign_in_page(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site signs in through our page, so its sign-ins get the second factor too."""
    # redirect_to_login only builds the sign-in URL; SignInView checks `next` like any other.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _sign_in_page  # type: ignore[method-assign]


@admin.register(User)
class TierdeskUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Tierdesk", {"fields": ("role", "language")}))
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset two-factor authentication"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            totp_reset(by=request.user, user=user, ip_address=request.META.get("REMOTE_ADDR"))  # type: ignore[arg-type]
        count = len(queryset)
        messages.success(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user.",
                "Two-factor authentication reset for %(count)d users.",
                count,
            )
            % {"count": count},
        )


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "language", "is_active")
    search_fields = ("name",)
    inlines = [OrganisationDomainInline]


class IdentityProviderForm(forms.ModelForm):
    """The client secret is write-only: stored encrypted, never shown again."""

    issuer = forms.URLField(label=_("issuer"), max_length=300, assume_scheme="https")
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored secret."),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "name",
            "slug",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "groups_claim",
            "agent_groups",
            "allow_customers",
            "default_organisation",
            "is_active",
        ]

    def clean_issuer(self) -> str:
        issuer: str = self.cleaned_data["issuer"]
        if not issuer_is_acceptable(issuer):
            raise forms.ValidationError(_("Use an https address (plain http only for this machine)."))
        return issuer

    def save(self, commit: bool = True) -> IdentityProvider:
        provider: IdentityProvider = super().save(commit=False)
        if self.cleaned_data.get("client_secret"):
            provider.client_secret_ciphertext = encrypt_text(self.cleaned_data["client_secret"])
        if commit:
            provider.save()
        return provider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    form = IdentityProviderForm
    list_display = ("name", "slug", "issuer", "is_active")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "provider_slug", "email", "created_at", "last_login_at")
    search_fields = ("email", "subject", "user__username")
    readonly_fields = ("user", "issuer", "subject", "provider_slug", "email", "created_at", "last_login_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


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
