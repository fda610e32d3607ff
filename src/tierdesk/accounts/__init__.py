"""People and who they are to the desk: users, roles, organisations, contacts, agents,
encrypted access notes, API tokens and the security audit log."""
