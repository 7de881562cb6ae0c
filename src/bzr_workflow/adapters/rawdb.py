"""Short transactions through the database's own driver, for tables the ORM-free write path keeps."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .store import Location


@contextmanager
def transaction(location: Location, lock: int, pg: Any = None) -> Iterator[Any]:
    """SQLite: BEGIN IMMEDIATE (the write lock before the first read). PostgreSQL: an advisory
    transaction lock `lock`, so writers of the same table take turns; on the connection `pg`
    when the caller keeps one, else on a new one."""
    if location.is_sqlite:
        conn = sqlite3.connect(location.path, timeout=10, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        return
    if pg is not None:
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            yield pg
        return
    import psycopg

    with psycopg.connect(location.libpq_conninfo()) as fresh:
        with transaction(location, lock, fresh) as conn:
            yield conn


def missing_table(exc: BaseException) -> bool:
    """True when a query failed only because the table was never made."""
    text = str(exc)
    return "no such table" in text or type(exc).__name__ == "UndefinedTable"


def table(location: Location, name: str) -> str:
    return f'"{location.schema}".{name}' if location.schema and not location.is_sqlite else name


def mark(location: Location) -> str:
    return "?" if location.is_sqlite else "%s"
