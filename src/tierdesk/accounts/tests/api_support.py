"""Helpers for the API tests: clients signed in as a persona (session or token) and JSON calls."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tierdesk.accounts.models import User
from tierdesk.accounts.services import api_token_create

API = "/api/v1"

# Role-matrix ids, in the order of the issue: who calls.
ROLES = (
    "anonymous",
    "customer_b",
    "customer_a2",
    "customer_admin_a",
    "customer_a",
    "agent_l1",
    "case_manager",
    "admin",
)


def client_for(user: User | Any) -> Client:
    """A session client signed in as `user` (anonymous when it is not a saved user)."""
    client = Client()
    if getattr(user, "pk", None) is not None:
        client.force_login(user)
    return client


def token_client(user: User) -> Client:
    """A client that sends `Authorization: Bearer <fresh token>` and no session cookie."""
    raw = api_token_create(user=user, name="test").raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, path: str, body: Any = None, **headers: Any) -> Any:
    """Call the API with a JSON body; returns the Django test response."""
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, f"{API}{path}", data, content_type="application/json", headers=headers or None)
