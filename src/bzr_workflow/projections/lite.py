"""The inbox read on SQLite through the driver alone while the views hold every stored event: the rows `queries` and `deadlines` give, without importing SQLAlchemy."""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..adapters.seal import tables
from ..adapters.store import Location
from ..domain.periods import Calendar
from . import ViewsUnavailable
from . import rows as r
from .policyof import PolicyOf
from .schema import SCHEMA_KEY, VIEWS, made_here

# The columns the view tables declare DateTime: SQLAlchemy reads them back with
# datetime.fromisoformat (its SQLite DATETIME), and so does this module.
INSTANTS = frozenset({"opened_at", "updated_at", "at", "registered_at", "granted_at"})

Keep = Any  # queries.Keep: whether a reader may see a row (a callable on the row)


def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)  # noqa: PYI024 - the columns are known at run time


_TYPES: dict[tuple[str, ...], Any] = {}


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Any:
    """A row read as SQLAlchemy hands it out: columns as attributes, instants as datetimes."""
    names = tuple(d[0] for d in cursor.description)
    kind = _TYPES.get(names)
    if kind is None:
        kind = _TYPES[names] = _row_type(names)
    if INSTANTS.intersection(names):
        values = tuple(datetime.fromisoformat(v) if n in INSTANTS and isinstance(v, str) else v
                       for n, v in zip(names, values))
    return kind(*values)


@contextmanager
def current(location: Location) -> Iterator[sqlite3.Connection | None]:
    """A read transaction on an SQLite store's views when they are made under this SCHEMA and
    hold every stored event (the log has nothing after their position); None when they do
    not (or cannot be asked): then the caller reads through `Views`, which catches them up."""
    try:
        conn = sqlite3.connect(location.path, timeout=10, isolation_level=None)
    except sqlite3.Error:
        yield None
        return
    try:
        try:
            conn.execute("BEGIN")
            found = dict(conn.execute("SELECT name, position FROM bzr_view_position"
                                      " WHERE name IN (?, ?)", (VIEWS, SCHEMA_KEY)).fetchall())
            events, _, position = tables(location)
            ready = made_here(found) and conn.execute(
                f"SELECT 1 FROM {events} WHERE {position} > ? LIMIT 1",
                (int(found[VIEWS]),)).fetchone() is None
        except sqlite3.Error:
            ready = False
        if not ready:
            yield None
            return
        conn.row_factory = _row
        try:
            yield conn
        except sqlite3.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ViewsUnavailable("the views could not be read or updated ({first})",
                                   first=first) from None
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def grants_of(conn: sqlite3.Connection, login: str) -> list[list[str]]:
    """queries.grants_of."""
    rows = conn.execute("SELECT * FROM bzr_grants WHERE login = ?", (login,))
    return [[row.role, row.unit] for row in rows]


def inbox(conn: sqlite3.Connection, login: str, grants: Sequence[Sequence[str]],
          policy_of: PolicyOf, offset: str, keep: Keep | None = None,
          deputy: str = "") -> list[dict[str, Any]]:
    """queries.inbox: the same UNION of one arm per `rows.signable_terms`, in the same order."""
    def below() -> dict[str, list[str]]:
        return r.units_below(tuple(u) for u in conn.execute("SELECT code, path FROM bzr_units"))

    arms, params = [], []
    for role, applicant, units in r.signable_terms(login, grants, below):
        arm = "SELECT * FROM bzr_cases WHERE state = 'open' AND role = ?"
        params.append(role)
        if applicant:
            arm += " AND applicant = ?"
            params.append(applicant)
        elif units is not None:
            arm += f" AND unit IN ({_marks(units)})"
            params += units
        arms.append(arm)
    rows = conn.execute(f"SELECT * FROM ({' UNION '.join(arms)}) ORDER BY updated_at, ref",
                        params).fetchall()
    out = r.signable(rows, login, grants, policy_of, offset, keep, deputy)
    refs = [row["id"] for row in out if row["last_action"] == "returned"]
    reasons: dict[str, str] = {}
    if refs:
        for ref, comment in conn.execute(
                f"SELECT case_ref, comment FROM bzr_decisions WHERE case_ref IN ({_marks(refs)})"
                " AND action = 'returned' ORDER BY position", refs):
            reasons[ref] = comment
    return r.with_returned_reasons(out, reasons)


def _names(conn: sqlite3.Connection, table: str, key: str, wanted: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):  # bound the IN list, as queries._names does
        chunk = ordered[start:start + 500]
        found.update({k: v for k, v in conn.execute(
            f"SELECT {key}, name FROM {table} WHERE {key} IN ({_marks(chunk)})", chunk)})
    return found


def with_names(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """queries.with_names."""
    logins, codes, units = r.named(rows)
    return r.with_names(rows, _names(conn, "bzr_users", "login", logins),
                        _names(conn, "bzr_classes", "code", codes),
                        _names(conn, "bzr_units", "code", units))


def with_due(conn: sqlite3.Connection, rows: list[dict[str, Any]], policy_of: PolicyOf,
             calendar: Calendar, now: datetime, offset: str) -> list[dict[str, Any]]:
    """deadlines.with_due."""
    refs = [row["id"] for row in rows]
    found: dict[str, Any] = {}
    if refs:
        found = {row.ref: row for row in conn.execute(
            "SELECT ref, state, step, kind, policy_version, refinement, updated_at"
            f" FROM bzr_cases WHERE ref IN ({_marks(refs)})", refs)}
    return r.with_due(rows, found, policy_of, calendar, now, offset)
