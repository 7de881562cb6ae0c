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

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..adapters.rawdb import table
from ..adapters.seal import read_only, tables
from ..adapters.store import Location
from ..domain.errors import IntegrityFailure


def check_views(location: Location) -> dict[str, Any]:
    """{"views": "verified", "views_position": P, "view_rows": N}; or {"views": "not made
    yet"}; or, for an encrypted store without its cipher key, {"views": "not checked: ..."}."""
    with _scratch(location) as copy:
        position, encrypted = _state(copy)
        if position is None:
            return {"views": "not made yet"}
        if encrypted and not copy.cipher_key:
            return {"views": "not checked: the events are encrypted; set"
                             " BZR_WORKFLOW_CIPHER_KEY to check them"}
        from sqlalchemy import select

        from ..adapters.eventlog import StoreLog
        from ..projections import catchup, tables as t
        from .app import WorkflowApp

        app = WorkflowApp(copy)
        fresh = catchup.make_engine("sqlite://")
        try:
            engine = app.reads.views.engine
            options: dict[str, Any] = {"read_only": True}
            if engine.dialect.name == "postgresql":  # one snapshot: the rows and their position
                options["isolation_level"] = "REPEATABLE READ"
            with engine.connect().execution_options(**options) as conn:
                conn.begin()
                position = int(conn.execute(select(t.position.c.position).where(
                    t.position.c.name == catchup.VIEWS)).scalar_one())
                catchup.create_views(fresh)
                if position:
                    catchup.catch_up(StoreLog(app, copy), fresh, app.policies.policy_of,
                                     upto=position)
                with fresh.connect() as made:
                    count = sum(_compare(table, conn, made) for table in
                                t.metadata.sorted_tables if table is not t.position)
        finally:
            fresh.dispose()
            app.close()
        return {"views": "verified", "views_position": position, "view_rows": count}


def _state(location: Location) -> tuple[int | None, bool]:
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
def _scratch(location: Location) -> Iterator[Location]:
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


def _compare(table: Any, stored: Any, made: Any) -> int:
    """Rows of `table` as stored and as the events make them, in key order; the first that
    differs is IntegrityFailure naming it. Returns the row count."""
    from sqlalchemy import select

    key = list(table.primary_key.columns) or list(table.columns)
    query = select(*table.columns).order_by(*key)
    names = [c.name for c in table.columns]
    ours = [_row(r) for r in stored.execute(query)]
    theirs = [_row(r) for r in made.execute(query)]
    at = {tuple(r[names.index(c.name)] for c in key): r for r in theirs}
    for row in ours:
        ident = tuple(row[names.index(c.name)] for c in key)
        expected = at.pop(ident, None)
        shown = ", ".join(f"{c.name}={v}" for c, v in zip(key, ident, strict=True))
        if expected is None:
            raise IntegrityFailure(f"view {table.name}: the row {shown} is not what the events"
                                   " make (added or its key changed by hand)")
        if expected != row:
            column = next(n for n, a, b in zip(names, row, expected, strict=True) if a != b)
            raise IntegrityFailure(f"view {table.name}: the row {shown} differs from what the"
                                   f" events make (column {column}): the view was edited")
    if at:
        ident = min(at)
        shown = ", ".join(f"{c.name}={v}" for c, v in zip(key, ident, strict=True))
        raise IntegrityFailure(f"view {table.name}: the row {shown} the events make is missing"
                               " (deleted by hand)")
    return len(ours)


def _row(row: Any) -> tuple[Any, ...]:
    """One row's values, alike on both backends (instants in UTC, numbers as text)."""
    out: list[Any] = []
    for value in row:
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value.normalize())
        out.append(value)
    return tuple(out)
