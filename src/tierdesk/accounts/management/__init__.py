"""Management commands of the accounts domain: `createadmin` and `token`."""
