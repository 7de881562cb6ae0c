"""The views held to the events: every view row compared with the same views projected afresh from the sealed events.

The views (bzr_cases, bzr_decisions, ...) are what `audit`, the lists and the sheets read; an
insider can edit them without touching an event. `check_views` projects every view again, into a
private in-memory database, from the events up to the position the stored views say they reflect,
and compares them row by row: the first row that differs is exit 5 (IntegrityFailure), named by
its table and key. It reads only: an SQLite store is copied (read-only) into a scratch file first,
so nothing is made or written beside it; PostgreSQL is read in read-only transactions.
Credentials and sessions are not views (they are not made from events) and stand outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..adapters.store import Location
from ..adapters.viewstate import scratch_copy, view_state


def check_views(location: Location, open_copy: Callable[[Location], Any]) -> dict[str, Any]:
    """{"views": "verified", "views_position": P, "view_rows": N}; or {"views": "not made
    yet"}; or, for an encrypted store without its cipher key, {"views": "not checked: ..."}.
    `open_copy` opens the application over the scratch copy (the composition root's)."""
    with scratch_copy(location) as copy:
        position, encrypted = view_state(copy)
        if position is None:
            return {"views": "not made yet"}
        if encrypted and not copy.cipher_key:
            return {"views": "not checked: the events are encrypted; set"
                             " BZR_WORKFLOW_CIPHER_KEY to check them"}
        from ..adapters.eventlog import StoreLog
        from ..projections.viewcheck import compare_views

        app = open_copy(copy)
        try:
            position, count = compare_views(app.reads.views.engine, StoreLog(app, copy),
                                            app.policies.policy_of)
        finally:
            app.close()
        return {"views": "verified", "views_position": position, "view_rows": count}
