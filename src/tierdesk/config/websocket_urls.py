"""WebSocket routes; each app's consumers are added here."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.tickets.consumers import TicketPresenceConsumer

websocket_urlpatterns: list[URLPattern] = [
    # Who else is on a ticket page, new public replies (collision detection, docs/realtime.md).
    path("ws/desk/tickets/<int:number>/", TicketPresenceConsumer.as_asgi()),
]
