"""Error codes of the demo loader."""

from __future__ import annotations

from tierdesk.core.errors import Conflict


class DemoDataConflict(Conflict):
    """The database holds a row that the demo data set would have to overwrite to load."""

    code = "demo.conflict"
