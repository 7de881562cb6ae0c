"""Opening a store for one command: creating it (init), or refusing when it is not there."""

from __future__ import annotations

import os
from typing import Any

from eventsourcing.persistence import PersistenceError

from ..domain.errors import BadInput
from .app import WorkflowApp
from ..adapters.credstore import CredentialTables
from ..adapters.personal import PersonKeys
from ..adapters.seal import Seal
from ..adapters.store import (Location, StoreMissing, StoreUnavailable, ddl_lock, owner_only,
                              reachable)


def open_app(location: Location, create: bool = False) -> WorkflowApp:
    """The application over `location`; only `create` (init) may make tables or files."""
    if location.is_sqlite:
        return _open_sqlite(location, create)
    reachable(location)
    try:
        if not create:
            return WorkflowApp(location)
        with ddl_lock(location):
            app = WorkflowApp(location, create_tables=True)
            _create_side_tables(location)
            return app
    except PersistenceError as exc:
        raise StoreUnavailable("cannot open {where}: {reason}", where=location.describe(),
                               reason=str(exc).splitlines()[0]) from None


def _create_side_tables(location: Location) -> None:
    """The tables beside the event log: the seal, personal keys and credentials."""
    Seal(location).create()
    PersonKeys(location).create()
    tables = CredentialTables(location)
    tables.create()
    tables.close()


def _open_sqlite(location: Location, create: bool) -> WorkflowApp:
    folder = os.path.dirname(os.path.abspath(location.path))
    if not os.path.isdir(folder):
        raise BadInput("--db {path}: folder {folder} does not exist", path=location.path,
                       folder=folder)
    if os.path.isdir(location.path):
        raise BadInput("--db {path} is a folder; give a file path such as {example}",
                       path=location.path, example=os.path.join(location.path, 'bzr-workflow.db'))
    empty = location.exists() and os.path.getsize(location.path) == 0
    if not create and (not location.exists() or empty):
        raise StoreMissing("no store at {path}; create one with `bzr-workflow init`",
                           path=location.path)
    owner_only(location.path)  # made 0600 when new; said when others may read it
    try:
        app = WorkflowApp(location, create_tables=create)
        if create:
            _create_side_tables(location)
        return app
    except PersistenceError as exc:
        raise StoreUnavailable("cannot open {where}: {reason}", where=location.describe(),
                               reason=str(exc).splitlines()[0]) from None


def check_store_views(location: Location) -> dict[str, Any]:
    """verify's view check over a store no application has open (viewcheck.check_views, with
    the application the root builds over its scratch copy)."""
    from .viewcheck import check_views

    return check_views(location, WorkflowApp)
