"""Outbound webhooks: subscriptions of other systems to ticket events, and their signed delivery by
the worker with retries and a log (docs/webhooks.md, docs/adr/0007-webhooks.md).

It reads tickets and never changes them; it never sends internal notes."""
