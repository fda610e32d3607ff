"""Users, organisations, contacts, agent profiles, access notes, API tokens and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import STAFF_ROLES, AuditAction, Level, Role
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
