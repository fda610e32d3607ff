"""Shared fixtures (personas) for the tests under src/tierdesk/*/tests and tests/."""

pytest_plugins = ["tests.personas"]
