"""A small OpenID Connect provider for tests, on a real socket (127.0.0.1, a free port).

It speaks the authorization-code flow with PKCE the way real providers do: a discovery document,
/authorize (auto-approves the identity the test set), /token (client secret, single-use codes,
redirect URI and PKCE checked), /jwks and /userinfo. ID tokens are RS256 JWTs signed with joserfc
(the JOSE library Authlib itself uses). `tamper` makes it misbehave in one chosen way, so a test
can show that our side refuses it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "tierdesk-test-client"
CLIENT_SECRET = "test-client-secret-0123456789"

_KEYS: dict[str, RSAKey] = {}


def _key(name: str) -> RSAKey:
    """RSA keys are slow to make; one per name and test run is enough."""
    if name not in _KEYS:
        _KEYS[name] = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
    return _KEYS[name]


@dataclass
class LocalProvider:
    issuer: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    # "nonce", "signature", "audience", "expired", "issuer_claim", "discovery_issuer" or "" (behave).
    tamper: str = ""
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests_seen: list[str] = field(default_factory=list)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer + "/elsewhere" if self.tamper == "discovery_issuer" else self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **self.identity,
        }
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-we-were-given"
        if self.tamper == "audience":
            claims["aud"] = "some-other-client"
        if self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        if self.tamper == "issuer_claim":
            claims["iss"] = "https://impostor.example"
        # A key with the same kid that the JWKS does not publish: a forged signature.
        key = _key("forger") if self.tamper == "signature" else _key("provider")
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        provider = self.server.provider
        url = urlsplit(self.path)
        provider.requests_seen.append(f"GET {url.path}")
        if url.path == "/.well-known/openid-configuration":
            self._json(200, provider.discovery())
        elif url.path == "/jwks":
            self._json(200, dict(KeySet([_key("provider")]).as_dict(private=False)))
        elif url.path == "/authorize":
            self._authorize({k: v[0] for k, v in parse_qs(url.query).items()})
        elif url.path == "/userinfo":
            self._json(200, {k: v for k, v in provider.identity.items() if k != "nonce"})
        else:
            self._json(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        provider = self.server.provider
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            self._json(400, {"error": "invalid_request"})
            return
        if "openid" not in query.get("scope", "").split() or query.get("code_challenge_method") != "S256":
            self._json(400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(24)
        provider.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce", ""),
            "code_challenge": query.get("code_challenge", ""),
        }
        self.send_response(302)
        self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
        self.end_headers()

    def do_POST(self) -> None:
        provider = self.server.provider
        provider.requests_seen.append(f"POST {urlsplit(self.path).path}")
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _sep, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            self._json(401, {"error": "invalid_client"})
            return
        grant = provider.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            self._json(400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["code_challenge"]:
            self._json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            return
        self._json(
            200,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": provider.id_token(grant),
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    provider: LocalProvider


@contextmanager
def running_provider(identity: dict[str, Any] | None = None) -> Iterator[LocalProvider]:
    server = _Server(("127.0.0.1", 0), _Handler)
    provider = LocalProvider(issuer=f"http://127.0.0.1:{server.server_address[1]}", identity=dict(identity or {}))
    server.provider = provider
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
