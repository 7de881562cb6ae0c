"""Where events and views live: parses the one URL a user gives into eventsourcing and SQLAlchemy settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ..domain.errors import BadInput, Conflict

DEFAULT_DB = "bzr-workflow.db"
APP_NAME = "BzrWorkflow"
WAL_AUTOCHECKPOINT = 4000
"""Pages in an SQLite store's write-ahead log before the commit that passes them checkpoints it
(SQLite's default is 1,000), set on the connections that write events and views. A checkpoint
falls on one commit, which then takes 2-8 ms instead of ~0.7: at 1,000 pages one sign-off in
~200 paid it, which set the 99th percentile; at 4,000 it is one in ~800, and a checkpoint
copies each page once however often it changed, so the work is no more in all (issue 24, part
12: sign-off p99 1.40-1.43 → 1.01-1.07 ms in process, p50 the same). The log file grows to
~16 MiB before it is reused; a process closing the store last still checkpoints it whole."""


@dataclass(frozen=True)
class Location:
    """An SQLite file or a PostgreSQL database (optionally one schema of it)."""

    backend: str
    path: str = ""
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = ""
    cipher_key: str = ""
    """BZR_WORKFLOW_CIPHER_KEY: when set, stored events are encrypted (AES-GCM)."""

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def exists(self) -> bool:
        return not self.is_sqlite or os.path.exists(self.path)

    def describe(self) -> str:
        if self.is_sqlite:
            return f"SQLite file {os.path.abspath(self.path)}"
        schema = f", schema {self.schema}" if self.schema else ""
        return f"PostgreSQL database {self.dbname} on {self.host}:{self.port}{schema}"

    def es_env(self, create_tables: bool) -> dict[str, str]:
        env = {"CREATE_TABLE": "y" if create_tables else "n"}  # the cache: BaseApp
        if self.cipher_key:
            env |= {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                    "CIPHER_KEY": self.cipher_key}
        if self.is_sqlite:
            return env | {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                          "SQLITE_DBNAME": self.path, "SQLITE_LOCK_TIMEOUT": "10",
                          "APPLICATION_RECORDER_TOPIC":
                              "bzr_workflow.adapters.es_fastpath:SealingSQLiteRecorder"}
        env |= {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": self.dbname,
                "POSTGRES_HOST": self.host, "POSTGRES_PORT": self.port,
                "POSTGRES_USER": self.user, "POSTGRES_PASSWORD": self.password,
                "POSTGRES_CONNECT_TIMEOUT": "5", "POSTGRES_LOCK_TIMEOUT": "10",
                "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
                "POSTGRES_ENABLE_DB_FUNCTIONS": "y", "POSTGRES_POOL_SIZE": "2",
                "APPLICATION_RECORDER_TOPIC":
                    "bzr_workflow.adapters.pgrecorder:OrderedPostgresRecorder"}
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env

    def sqlalchemy_url(self) -> str:
        if self.is_sqlite:
            return f"sqlite:///{os.path.abspath(self.path)}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def libpq_conninfo(self) -> str:
        parts = {"host": self.host, "port": self.port, "dbname": self.dbname, "user": self.user,
                 "password": self.password, "connect_timeout": "5"}
        return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def parse_location(url: str | None, cipher_key: str | None = None) -> Location:
    """Where the store is; with a cipher key, its events are encrypted at rest."""
    location = _location(url)
    key = (cipher_key or "").strip()
    if key:
        _check_key(key)
    return replace(location, cipher_key=key)


def _check_key(key: str) -> None:
    import base64
    import binascii

    try:
        size = len(base64.b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        size = 0
    if size not in (16, 24, 32):
        raise BadInput("BZR_WORKFLOW_CIPHER_KEY is not a key: make one with `bzr-workflow key create`")


def _location(url: str | None) -> Location:
    url = (url or "").strip() or DEFAULT_DB
    if url.startswith(("postgresql://", "postgres://")):
        return _postgres(url)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///"):]
    elif "://" in url:
        raise BadInput("--db {url!r}: use a file path, sqlite:///PATH or postgresql://...",
                       url=url)
    if not url or url.endswith("/"):
        raise BadInput("--db names a folder; give a file path such as ./bzr-workflow.db")
    return Location("sqlite", path=url)


def _postgres(url: str) -> Location:
    from urllib.parse import parse_qs, unquote, urlsplit  # a PostgreSQL URL alone is parsed

    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise BadInput("--db {url!r}: name the database (postgresql://user@host:5432/DBNAME)",
                       url=url)
    schema = parse_qs(parts.query).get("schema", [""])[0]
    try:
        port = str(parts.port or 5432)
    except ValueError:
        raise BadInput("--db {url!r}: the port is not a number", url=url) from None
    return Location("postgres", host=parts.hostname or "localhost", port=port,
                    user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                    dbname=dbname, schema=schema)


class StoreMissing(BadInput):
    """The store has not been initialised."""


class StoreUnavailable(Conflict):
    """The database could not be reached or stayed locked."""


DDL_LOCK = 7_305_771_200  # advisory lock id serialising event-store DDL on PostgreSQL


def reachable(location: Location) -> None:
    """Fail fast, and say why, before the pool spends its timeout retrying a hopeless connect."""
    import psycopg

    try:
        psycopg.connect(location.libpq_conninfo()).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        reason = first.rsplit("failed:", 1)[-1].replace("FATAL:", "").strip()
        if "does not exist" in reason:
            raise BadInput("{where}: {reason}", where=location.describe(), reason=reason) from None
        raise StoreUnavailable("cannot reach {where}: {reason}", where=location.describe(),
                               reason=reason) from None


@contextmanager
def ddl_lock(location: Location) -> Iterator[None]:
    """Concurrent CREATE ... on a fresh PostgreSQL database fails ('tuple concurrently updated')."""
    import psycopg

    try:
        conn = psycopg.connect(location.libpq_conninfo(), autocommit=True)
    except psycopg.Error as exc:
        raise StoreUnavailable("cannot reach {where}: {reason}", where=location.describe(),
                               reason=str(exc).splitlines()[0]) from None
    with conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        if location.schema:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.schema}"')
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))


# -- the store's files: for their owner only ----------------------------------------------------

_warned: set[str] = set()
_looked: dict[str, bool] = {}


def owner_only(path: str) -> None:
    """Make an SQLite store's file, if it is not there yet, readable by its owner only (0600):
    SQLite gives the -wal and -shm it makes beside it the same mode. One that is there and
    that others may read is said once on stderr (it holds every person's data and hashes)."""
    import stat
    import sys

    key = os.path.abspath(path)
    if key not in _looked:
        # Looked at once per process, before any connection of ours has the file open: closing
        # another descriptor of an SQLite file drops the POSIX locks SQLite holds on it.
        _looked[key] = _made_or_sqlite(path)
    if not _looked[key]:
        return  # not a store: the open that follows says so, in one line
    for name in (path, path + "-wal", path + "-shm"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
        except OSError:
            continue
        if mode & 0o077 and name not in _warned:
            _warned.add(name)
            print(f"warning: {name} may be read by others (mode {mode:04o}): run"
                  f" `chmod 600 {name}`", file=sys.stderr, flush=True)


def _made_or_sqlite(path: str) -> bool:
    """Make the file 0600 if it is not there (True: ours, and a store to be); else whether it
    is an SQLite database (its header), so a file that is not one gets no warning first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return False  # said by the open that follows
    else:
        os.close(fd)
        return True
    try:
        with open(path, "rb") as head:
            return head.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
