"""Tierdesk: an open-source service desk for tiered IT support teams."""

__version__ = "0.1.0"
