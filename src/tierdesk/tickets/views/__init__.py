"""The agent desk (htmx UI): board, ticket page, organisations and attachment downloads.

Views parse input, call tickets/accounts selectors and services, and render; every view is
wrapped in `access.staff_required`, the one gate of /desk/."""
