"""Business-hours calendars, public holidays, SLA policies and the deadline arithmetic.

Knows nothing of tickets: it answers "when is N business minutes after this instant" and "how many
business minutes lie between these two instants" for a calendar, and which targets a policy sets."""
