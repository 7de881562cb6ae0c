"""A long catch-up on SQLite with the view writes on a second thread: one batch projected here while the batch before is written and committed there.

Python's sqlite3 lets go of the GIL while SQLite steps a statement, but takes it back between
the rows of an executemany: a writer thread doing executemany beside a busy thread waits for
the GIL once a row (up to the 5 ms switch interval) and gets nearly nothing done. So the
writer here sends a batch's rows in a few statements of many rows each (`INSERT ... VALUES
(...), (...)`, `UPDATE ... FROM (VALUES ...)`), each stepped once, without the GIL.

Every statement of the views goes through the writer's one connection, in the order sent:
writes without waiting, reads (`execute` of a SELECT) waiting for their rows, so a read sees
every write sent before it. Each batch is still its own transaction: its rows and the views'
position, committed together (`commit`), then the next batch's BEGIN IMMEDIATE, which checks
that the position is still the one this catch-up left (`Moved` if another process projected
meanwhile: the caller goes on the ordinary way). The first error stops the writer: its
transaction is rolled back, later work is dropped, and the error is raised here at the next
read or at `close`.
"""

from __future__ import annotations

import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, select, update
from sqlalchemy.exc import DBAPIError

from . import tables as t

VIEWS = "views"  # the position row's name (catchup.VIEWS)
ROWS = 2_000  # rows per statement at most (and within SQLite's limit of parameters)

_INSERT = re.compile(r"^(INSERT INTO .+? VALUES )(\(\?(?:, \?)*\))$", re.S)
_UPDATE = re.compile(r"^UPDATE (\S+) SET (.+) WHERE (\S+) = \?$", re.S)


class Moved(Exception):
    """The views' position is not where this catch-up left it: another process projected."""


