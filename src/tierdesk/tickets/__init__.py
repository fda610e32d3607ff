"""Tickets and their life through the support levels: numbering, priority, transitions,
comments, attachments, time entries and the append-only history."""
