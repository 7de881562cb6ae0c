"""The one seam onto eventsourcing 9.5's private API: replay without Protocol checks, save, streamed insert.

Each shortcut here skips a per-event runtime check or a transaction per call that our code never
needs; `tests/integration/test_es_fastpath.py` holds each against the pinned 9.5 (the private names
exist, and the shortcut stores and replays exactly what the library's own path does). Nothing
outside this module touches a name of eventsourcing's that starts with an underscore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing import persistence as es_errors
from eventsourcing.persistence import Recording, StoredEvent

from eventsourcing.sqlite import (SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteApplicationRecorder,
                                  SQLiteConnection, SQLiteConnectionPool)

from .store import WAL_AUTOCHECKPOINT

Insert = Callable[[Sequence[StoredEvent]], object]
STATEMENT_CACHE = 128
"""Prepared statements each SQLite connection of the store keeps (sqlite3's own default)."""
PRIVATE_NAMES = {"Application": ("_record", "_take_snapshots", "_notify"),
                 "SQLiteApplicationRecorder": ("_insert_events",),
                 "SQLiteConnectionPool": ("_create_connection",)}
"""What this module relies on, checked by the contract test."""
PRIVATE_ATTRIBUTES = {"SQLiteConnection": ("_sqlite_conn",)}
"""Instance attributes relied on (the contract test looks for them on a pooled connection)."""


def fold(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's project_aggregate without its per-event `assert isinstance(e, <runtime
    Protocol>)`: a third of the time of replaying a long case (figures in the README)."""
    for ev in events:
        aggregate = ev.mutate(aggregate)
    return aggregate


class FoldingRepository(Repository[UUID]):
    """The Repository, replaying with `fold` unless told otherwise."""

    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = fold, **options: Any) -> Any:
        return super().get(aggregate_id, version=version, projector_func=projector_func,
                           **options)


def new_events(objs: Iterable[Aggregate | DomainEvent]) -> list[Any]:
    """What saving these stores: an event as it is, an aggregate's pending events."""
    events: list[Any] = []
    for obj in objs:
        if isinstance(obj, DomainEvent):
            events.append(obj)
        else:
            events.extend(obj.collect_events())
    return events


def save(app: Application[UUID], objs: Sequence[Aggregate | DomainEvent]) -> list[Recording[UUID]]:
    """`Application.save` minus its two runtime Protocol checks per object: the same recording,
    snapshotting and notifying, through the same private steps."""
    processing = ProcessingEvent[UUID]()
    processing.events.extend(new_events(objs))
    processing.aggregates.update((o.id, o) for o in objs if isinstance(o, Aggregate))
    recordings: list[Recording[UUID]] = app._record(processing)  # noqa: SLF001
    app._take_snapshots(processing)  # noqa: SLF001
    app._notify(recordings)  # noqa: SLF001
    return recordings


@contextmanager
def one_transaction(recorder: Any) -> Iterator[Insert]:
    """An `insert(stored_events)` that adds to one open transaction, committed when the block
    ends and rolled back (nothing stored) when it raises. A version already taken raises
    eventsourcing's IntegrityError, a RecordConflictError, as `insert_events` does.

    eventsourcing's `insert_events` is a transaction per call; this is the same statements
    (SQLite: its `_insert_events`; PostgreSQL: our ordered insert function) in one."""
    if hasattr(recorder, "stream"):  # pgrecorder.OrderedPostgresRecorder (imports psycopg)
        with recorder.stream() as insert:
            yield insert
        return
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise TypeError(f"cannot stream events into a {type(recorder).__name__}")
    with recorder.datastore.transaction(commit=True) as cursor:
        yield lambda events: recorder._insert_events(cursor, events)  # noqa: SLF001


class _Save:
    """One thread's save waiting in a group commit: its events, then its positions or error."""

    __slots__ = ("events", "kwargs", "positions", "error", "lead", "finished", "ready")

    def __init__(self, events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> None:
        self.events, self.kwargs = events, kwargs
        self.positions: Sequence[int] | None = None
        self.error: BaseException | None = None
        self.lead = self.finished = False
        self.ready: threading.Event | None = None  # made only for a save that waits

    def wake(self) -> None:
        if self.ready is not None:
            self.ready.set()


_SQLITE_ERRORS: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (sqlite3.InterfaceError, es_errors.InterfaceError), (sqlite3.DataError, es_errors.DataError),
    (sqlite3.OperationalError, es_errors.OperationalError),
    (sqlite3.IntegrityError, es_errors.IntegrityError),
    (sqlite3.InternalError, es_errors.InternalError),
    (sqlite3.ProgrammingError, es_errors.ProgrammingError),
    (sqlite3.NotSupportedError, es_errors.NotSupportedError),
    (sqlite3.DatabaseError, es_errors.DatabaseError), (sqlite3.Error, es_errors.PersistenceError))


def _as_eventsourcing(exc: Exception) -> Exception:
    """A driver error as eventsourcing's transaction raises it (its SQLiteTransaction.__exit__)."""
    for driver, ours in _SQLITE_ERRORS:
        if isinstance(exc, driver):
            mapped = ours(exc)
            mapped.__cause__ = exc
            return mapped
    return exc


def _rows(cursor: sqlite3.Cursor, statement: str, params: Sequence[Any],
          limit: int | None) -> list[Any]:
    try:
        cursor.execute(statement, params)
        return cursor.fetchmany(limit) if limit is not None else cursor.fetchall()
    except sqlite3.Error as exc:
        raise _as_eventsourcing(exc)  # noqa: B904 - its cause is the driver's error
    finally:
        cursor.close()


class StatementCachingPool(SQLiteConnectionPool):
    """eventsourcing 9.5's SQLite pool, whose connections keep their prepared statements.

    The library opens each connection with `cached_statements=True`, which sqlite3 takes as a
    cache of one statement: every statement after the first is parsed and planned again, about
    25-30 µs each, a dozen of them in a sign-off. This is the library's `_create_connection`
    with a cache of `STATEMENT_CACHE` (the contract test holds the copy to the pinned 9.5)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._readers = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    def reader(self) -> sqlite3.Connection | None:
        """This thread's own connection for one-statement reads (the log's head every command,
        an aggregate's events on a cache miss): a SELECT in autocommit is its own snapshot, so
        it needs none of the pool's interlocking, whose conditions the web server's threads
        queued on. None for an in-memory database, where the pool's interlock is needed."""
        if self.is_sqlite_memory_mode:
            return None
        conn: sqlite3.Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            with self._readers_lock:
                if self.closed:
                    raise es_errors.ConnectionPoolClosedError
                conn = self._connect()
                self._reader_conns.append(conn)
            self._readers.conn = conn
        return conn

    def close(self) -> None:
        super().close()
        with self._readers_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()
            self._readers = threading.local()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(database=self.db_name, uri=True, check_same_thread=False,
                                   isolation_level=None, cached_statements=STATEMENT_CACHE,
                                   timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)
        except (sqlite3.Error, TypeError) as exc:
            raise es_errors.InterfaceError(exc) from exc
        conn.row_factory = sqlite3.Row
        if not self.is_sqlite_memory_mode:
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        return conn

    def _create_connection(self) -> SQLiteConnection:
        conn = self._connect()
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)

    @classmethod
    def replacing(cls, pool: SQLiteConnectionPool) -> StatementCachingPool:
        """A pool made as `pool` was (which is closed)."""
        made = cls(db_name=pool.db_name, lock_timeout=pool.lock_timeout,
                   pool_size=pool.pool_size, max_overflow=pool.max_overflow,
                   pool_timeout=pool.pool_timeout, max_age=pool.max_age, pre_ping=pool.pre_ping)
        made.is_journal_mode_wal = pool.is_journal_mode_wal
        made.journal_mode_was_changed_to_wal = pool.journal_mode_was_changed_to_wal
        pool.close()
        return made


class SealingSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite's recorder, linking each event into the seal in the transaction that inserts it:
    every insert (a save, or each chunk of a streamed one) goes through `_insert_events`, whose
    cursor holds the write lock from the first INSERT to the commit. `sealer` (seal.Sealer) is
    set by the application; a recorder without one refuses to write.

    Saves made at once by several threads (the web server's) are committed as a group: one
    thread leads, the saves that queued while the last commit was syncing go into one
    transaction, each in its own SAVEPOINT (a save that fails, a version already taken, is
    rolled back alone and raised in its own thread), and one COMMIT makes them durable together
    (synchronous FULL: one fsync for the group instead of one each). A save alone, as every
    command of the CLI, is the library's own `insert_events`, as before."""

    sealer: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if type(self.datastore.pool) is SQLiteConnectionPool:  # the store's one datastore
            self.datastore.pool = StatementCachingPool.replacing(self.datastore.pool)
        self._group_lock = threading.Lock()
        self._waiting: list[_Save] = []
        self._leading = False

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        me = _Save(stored_events, kwargs)
        with self._group_lock:
            self._waiting.append(me)
            me.lead = not self._leading
            if not me.lead:
                me.ready = threading.Event()
            self._leading = True
        if me.ready is not None:
            me.ready.wait()  # finished by a leader, or asked to lead the next group
        if not me.finished:
            self._lead()
        if me.error is not None:
            raise me.error
        return me.positions

    def _lead(self) -> None:
        with self._group_lock:
            group, self._waiting = self._waiting, []
        try:
            self._commit(group)
        finally:
            for save in group:
                save.finished = True
                save.wake()
            with self._group_lock:
                if self._waiting:  # those who queued meanwhile: the first of them leads them
                    self._waiting[0].wake()
                else:
                    self._leading = False

    def _commit(self, group: list[_Save]) -> None:
        if len(group) == 1:
            save = group[0]
            try:
                with self._writing() as cursor:
                    save.positions = self._insert_events(cursor, save.events, **save.kwargs)
            except BaseException as exc:  # noqa: BLE001 - raised in the saving thread
                save.error = exc
            return
        try:
            with self._writing() as cursor:
                for save in group:
                    cursor.execute("SAVEPOINT bzr_save")
                    try:
                        save.positions = self._insert_events(cursor, save.events, **save.kwargs)
                    except Exception as exc:  # noqa: BLE001 - this save alone fails
                        cursor.execute("ROLLBACK TO bzr_save")
                        save.error, save.positions = _as_eventsourcing(exc), None
                    cursor.execute("RELEASE bzr_save")
        except BaseException as exc:  # noqa: BLE001 - the commit failed: nothing of it stored
            for save in group:
                save.positions, save.error = None, save.error or exc

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Cursor]:
        """The library's write transaction (the pool's writer connection; BEGIN, then COMMIT,
        or a rollback when anything fails) on the driver's connection and cursor, without its
        four context managers and cursor wrapper around them; a driver error raised as its
        transaction raises it. A save alone and a group commit both write in one."""
        pool = self.datastore.pool
        conn = pool.get_connection(is_writer=True)
        try:
            driver = conn._sqlite_conn  # noqa: SLF001 - PRIVATE_ATTRIBUTES
            cursor = driver.cursor()
            try:
                cursor.execute("BEGIN")
                yield cursor
                driver.commit()
            except BaseException:
                driver.rollback()
                raise
            finally:
                cursor.close()
        except sqlite3.Error as exc:
            raise _as_eventsourcing(exc)  # noqa: B904 - its cause is the driver's error
        finally:
            pool.put_connection(conn)

    def select_one(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """One row of one SELECT, in autocommit on this thread's own reading connection (a
        single statement is its own snapshot), without the library's BEGIN and ROLLBACK around
        it: the two cost as much as a short read. A driver error is raised as eventsourcing's
        transaction raises it."""
        rows = self.select_all(statement, params, limit=1)
        return rows[0] if rows else None

    def select_all(self, statement: str, params: Sequence[Any] = (),
                   limit: int | None = None) -> list[Any]:
        """The rows of one SELECT (at most `limit`), as `select_one` reads them: on this
        thread's own reading connection (`StatementCachingPool.reader`), else a pooled one."""
        pool = self.datastore.pool
        own = pool.reader() if isinstance(pool, StatementCachingPool) else None
        if own is not None:
            return _rows(own.cursor(), statement, params, limit)
        with self.datastore.get_connection(commit=False) as conn:
            return _rows(conn.cursor().sqlite_cursor, statement, params, limit)

    def max_notification_id(self) -> int:
        """The log's head, by `select_one`: every command asks it once (aggcache.sync)."""
        head: int = self.select_one(self.select_max_notification_id_statement)[0]
        return head  # NULL (None) in an empty store, as the library's answer

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's `select_events`, the same statement and rows, by `select_all`: a load
        that misses the cache (an aggregate about to be started is looked for first) no longer
        pays a BEGIN and a ROLLBACK beside its one SELECT."""
        statement = self.select_events_statement
        params: list[Any] = [originator_id.hex if isinstance(originator_id, UUID)
                             else originator_id]
        if gt is not None:
            statement += "AND originator_version>? "
            params.append(gt)
        if lte is not None:
            statement += "AND originator_version<=? "
            params.append(lte)
        statement += "ORDER BY originator_version " + ("DESC " if desc else "ASC ")
        if limit is not None:
            statement += "LIMIT ? "
            params.append(limit)
        convert = self.convert_originator_id
        return [StoredEvent(originator_id=convert(row[0]), originator_version=row[1],
                            topic=row[2], state=row[3])
                for row in self.select_all(statement, params)]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        if self.sealer is None:
            raise RuntimeError("this recorder has no seal key: events are not stored unsealed")
        positions = super()._insert_events(c, stored_events, **kwargs)
        if stored_events:
            self.sealer.seal_sqlite(c, list(positions or []), list(stored_events))
        return positions
