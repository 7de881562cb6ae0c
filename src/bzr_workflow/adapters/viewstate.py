"""What verify's view check reads below the views: the position they reflect, whether events are encrypted, a scratch copy."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from .rawdb import table
from .seal import read_only, tables
from .store import Location


def view_state(location: Location) -> tuple[int | None, bool]:
    """The position the stored views reflect (None: no views yet), and whether the events
    are encrypted at rest."""
    events, _, _ = tables(location)
    with read_only(location) as conn:
        try:
            row = conn.execute(f"SELECT position FROM {table(location, 'bzr_view_position')}"
                               " WHERE name = 'views'").fetchone()
        except Exception:  # noqa: BLE001 - no view table: a store never read
            return None, False
        state = conn.execute(f"SELECT state FROM {events} LIMIT 1").fetchone()
    encrypted = state is not None and not bytes(state[0]).lstrip().startswith(b"{")
    return (None if row is None else int(row[0])), encrypted


@contextmanager
def scratch_copy(location: Location) -> Iterator[Location]:
    """The store to project from without writing to it: an SQLite store's read-only copy in a
    private folder; PostgreSQL as it is."""
    if not location.is_sqlite:
        yield location
        return
    with tempfile.TemporaryDirectory(prefix="bzr-verify-") as folder:
        path = os.path.join(folder, "store.db")
        with read_only(location, live=os.path.exists(location.path + "-wal")) as source:
            import sqlite3

            target = sqlite3.connect(path)
            try:
                source.backup(target)
            finally:
                target.close()
        yield replace(location, path=path)


