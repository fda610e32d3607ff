"""Symmetric encryption of secrets at rest (access notes) and keyed digests of API tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    material = (settings.TIERDESK_FIELD_KEY or settings.SECRET_KEY).encode()
    return hashlib.sha256(b"tierdesk:" + purpose + b":" + material).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"fields")))


def encrypt_text(plain: str) -> bytes:
    return _fernet().encrypt(plain.encode("utf-8"))


def decrypt_text(token: bytes | memoryview) -> str:
    """Raises ValueError when the key changed or the data was tampered with."""
    try:
        return _fernet().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("access note cannot be decrypted with the configured key") from exc


def token_digest(raw_token: str) -> str:
    """HMAC-SHA256 of a bearer token, keyed from SECRET_KEY: fast to check, useless if leaked."""
    key = hashlib.sha256(b"tierdesk:api-token:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, raw_token.encode("utf-8"), hashlib.sha256).hexdigest()


def recovery_code_digest(code: str) -> str:
    """HMAC-SHA256 of a normalised recovery code, keyed apart from API tokens."""
    key = hashlib.sha256(b"tierdesk:recovery-code:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, code.encode("utf-8"), hashlib.sha256).hexdigest()
