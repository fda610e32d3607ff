"""Test helpers shared by every app's tests (query ceilings, API clients)."""
