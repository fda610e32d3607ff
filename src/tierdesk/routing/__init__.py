"""Routing: who is available (agent presence, time-stamped), and the automatic assignment of
tickets per level (and category) by round robin or least load among the agents who are available,
handle the ticket's channel and language, and are below their maximum of open tickets."""