def pipeable(engine: Engine) -> bool:
    """Whether catch-ups of this engine may pipeline: SQLite in a file, in WAL mode (the event
    log is read on its own connection while the writer holds its transaction), and a SQLite
    that has UPDATE ... FROM."""
    if engine.dialect.name != "sqlite" or sqlite3.sqlite_version_info < (3, 33):
        return False
    if engine.url.database in (None, "", ":memory:") or "mode=memory" in str(engine.url):
        return False
    with engine.connect() as conn:
        driver = conn.connection.dbapi_connection
        assert driver is not None
        return str(driver.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"


class Pipe:
    """The views' connection behind a writer thread; what `BatchWriter` needs of a connection
    (`dialect`, `execute`, `exec_driver_sql`), plus the batch's transaction."""

    def __init__(self, engine: Engine, cache: int | None = None) -> None:
        self.dialect = engine.dialect
        self.committed = 0  # events of the batches committed
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._conn: Connection | None = None
        self._trans: RootTransaction | None = None
        self._limit = ROWS
        self._cache = cache
        self._abort = False
        self._thread = threading.Thread(target=self._run, args=(engine,),
                                        name="bzr-views-writer", daemon=True)
        self._thread.start()

    # -- what the projections call -----------------------------------------------------------

    def exec_driver_sql(self, sql: str, params: Any = None) -> None:
        if isinstance(params, list):
            rows = list(params)
            self._send(lambda c: self._many(c, sql, rows))
        else:
            self._send(lambda c: c.exec_driver_sql(sql, params))

    def execute(self, statement: Any) -> Any:
        """A SELECT waits for its rows (a buffered result); anything else is sent."""
        if getattr(statement, "is_select", False):
            return self._call(lambda c: c.execute(statement).freeze())()
        self._send(lambda c: c.execute(statement))
        return None

    # -- the batch's transaction -------------------------------------------------------------

    def begin(self, expected: int | None = None) -> int:
        """BEGIN IMMEDIATE; the views' position, checked against `expected` when given (then
        sent without waiting; else waited for)."""
        def run(c: Connection) -> int:
            self._trans = c.begin()
            p = t.position.c
            found = int(c.execute(select(p.position).where(p.name == VIEWS)).scalar_one())
            if expected is not None and found != expected:
                raise Moved(f"the views are at {found}, not {expected}")
            return found

        if expected is None:
            return int(self._call(run))
        self._send(run)
        return expected

    def commit(self, position: int, count: int) -> None:
        """The views' position, then COMMIT: the batch's rows and position together."""
        def run(c: Connection) -> None:
            c.execute(update(t.position).where(t.position.c.name == VIEWS)
                      .values(position=position))
            assert self._trans is not None
            self._trans.commit()
            self._trans = None
            self.committed += count

        self._send(run)

    def close(self, abort: bool = False) -> None:
        """Waits for everything sent (`abort`: drops what is not yet done); rolls back a
        transaction left open; raises the writer's error, if any (unless `abort`)."""
        self._abort = self._abort or abort
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None and not abort:
            raise self._error

    # -- the writer's side -------------------------------------------------------------------

    def _send(self, job: Callable[[Connection], Any]) -> None:
        if self._error is not None:
            raise self._error
        self._jobs.put((job, None))

    def _call(self, job: Callable[[Connection], Any]) -> Any:
        box: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._jobs.put((job, box))
        result = box.get()
        if self._error is not None:
            raise self._error
        return result

    def _run(self, engine: Engine) -> None:
        old = None
        try:
            self._conn = engine.connect()
            driver = self._conn.connection.dbapi_connection
            assert driver is not None
            self._limit = min(ROWS, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
            if self._cache is not None:
                old = int(driver.execute("PRAGMA cache_size").fetchone()[0])
                driver.execute(f"PRAGMA cache_size = {self._cache}")
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            self._error = exc
        while True:
            job = self._jobs.get()
            if job is None:
                break
            work, box = job
            result = None
            if self._error is None and not self._abort:
                try:
                    result = work(self._conn)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
                    self._error = exc
                    self._rollback()
            if box is not None:
                box.put(result)
        self._rollback()
        if self._conn is not None:
            if old is not None and not self._conn.invalidated:
                driver = self._conn.connection.dbapi_connection
                try:
                    if driver is not None:
                        driver.execute(f"PRAGMA cache_size = {old}")
                except sqlite3.Error:
                    pass
            self._conn.close()

    def _rollback(self) -> None:
        if self._trans is not None:
            trans, self._trans = self._trans, None
            try:
                trans.rollback()
            except BaseException as exc:  # noqa: BLE001 - the first error is the one raised
                if self._error is None:
                    self._error = exc

    def _many(self, conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """An executemany as a few statements of many rows: INSERTs as one INSERT of many
        VALUES; UPDATEs by a key (distinct keys, the key the last parameter) as one UPDATE ...
        FROM (VALUES ...); anything else as it is."""
        if not rows:
            return
        width = len(rows[0])
        inserting, updating = _INSERT.match(sql), _UPDATE.match(sql)
        distinct = updating is not None and len({r[-1] for r in rows}) == len(rows)
        if width == 0 or not (inserting or distinct):
            conn.exec_driver_sql(sql, list(rows))
            return
        driver = conn.connection.dbapi_connection
        assert driver is not None
        step = max(1, min(self._limit // width, ROWS))
        one = "(" + ", ".join("?" * width) + ")"
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            values = ", ".join([one] * len(part))
            flat = tuple(v for row in part for v in row)
            if inserting:
                _driver(driver, inserting.group(1) + values, flat)
            else:
                assert updating is not None
                table, sets, key = updating.groups()
                columns = [s.split("=", 1)[0].strip() for s in sets.split(", ")]
                assigned = ", ".join(f"{c}=v.column{i}" for i, c in enumerate(columns, 1))
                _driver(driver, f"UPDATE {table} SET {assigned} FROM (VALUES {values})"
                                f" AS v WHERE {key} = v.column{width}", flat)


def _driver(driver: Any, sql: str, params: tuple[Any, ...]) -> None:
    """One statement on the driver's connection (in the transaction SQLAlchemy began), its
    error raised as SQLAlchemy's, as `exec_driver_sql` raises it."""
    try:
        driver.execute(sql, params)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
