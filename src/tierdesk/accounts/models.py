"""Users, organisations, contacts, agent profiles, access notes, API tokens and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import STAFF_ROLES, AuditAction, Level, Role
from tierdesk.accounts.domains import normalise_domain
from tierdesk.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in: staff (agent, case manager, admin) or a customer contact."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Organisation(TimeStampedModel):
    """A customer: the tenant boundary for tickets, contacts and notes."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The staff member who answers for this customer: alerted by rules such as "P1 without response".
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organisations",
        limit_choices_to={"role__in": sorted(STAFF_ROLES)},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at a customer organisation; may or may not have a portal login."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contacts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    is_system_admin = models.BooleanField(
        _("system administrator"), default=False, help_text=_("The organisation's own IT administrator.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation_id", "name", "id"]
        indexes = [models.Index(fields=["organisation", "name", "id"], name="contact_org_name_idx")]

    def __str__(self) -> str:
        return self.name


class ContactPhone(models.Model):
    """A phone number in E.164 form, indexed for caller lookup when the phone rings."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=16, db_index=True)
    label = models.CharField(_("label"), max_length=40, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contact", "number"], name="contact_phone_unique")]

    def __str__(self) -> str:
        return self.number


class AgentProfile(models.Model):
    """What a staff member handles: support level, languages and channels."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.FIRST)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user.username} ({self.level})"


class AccessNote(TimeStampedModel):
    """How to reach a customer's systems (VPN, RDP, remote-support IDs). Stored encrypted;
    agents only; every view is written to the audit log."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="access_notes")
    title = models.CharField(_("title"), max_length=200)
    ciphertext = models.BinaryField(editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation_id", "title"]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A bearer token for integrations. Only a keyed SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, help_text=_("Shown to tell tokens apart."))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEntry(models.Model):
    """Security-relevant event: who did what to whom, when, from where. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class OrganisationDomain(models.Model):
    """An e-mail domain of a customer: single sign-on puts new contacts with an address at this
    domain into this organisation. A domain belongs to one organisation at most."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    # Stored lower-case, without "@" and without a trailing dot (accounts.domains.normalise_domain).
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        # The admin's inline edits land here; the service normalises the same way.
        try:
            self.domain = normalise_domain(self.domain)
        except ValueError:
            raise ValidationError({"domain": _("Not a domain name.")}) from None


class IdentityProvider(TimeStampedModel):
    """An OpenID Connect provider that agents and customers may sign in with (ADR 0008).

    The provider's endpoints and keys come from its discovery document at
    `<issuer>/.well-known/openid-configuration`; only the client credentials and our mapping
    rules are kept here. The client secret is stored encrypted (accounts.crypto)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True, help_text=_("Part of the sign-in URL."))
    name = models.CharField(_("name"), max_length=100, help_text=_("Shown on the sign-in button."))
    issuer = models.URLField(_("issuer"), max_length=300, help_text=_("The provider's issuer URL (https)."))
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret_ciphertext = models.BinaryField(editable=False, blank=True, default=b"")
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    groups_claim = models.CharField(
        _("groups claim"), max_length=100, blank=True, default="groups", help_text=_("ID token claim with groups.")
    )
    agent_groups = models.CharField(
        _("agent groups"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; a new user in one of these groups becomes an agent. Empty: never."),
    )
    allow_customers = models.BooleanField(_("customers may sign in"), default=True)
    default_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("default organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("New customers whose e-mail domain is unknown land here; empty refuses them."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(models.Model):
    """A provider's account linked to one of ours. Keyed by (issuer, subject), never by e-mail, so
    two providers (or a renamed address) cannot reach someone else's account (ASVS 6.8.1)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    provider_slug = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "subject"]
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")]
        verbose_name_plural = "external identities"

    def __str__(self) -> str:
        return f"{self.provider_slug or self.issuer}:{self.subject}"


class TotpDevice(models.Model):
    """A staff member's authenticator app (RFC 6238). The secret is stored encrypted; the last
    accepted time step refuses a replayed code; wrong codes count towards a lock."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret_ciphertext = models.BinaryField(editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost; only a keyed digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"
