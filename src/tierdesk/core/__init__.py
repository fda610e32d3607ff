"""Shared kernel: environment readers, domain errors, events, pagination and htmx helpers.

It knows no domain noun and imports no other tierdesk app.
"""
