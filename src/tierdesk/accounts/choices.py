"""Enumerations of the accounts domain (string values, stable in the API)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer user")
    CUSTOMER_ADMIN = "customer_admin", _("Customer admin")
    AGENT = "agent", _("Agent")
    CASE_MANAGER = "case_manager", _("Case manager")
    ADMIN = "admin", _("Administrator")


# The actor of automatic changes (rules): shown in the history, never able to sign in, never
# offered as an assignee (accounts.services.automation_user creates it).
AUTOMATION_USERNAME = "tierdesk-automation"

STAFF_ROLES = frozenset({Role.AGENT, Role.CASE_MANAGER, Role.ADMIN})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER, Role.CUSTOMER_ADMIN})


class Level(models.TextChoices):
    """Support level; the order of the members is the escalation order."""

    FIRST = "first", _("First level")
    SECOND = "second", _("Second level")
    DEVELOPMENT = "development", _("Development")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    PORTAL = "portal", _("Portal")
    MESSENGER = "messenger", _("Messenger")
    MONITORING = "monitoring", _("Monitoring")
    API = "api", _("API")
    WEB = "web", _("Agent web UI")
    SYSTEM = "system", _("Automation")


class AuditAction(models.TextChoices):
    LOGIN_LOCKED = "login_locked", _("Login locked out")
    LOGIN_UNLOCKED = "login_unlocked", _("Login unlocked")
    ACCESS_NOTE_VIEWED = "access_note_viewed", _("Access note viewed")
    ACCESS_NOTE_CHANGED = "access_note_changed", _("Access note changed")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    SSO_SIGNED_IN = "sso_signed_in", _("Signed in through single sign-on")
    SSO_LINKED = "sso_linked", _("Single sign-on identity linked to an account")
    SSO_USER_CREATED = "sso_user_created", _("Account created by single sign-on")
    SSO_REFUSED = "sso_refused", _("Single sign-on refused")
    TOTP_ENABLED = "totp_enabled", _("Two-factor authentication enabled")
    TOTP_RESET = "totp_reset", _("Two-factor authentication reset")
    TOTP_FAILED = "totp_failed", _("Wrong two-factor code")
    TOTP_LOCKED = "totp_locked", _("Two-factor codes locked after too many wrong ones")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
