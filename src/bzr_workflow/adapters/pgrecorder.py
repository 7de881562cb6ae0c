"""PostgreSQL event recorder: events and their seal links in one transaction, positions committed in their order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Composed, Identifier


class OrderedPostgresRecorder(PostgresApplicationRecorder):
    """Every write is one transaction that takes the EXCLUSIVE table lock first (so positions,
    `notification_id`s, are handed out and committed by one writer at a time: a reader resuming
    "after the last position it saw" never passes over one committed later), reads the seal's
    last link, inserts the events, and inserts the links the application made for them
    (seal.Sealer, in Python). So an event is committed with its link or not at all, and the key
    never reaches the database: no statement carries it or anything made from it but the links
    themselves (the database role, its logs and functions see events and digests only).

    `sealer` (seal.Sealer) is set by the application; a recorder without one refuses to write.
    eventsourcing's insert function (POSTGRES_ENABLE_DB_FUNCTIONS) is not used: its create
    statement is replaced by the seal table's."""

    sealer: Any = None

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        seal = SQL("{schema}.bzr_seal").format(schema=schema)
        self.sql_create_seal: list[Composed] = [
            SQL("CREATE TABLE IF NOT EXISTS {seal} (position BIGINT PRIMARY KEY,"
                " digest CHAR(64) NOT NULL, key_id VARCHAR(40))").format(seal=seal),
            SQL("ALTER TABLE {seal} ADD COLUMN IF NOT EXISTS key_id VARCHAR(40)").format(
                seal=seal)]
        index = self.create_insert_function_statement_index
        self.sql_create_statements[index:index + 1] = self.sql_create_seal
        self.sql_head = SQL(  # under the lock: the last event's position, the seal's last link
            "SELECT (SELECT max(notification_id) FROM {schema}.{table}) AS before,"
            " h.position, h.digest, h.key_id FROM (SELECT 1) AS one LEFT JOIN"
            " (SELECT position, digest, key_id FROM {seal} ORDER BY position DESC LIMIT 1) AS h"
            " ON true").format(schema=schema, table=table, seal=seal)
        self.sql_anchor = SQL(  # seal.ANCHOR_SQL
            "SELECT position, digest FROM {seal} WHERE key_id IS NULL AND position <"
            " (SELECT min(position) FROM {seal} WHERE key_id IS NOT NULL)"
            " ORDER BY position DESC LIMIT 1").format(seal=seal)
        self.sql_insert = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT e.originator_id, e.originator_version, e.topic, e.state FROM unnest(%s) e"
            " RETURNING notification_id, originator_id, originator_version").format(
            schema=schema, table=table)
        self.sql_link = SQL("INSERT INTO {seal} (position, digest, key_id)"
                            " VALUES (%s, %s, %s)").format(seal=seal)
        self._seal_ready = False

    def _ensure_seal(self) -> None:
        """A store made before the seal had a key column gets it on this process's first write."""
        if self._seal_ready:
            return
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.sql_create_seal:
                curs.execute(statement, prepare=False)
        self._seal_ready = True

    def _write(self, curs: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Under the table lock: the head, the events, their links (one transaction: `curs`'s).
        Lock, notify, head and insert go in one pipeline (one round trip), the links in one
        more."""
        if self.sealer is None:
            raise RuntimeError("this recorder has no seal key: events are not stored unsealed")
        if not stored_events:
            return []
        conn = curs.connection
        events = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic,
                                                 e.state) for e in stored_events]
        failed: Exception | None = None
        with conn.cursor() as heads, conn.cursor() as inserted:
            with conn.pipeline() as pipeline:
                self._lock_table(curs)
                self._notify_channel(curs)
                heads.execute(self.sql_head, prepare=True)
                inserted.execute(self.sql_insert, (events,), prepare=True)
                try:
                    pipeline.sync()
                    row = heads.fetchone()
                    returned = inserted.fetchall()
                except Exception as exc:  # raised after the pipeline ends (as eventsourcing does)
                    failed = exc
            if failed is not None:
                raise failed
        head = None if row is None or row["position"] is None else (
            int(row["position"]), str(row["digest"]), row["key_id"])
        before = None if row is None else row["before"]
        at = {(str(r["originator_id"]), int(r["originator_version"])): int(r["notification_id"])
              for r in returned}
        positions = [at[(str(e.originator_id), int(e.originator_version))] for e in stored_events]
        rows = sorted((p, e.originator_id, e.originator_version, e.topic, e.state)
                      for p, e in zip(positions, stored_events, strict=True))

        def anchor_of() -> tuple[int, str]:
            curs.execute(self.sql_anchor)
            found = curs.fetchone()
            return (int(found["position"]), str(found["digest"])) if found else (0, "0" * 64)

        curs.executemany(self.sql_link, self.sealer.extend(head, rows, anchor_of, before))
        return positions

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        if not stored_events:
            return []
        self._ensure_seal()
        with self.datastore.transaction(commit=True) as curs:
            return self._write(curs, stored_events)

    @contextmanager
    def stream(self) -> Iterator[Callable[[Sequence[StoredEvent]], object]]:
        """Inserts, each with its links, into one transaction (streamsave)."""
        self._ensure_seal()
        with self.datastore.transaction(commit=True) as curs:
            yield lambda events: self._write(curs, events)
