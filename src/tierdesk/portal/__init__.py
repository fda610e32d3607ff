"""The customer portal: an interface over tickets' selectors and services, scoped to the contact."""
