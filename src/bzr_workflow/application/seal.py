"""The sealed log: a hash chain over every stored event in global order, and append-only triggers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from ..domain.errors import BadInput, IntegrityFailure
from .rawdb import mark, table, transaction
from .store import APP_NAME, Location

GENESIS = "0" * 64
SEAL_LOCK = 7_305_771_202
ROUNDS = 4  # PostgreSQL: how often a sealer looks again for events committed while it sealed
MESSAGE = "stored events are append-only"


def link(previous: str, position: int, originator: Any, version: int, topic: str,
         state: bytes | str) -> str:
    """One link: the previous link's digest, then the event's place, identity and stored bytes."""
    h = hashlib.sha256(f"{previous}|{position}|{UUID(str(originator))}|{version}|{topic}|"
                       .encode())
    h.update(state.encode() if isinstance(state, str) else bytes(state))  # str: a hand-edited row
    return h.hexdigest()


class Seal:
    """Reads and extends the chain through the database's own driver (no ORM on the write path)."""

    def __init__(self, location: Location) -> None:
        self.location = location
        sqlite = location.is_sqlite
        self.events = "stored_events" if sqlite else table(location, f"{APP_NAME.lower()}_events")
        self.table = table(location, "bzr_seal")
        self.position = "rowid" if sqlite else "notification_id"
        self.mark = mark(location)
        self._pg: Any = None  # PostgreSQL: one connection kept for this Seal's transactions

    def _transaction(self, wait: bool = True) -> Any:
        if self.location.is_sqlite:  # connecting costs microseconds: a fresh one each time
            return transaction(self.location, SEAL_LOCK)
        return self._pg_transaction(wait)

    @contextmanager
    def _pg_transaction(self, wait: bool) -> Iterator[Any]:
        """A transaction on the kept connection (connecting costs ~5 ms, which a process running
        many commands would pay for each); a broken connection is dropped and made again.
        Without `wait`, yields None at once when another transaction holds the seal lock."""
        import psycopg

        if self._pg is None or self._pg.closed:
            self._pg = psycopg.connect(self.location.libpq_conninfo(), autocommit=True)
        try:
            with self._pg.transaction():
                if wait:
                    self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (SEAL_LOCK,))
                else:
                    got = self._pg.execute("SELECT pg_try_advisory_xact_lock(%s)",
                                           (SEAL_LOCK,)).fetchone()
                    if not got[0]:
                        yield None
                        return
                yield self._pg
        except psycopg.OperationalError:
            self.close()
            raise

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    def create(self) -> None:
        """The seal table, and triggers refusing UPDATE and DELETE on events and seal alike."""
        with self._transaction() as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} "
                         "(position BIGINT PRIMARY KEY, digest CHAR(64) NOT NULL)")
            for guarded in (self.events, self.table):
                for statement in self._guards(guarded):
                    conn.execute(statement)

    def _guards(self, guarded: str) -> list[str]:
        name = guarded.replace('"', "").replace(".", "_")
        if self.location.is_sqlite:
            return [f"CREATE TRIGGER IF NOT EXISTS {name}_no_{op.lower()} BEFORE {op} ON {guarded}"
                    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END" for op in ("UPDATE", "DELETE")]
        return [
            "CREATE OR REPLACE FUNCTION bzr_append_only() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
            f"CREATE OR REPLACE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {guarded}"
            " FOR EACH ROW EXECUTE FUNCTION bzr_append_only()",
            f"CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {guarded}"
            " FOR EACH STATEMENT EXECUTE FUNCTION bzr_append_only()"]

    def extend(self) -> str:
        """Seal every event stored since the last link; returns the head digest."""
        digest = self._extend(wait=True)
        assert digest is not None
        return digest

    def extend_unless_busy(self) -> None:
        """What each command does after it stores events. On PostgreSQL, a writer that finds
        another one sealing leaves its events to it rather than queue: the holder looks again
        for newer events before it lets go, and anything committed after its last look is
        sealed by the next command, `verify` or export."""
        self._extend(wait=False)

    def _extend(self, wait: bool) -> str | None:
        with self._transaction(wait) as conn:
            if conn is None:
                return None
            row = conn.execute(f"SELECT position, digest FROM {self.table}"
                               " ORDER BY position DESC LIMIT 1").fetchone()
            last, digest = (int(row[0]), str(row[1])) if row else (0, GENESIS)
            for _ in range(1 if self.location.is_sqlite else ROUNDS):
                links = []
                for position, originator, version, topic, state in self._events(conn, last):
                    digest = link(digest, position, originator, version, topic, state)
                    links.append((position, digest))
                if not links:
                    break
                conn.cursor().executemany(
                    f"INSERT INTO {self.table} (position, digest) VALUES ({self.mark}, {self.mark})",
                    links)
                last = links[-1][0]
            return digest

    def digest_at(self, position: int) -> str:
        """The link sealing everything up to `position` (what a sheet of that position reflects)."""
        self.extend()
        with self._transaction() as conn:
            row = conn.execute(f"SELECT digest FROM {self.table} WHERE position <= {self.mark}"
                               " ORDER BY position DESC LIMIT 1", (position,)).fetchone()
        return str(row[0]) if row else GENESIS

    def _events(self, conn: Any, after: int) -> Any:
        return conn.execute(
            f"SELECT {self.position}, originator_id, originator_version, topic, state"
            f" FROM {self.events} WHERE {self.position} > {self.mark}"
            f" ORDER BY {self.position}", (after,)).fetchall()

    def verify(self, head: str | None = None) -> dict[str, Any]:
        """Recompute the chain from the stored events; name the first position that differs."""
        self.extend()
        with self._transaction() as conn:
            stored = dict(conn.execute(f"SELECT position, digest FROM {self.table}").fetchall())
            digest, count, seen = GENESIS, 0, {GENESIS}
            for position, originator, version, topic, state in self._events(conn, 0):
                digest = link(digest, position, originator, version, topic, state)
                count += 1
                seen.add(digest)
                if stored.get(position) != digest:
                    raise IntegrityFailure(f"position {position}: the stored event does not match"
                                           " its seal (edited, or the seal was)")
            if len(stored) != count:
                raise IntegrityFailure(f"{len(stored) - count} sealed event(s) are missing")
        if head is not None and head.strip().lower() not in seen:
            raise IntegrityFailure(f"{head} is not a link of this store's chain")
        return {"head": digest, "events": count, "verified": True}


def check_digest(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise BadInput(f"--head {value!r}: give a 64-character SHA-256 digest")
    return text
