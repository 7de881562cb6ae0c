"""Stored views compared row by row with the same views projected afresh from the events (verify's view check)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from ..domain.errors import IntegrityFailure
from . import catchup, tables as t
from .catchup import EventLog
from .schema import VIEWS
from .policyof import PolicyOf


def compare_views(engine: Engine, log: EventLog, policy_of: PolicyOf) -> tuple[int, int]:
    """(the position the stored views reflect, the rows compared); the first row that differs
    from what the events make is IntegrityFailure naming its table and key."""
    fresh = catchup.make_engine("sqlite://")
    try:
        options: dict[str, Any] = {"read_only": True}
        if engine.dialect.name == "postgresql":  # one snapshot: the rows and their position
            options["isolation_level"] = "REPEATABLE READ"
        with engine.connect().execution_options(**options) as conn:
            conn.begin()
            position = int(conn.execute(select(t.position.c.position).where(
                t.position.c.name == VIEWS)).scalar_one())
            catchup.create_views(fresh)
            if position:
                catchup.catch_up(log, fresh, policy_of, upto=position)
            with fresh.connect() as made:
                count = sum(_compare(table, conn, made) for table in
                            t.metadata.sorted_tables if table is not t.position)
    finally:
        fresh.dispose()
    return position, count


def _compare(table: Any, stored: Any, made: Any) -> int:
    """Rows of `table` as stored and as the events make them, in key order; the first that
    differs is IntegrityFailure naming it. Returns the row count."""
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
            raise IntegrityFailure("view {name}: the row {shown} is not what the events make "
                                   "(added or its key changed by hand)", name=table.name,
                                   shown=shown)
        if expected != row:
            column = next(n for n, a, b in zip(names, row, expected, strict=True) if a != b)
            raise IntegrityFailure("view {name}: the row {shown} differs from what the events "
                                   "make (column {column}): the view was edited", name=table.name,
                                   shown=shown, column=column)
    if at:
        ident = min(at)
        shown = ", ".join(f"{c.name}={v}" for c, v in zip(key, ident, strict=True))
        raise IntegrityFailure("view {name}: the row {shown} the events make is missing "
                               "(deleted by hand)", name=table.name, shown=shown)
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
