"""Shared kernel: environment readers, domain errors, events, pagination and htmx helpers, and the
task workers' heartbeats and recovery (`workers.py`, docs/adr/0005-worker-heartbeats.md).

It knows no domain noun and imports no other tierdesk app.
"""
