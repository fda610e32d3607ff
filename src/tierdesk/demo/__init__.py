"""Fictional demo data, loaded through the domain services (`tierdesk demo`)."""
