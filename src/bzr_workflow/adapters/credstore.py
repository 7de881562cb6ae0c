"""The credential tables outside the event log: password hashes, sessions, API tokens, invitations, failed sign-ins."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from .rawdb import mark, table, transaction
from .store import Location

CRED_LOCK = 7_305_771_204
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width in UTC, so the text orders as the instants do


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(STAMP)


def instant(text: str) -> datetime:
    """What `stamp` wrote, read back (UTC): fromisoformat reads STAMP's form ('Z' included
    since 3.11) in 0.1 µs where strptime took 7; a session's lookup reads two each request."""
    return datetime.fromisoformat(text)


class CredentialTables:
    """Short transactions through the driver; every writer takes the credentials lock (SQLite:
    its write lock), readers take none. Made by `init`, and on first use for older stores."""

    def __init__(self, location: Location) -> None:
        self.location, self.m = location, mark(location)
        names = ("credentials", "sessions", "tokens", "invites", "signin_failures")
        self.t = {n: table(location, f"bzr_{n}") for n in names}
        self._ready = False
        self._local = threading.local()  # one kept connection per thread (SQLite: reads)
        self._kept: list[Any] = []

    def create(self) -> None:
        t = self.t
        with transaction(self.location, CRED_LOCK, self._pg()) as conn:
            for ddl in (
                f"CREATE TABLE IF NOT EXISTS {t['credentials']} (login VARCHAR(64) PRIMARY KEY,"
                " hash TEXT NOT NULL, set_at VARCHAR(32) NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {t['sessions']} (id_sha256 CHAR(64) PRIMARY KEY,"
                " login VARCHAR(64) NOT NULL, csrf VARCHAR(64) NOT NULL, created VARCHAR(32)"
                " NOT NULL, expires VARCHAR(32) NOT NULL, address VARCHAR(64) NOT NULL)",
                f"CREATE INDEX IF NOT EXISTS ix_bzr_sessions_login ON {t['sessions']} (login)",
                f"CREATE TABLE IF NOT EXISTS {t['tokens']} (token_sha256 CHAR(64) PRIMARY KEY,"
                " login VARCHAR(64) NOT NULL, name VARCHAR(64) NOT NULL,"
                " created VARCHAR(32) NOT NULL, expires VARCHAR(32), UNIQUE (login, name))",
                f"CREATE TABLE IF NOT EXISTS {t['invites']} (token_sha256 CHAR(64) PRIMARY KEY,"
                " login VARCHAR(64) NOT NULL, expires VARCHAR(32) NOT NULL, used VARCHAR(32))",
                f"CREATE TABLE IF NOT EXISTS {t['signin_failures']} (name VARCHAR(200)"
                " PRIMARY KEY, count INTEGER NOT NULL, window_start VARCHAR(32) NOT NULL,"
                " locked_until VARCHAR(32))",
            ):
                conn.execute(ddl)
            self._add_column(conn, t["tokens"], "expires", "VARCHAR(32)")  # stores before it
        self._ready = True

    def _add_column(self, conn: Any, name: str, column: str, kind: str) -> None:
        """Add `column` to a table an older store made without it (None: never expires)."""
        if not self.location.is_sqlite:
            conn.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column} {kind}")
            return
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({name})")}:
            conn.execute(f"ALTER TABLE {name} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        for conn in self._kept:
            conn.close()
        self._kept.clear()
        self._local = threading.local()

    # -- connections ------------------------------------------------------------------------

    def _pg(self) -> Any:
        """PostgreSQL: this thread's kept connection (connecting costs ~5 ms a request)."""
        if self.location.is_sqlite:
            return None
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.location.libpq_conninfo(), autocommit=True)
            self._local.conn = conn
            self._kept.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[Any]:
        if not self._ready:
            self.create()
        with self._dropping_broken(), transaction(self.location, CRED_LOCK, self._pg()) as conn:
            yield conn

    def read(self, sql: str, params: tuple[Any, ...]) -> Any:
        """The first row `sql` finds, outside any write lock."""
        if not self._ready:
            self.create()
        if not self.location.is_sqlite:
            with self._dropping_broken():
                return self._pg().execute(sql, params).fetchone()
        conn = getattr(self._local, "lite", None)
        if conn is None:  # this thread's reader, kept: a connection (and the schema parsed on
            # its first query) per read cost ~0.3 ms of every web request's session look-up
            conn = self._local.lite = sqlite3.connect(
                self.location.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._kept.append(conn)
        cursor = conn.execute(sql, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()  # the statement reset: no read snapshot held between requests

    @contextmanager
    def _dropping_broken(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if type(exc).__name__ == "OperationalError" and not self.location.is_sqlite:
                self._local.conn = None  # a broken connection: the next call makes another
            raise

    # -- passwords ----------------------------------------------------------------------------

    def hash_of(self, login: str) -> str | None:
        row = self.read(f"SELECT hash FROM {self.t['credentials']} WHERE login = {self.m}",
                        (login,))
        return str(row[0]) if row else None

    def put_hash(self, login: str, hashed: str, at: datetime) -> None:
        m, t = self.m, self.t["credentials"]
        with self.write() as conn:
            conn.execute(f"DELETE FROM {t} WHERE login = {m}", (login,))
            conn.execute(f"INSERT INTO {t} (login, hash, set_at) VALUES ({m}, {m}, {m})",
                         (login, hashed, stamp(at)))

    # -- sessions ------------------------------------------------------------------------------

    def add_session(self, key: str, login: str, csrf: str, now: datetime, expires: datetime,
                    address: str) -> None:
        m = self.m
        with self.write() as conn:
            conn.execute(f"INSERT INTO {self.t['sessions']} (id_sha256, login, csrf, created,"
                         f" expires, address) VALUES ({m}, {m}, {m}, {m}, {m}, {m})",
                         (key, login, csrf, stamp(now), stamp(expires), address[:64]))

    def session(self, key: str) -> tuple[str, str, datetime, datetime] | None:
        """(login, csrf, created, expires) of a session, by the sha256 of its id."""
        row = self.read(f"SELECT login, csrf, created, expires FROM {self.t['sessions']}"
                        f" WHERE id_sha256 = {self.m}", (key,))
        return (str(row[0]), str(row[1]), instant(row[2]), instant(row[3])) if row else None

    def touch_session(self, key: str, expires: datetime) -> None:
        with self.write() as conn:
            conn.execute(f"UPDATE {self.t['sessions']} SET expires = {self.m}"
                         f" WHERE id_sha256 = {self.m}", (stamp(expires), key))

    def drop_session(self, key: str) -> None:
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['sessions']} WHERE id_sha256 = {self.m}", (key,))

    def end_sessions(self, login: str, now: datetime, keep: str | None = None) -> None:
        """End every session of `login` but the one whose key is `keep`; and, while here, every
        session that has expired by `now`."""
        m, t = self.m, self.t["sessions"]
        with self.write() as conn:
            conn.execute(f"DELETE FROM {t} WHERE login = {m} AND id_sha256 <> {m}",
                         (login, keep or ""))
            conn.execute(f"DELETE FROM {t} WHERE expires < {m}", (stamp(now),))

    # -- API tokens ---------------------------------------------------------------------------

    def add_token(self, key: str, login: str, name: str, now: datetime,
                  expires: datetime) -> None:
        m, t = self.m, self.t["tokens"]
        with self.write() as conn:
            conn.execute(f"DELETE FROM {t} WHERE login = {m} AND name = {m}", (login, name))
            conn.execute(f"INSERT INTO {t} (token_sha256, login, name, created, expires)"
                         f" VALUES ({m}, {m}, {m}, {m}, {m})",
                         (key, login, name, stamp(now), stamp(expires)))

    def drop_token(self, login: str, name: str) -> None:
        m = self.m
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['tokens']} WHERE login = {m} AND name = {m}",
                         (login, name))

    def drop_tokens(self, login: str) -> None:
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['tokens']} WHERE login = {self.m}", (login,))

    def token(self, key: str) -> tuple[str, datetime, datetime | None] | None:
        """(login, created, expires) of a token, by its sha256 (expires None: made before
        tokens expired)."""
        row = self.read(f"SELECT login, created, expires FROM {self.t['tokens']}"
                        f" WHERE token_sha256 = {self.m}", (key,))
        return (str(row[0]), instant(row[1]), instant(row[2]) if row[2] else None) \
            if row else None

    def tokens_of(self, login: str) -> list[tuple[str, datetime, datetime | None]]:
        """(name, created, expires) of each of `login`'s tokens, by name."""
        if not self._ready:
            self.create()
        sql = (f"SELECT name, created, expires FROM {self.t['tokens']} WHERE login = {self.m}"
               " ORDER BY name")
        if not self.location.is_sqlite:
            with self._dropping_broken():
                rows = self._pg().execute(sql, (login,)).fetchall()
        else:
            conn = sqlite3.connect(self.location.path, timeout=10, isolation_level=None)
            try:
                rows = conn.execute(sql, (login,)).fetchall()
            finally:
                conn.close()
        return [(str(r[0]), instant(r[1]), instant(r[2]) if r[2] else None) for r in rows]

    # -- invitations --------------------------------------------------------------------------

    def add_invite(self, key: str, login: str, expires: datetime) -> None:
        """A new invitation; every older unused one of `login` is void from now on."""
        m = self.m
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['invites']} WHERE login = {m} AND used IS NULL",
                         (login,))
            conn.execute(f"INSERT INTO {self.t['invites']} (token_sha256, login, expires, used)"
                         f" VALUES ({m}, {m}, {m}, NULL)", (key, login, stamp(expires)))

    def invite(self, key: str, now: datetime) -> str | None:
        """The login an unused, unexpired invitation names."""
        row = self.read(f"SELECT login FROM {self.t['invites']} WHERE token_sha256 = {self.m}"
                        f" AND used IS NULL AND expires > {self.m}", (key, stamp(now)))
        return str(row[0]) if row else None

    def use_invite(self, key: str, now: datetime) -> str | None:
        """Mark an unused, unexpired invitation used, once; the login it names, or None."""
        m, t = self.m, self.t["invites"]
        with self.write() as conn:
            row = conn.execute(f"SELECT login FROM {t} WHERE token_sha256 = {m} AND used IS NULL"
                               f" AND expires > {m}", (key, stamp(now))).fetchone()
            if row:
                conn.execute(f"UPDATE {t} SET used = {m} WHERE token_sha256 = {m}",
                             (stamp(now), key))
        return str(row[0]) if row else None

    def void_invites(self, login: str) -> None:
        """Every unused invitation of `login` is void (a password was set)."""
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['invites']} WHERE login = {self.m}"
                         " AND used IS NULL", (login,))

    # -- failed sign-ins -----------------------------------------------------------------------

    def reserve_attempt(self, name: str, now: datetime, window: timedelta,
                        limit: int) -> tuple[int, datetime | None]:
        """Count an attempt at `name`'s password before it is checked, in one write (so
        several workers together get no more than `limit` checks in a `window`): (the
        attempt's number in the window, None), or (0, the instant the lock ends) when the
        name is locked, or this attempt is one too many and locks it for `window`. A success
        clears the count (`clear_failures`); a failure leaves it counted."""
        m, t = self.m, self.t["signin_failures"]
        with self.write() as conn:
            row = conn.execute(f"SELECT count, window_start, locked_until FROM {t}"
                               f" WHERE name = {m}", (name,)).fetchone()
            if row and row[2] and instant(row[2]) > now:
                return 0, instant(row[2])
            count, start = 1, now
            if row and not row[2] and instant(row[1]) > now - window:
                count, start = int(row[0]) + 1, instant(row[1])
            until = now + window if count > limit else None
            conn.execute(f"DELETE FROM {t} WHERE name = {m}", (name,))
            conn.execute(f"INSERT INTO {t} (name, count, window_start, locked_until)"
                         f" VALUES ({m}, {m}, {m}, {m})",
                         (name, 0 if until else count, stamp(start),
                          stamp(until) if until else None))
        return (0, until) if until else (count, None)

    def lock(self, name: str, now: datetime, window: timedelta) -> datetime:
        """Lock `name` for `window` from `now` (its last allowed attempt failed)."""
        m, t, until = self.m, self.t["signin_failures"], now + window
        with self.write() as conn:
            conn.execute(f"DELETE FROM {t} WHERE name = {m}", (name,))
            conn.execute(f"INSERT INTO {t} (name, count, window_start, locked_until)"
                         f" VALUES ({m}, 0, {m}, {m})", (name, stamp(now), stamp(until)))
        return until

    def clear_failures(self, name: str) -> None:
        with self.write() as conn:
            conn.execute(f"DELETE FROM {self.t['signin_failures']} WHERE name = {self.m}",
                         (name,))
