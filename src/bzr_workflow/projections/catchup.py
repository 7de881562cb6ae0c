"""Keeps the views at the head of the event log: batched catch-up, rebuild, and views as of an instant."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ..adapters.store import WAL_AUTOCHECKPOINT
from . import tables as t
from .policyof import PolicyOf
from .projector import Projector
from .rawrebuild import RecordProjector, records_of
from .schema import SCHEMA, SCHEMA_KEY, VIEWS, made_here

BATCH = 2000  # events per transaction: a batch's rows are buffered (peak memory); 1,000-5,000 run alike
DDL_LOCK = 7_305_771_201  # advisory lock id serialising view DDL on PostgreSQL


class LoggedEvent(Protocol):
    """What catching up reads of an event itself (the projector reads each kind's fields)."""

    @property
    def originator_id(self) -> UUID: ...

    @property
    def timestamp(self) -> datetime: ...


class EventLog(Protocol):
    """What the views read of a store: its events in global order, as domain events, and
    where its database is."""

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]: ...

    def to_domain_event(self, stored_event: StoredEvent) -> LoggedEvent: ...

    def sqlalchemy_url(self) -> str: ...


def make_engine(url: str) -> Engine:
    """An engine whose transactions take SQLite's write lock up front (BEGIN IMMEDIATE)."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 10}, poolclass=StaticPool
                           if url == "sqlite://" else None)

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.isolation_level = None
        # views dropped and made again (a SCHEMA change, rebuild) leave no old text behind
        dbapi_conn.execute("PRAGMA secure_delete = ON")
        dbapi_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")  # as the events'

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Connection) -> None:
        # Readers take no write lock; writers take it before their first read.
        read_only = conn.get_execution_options().get("read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def ddl(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DDL_LOCK})
        yield conn


def create_views(engine: Engine) -> None:
    """The view tables, at position 0 when new. Views made under an older SCHEMA (other
    columns or indexes) are dropped and made again: they are derived, and the next read
    projects them from the events."""
    with ddl(engine) as conn:
        t.metadata.create_all(conn)
        p = t.position.c
        schema = conn.execute(select(p.position).where(p.name == SCHEMA_KEY)).scalar()
        made = conn.execute(select(p.position).where(p.name == VIEWS)).first() is not None
        if schema != SCHEMA:
            if made:  # made by an older version (before there was a schema row, or another)
                t.metadata.drop_all(conn)
                t.metadata.create_all(conn)
                made = False
            conn.execute(t.position.delete().where(p.name == SCHEMA_KEY))
            conn.execute(insert(t.position).values(name=SCHEMA_KEY, position=SCHEMA))
        if not made:
            conn.execute(insert(t.position).values(name=VIEWS, position=0))


def ready(engine: Engine) -> bool:
    """Whether the views exist, made under this SCHEMA: asked in one read-only transaction
    (no DDL, no write lock), so a read of current views starts without `create_views`."""
    p = t.position.c
    try:
        with engine.connect().execution_options(read_only=True) as conn, conn.begin():
            rows = dict(conn.execute(select(p.name, p.position)
                                     .where(p.name.in_((VIEWS, SCHEMA_KEY)))).all())
    except SQLAlchemyError:  # no position table yet
        return False
    return made_here(rows)


def drop_views(engine: Engine) -> None:
    with ddl(engine) as conn:
        t.metadata.drop_all(conn)


def _lock_position(conn: Connection) -> int:
    query = select(t.position.c.position).where(t.position.c.name == VIEWS)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def behind(log: EventLog, engine: Engine) -> bool:
    """Whether the log holds an event after the views' position, asked without any write
    lock: the position read in a read-only transaction (SQLite: a plain BEGIN; PostgreSQL: no
    FOR UPDATE), then the log's next notification after it, if any."""
    with engine.connect().execution_options(read_only=True) as conn, conn.begin():
        position = conn.execute(select(t.position.c.position)
                                .where(t.position.c.name == VIEWS)).scalar()
    if position is None:
        return True
    return bool(log.select_notifications(start=int(position), limit=1,
                                         inclusive_of_start=False))


def catch_up(log: EventLog, engine: Engine, policy_of: PolicyOf, until: datetime | None = None,
             batch: int = BATCH, upto: int | None = None) -> int:
    """Project every event after the recorded position, a batch per transaction; returns the
    count. The write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the position row FOR UPDATE) is
    taken only when the views are behind: a read with nothing new takes none. Events are read
    as stored records (rawrebuild.py) unless cut by an instant or the log cannot give them."""
    if not behind(log, engine):
        return 0
    records = records_of(log) if until is None else None
    done, projector = 0, Projector(None, policy_of)
    raw = RecordProjector(projector, records) if records is not None else None
    while True:
        with engine.begin() as conn:
            start = _lock_position(conn)
            projector.begin(conn, start)
            if records is not None and raw is not None:
                found = records.select_records(start, batch)
                full = len(found) == batch
                if upto and found and found[-1][0] > upto:
                    found, full = [r for r in found if r[0] <= upto], False
                raw.project(found)
                count, last = len(found), found[-1][0] if found else start
            else:
                count, last, full = _events(log, projector, start, batch, until, upto)
            done += count
            projector.flush()
            if last != start:
                conn.execute(update(t.position).where(t.position.c.name == VIEWS)
                             .values(position=last))
        if not full:
            return done


def _events(log: EventLog, projector: Projector, start: int, batch: int,
            until: datetime | None, upto: int | None) -> tuple[int, int, bool]:
    """One batch through the event path: (events applied, the last position, whether more
    may follow)."""
    notes = log.select_notifications(start=start, limit=batch, inclusive_of_start=False)
    full = len(notes) == batch
    events = []
    for note in notes:
        ev = log.to_domain_event(note)
        if (until is not None and ev.timestamp > until) or (upto and note.id > upto):
            full = False
            break
        events.append((note.id, ev))
    projector.prefetch([ev for _, ev in events])
    last = start
    for last, ev in events:
        projector.apply(ev, last)
    return len(events), last, full


def rebuild(log: EventLog, engine: Engine, policy_of: PolicyOf) -> int:
    drop_views(engine)
    create_views(engine)
    return catch_up(log, engine, policy_of)


def views_as_of(log: EventLog, policy_of: PolicyOf, until: datetime | None = None,
                upto: int | None = None) -> Engine:
    """A private in-memory copy of every view, projected from the events up to an instant
    or an event position."""
    engine = make_engine("sqlite://")
    create_views(engine)
    catch_up(log, engine, policy_of, until=until, upto=upto)
    return engine
