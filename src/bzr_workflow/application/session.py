"""Opening a store for one command: creating it (init), or refusing when it is not there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import PersistenceError

from ..domain.errors import BadInput
from .app import StoreMissing, StoreUnavailable, WorkflowApp
from .credstore import CredentialTables
from .personal import PersonKeys
from .seal import Seal
from .store import Location

DDL_LOCK = 7_305_771_200  # advisory lock id serialising event-store DDL on PostgreSQL


def open_app(location: Location, create: bool = False) -> WorkflowApp:
    """The application over `location`; only `create` (init) may make tables or files."""
    if location.is_sqlite:
        return _open_sqlite(location, create)
    _reachable(location)
    try:
        if not create:
            return WorkflowApp(location)
        with _pg_ddl_lock(location):
            app = WorkflowApp(location, create_tables=True)
            _create_side_tables(location)
            return app
    except PersistenceError as exc:
        raise StoreUnavailable(f"cannot open {location.describe()}: {str(exc).splitlines()[0]}") from None


def _create_side_tables(location: Location) -> None:
    """The tables beside the event log: the seal, personal keys and credentials."""
    Seal(location).create()
    PersonKeys(location).create()
    tables = CredentialTables(location)
    tables.create()
    tables.close()


def _reachable(location: Location) -> None:
    """Fail fast, and say why, before the pool spends its timeout retrying a hopeless connect."""
    import psycopg

    try:
        psycopg.connect(location.libpq_conninfo()).close()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        reason = first.rsplit("failed:", 1)[-1].replace("FATAL:", "").strip()
        if "does not exist" in reason:
            raise BadInput(f"{location.describe()}: {reason}") from None
        raise StoreUnavailable(f"cannot reach {location.describe()}: {reason}") from None


def _open_sqlite(location: Location, create: bool) -> WorkflowApp:
    folder = os.path.dirname(os.path.abspath(location.path))
    if not os.path.isdir(folder):
        raise BadInput(f"--db {location.path}: folder {folder} does not exist")
    if os.path.isdir(location.path):
        raise BadInput(f"--db {location.path} is a folder; give a file path such as"
                       f" {os.path.join(location.path, 'bzr-workflow.db')}")
    empty = location.exists() and os.path.getsize(location.path) == 0
    if not create and (not location.exists() or empty):
        raise StoreMissing(f"no store at {location.path}; create one with `bzr-workflow init`")
    try:
        app = WorkflowApp(location, create_tables=create)
        if create:
            _create_side_tables(location)
        return app
    except PersistenceError as exc:
        raise StoreUnavailable(f"cannot open {location.describe()}: {str(exc).splitlines()[0]}") from None


@contextmanager
def _pg_ddl_lock(location: Location) -> Iterator[None]:
    """Concurrent CREATE ... on a fresh PostgreSQL database fails ('tuple concurrently updated')."""
    import psycopg

    try:
        conn = psycopg.connect(location.libpq_conninfo(), autocommit=True)
    except psycopg.Error as exc:
        raise StoreUnavailable(f"cannot reach {location.describe()}: {str(exc).splitlines()[0]}") from None
    with conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK,))
        if location.schema:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{location.schema}"')
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK,))
