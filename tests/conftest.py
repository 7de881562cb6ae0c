"""Shared fixtures: a store on a real SQLite file or a fresh PostgreSQL database, and a Guilin organisation."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from guilin_org import make_org

PG_ENV = "BZR_WORKFLOW_TEST_PG"
"""URL of a PostgreSQL database the tests may use to create and drop their own databases."""


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{PG_ENV} is not set: CI must run the PostgreSQL tests, not skip them")
    return url


def _pg_exec(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def scratch_config_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A PostgreSQL store keeps its seal key file under the user's config folder
    (adapters/sealkey.py): the test run's own, not the home folder's."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin = pg_admin_url()
    if not admin:
        pytest.skip(f"{PG_ENV} not set (CI sets it)")
    name = f"bzr_test_{uuid.uuid4().hex[:10]}"
    try:
        _pg_exec(admin, f'CREATE DATABASE "{name}"')
    except Exception as exc:  # a CI run must fail loudly when the server is not there
        pytest.fail(f"cannot create a test database through {admin}: {exc}")
    yield admin.rsplit("/", 1)[0] + "/" + name
    _pg_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """The same test on a real SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return str(tmp_path / "store.db")


@pytest.fixture
def app(db_url: str) -> Iterator[WorkflowApp]:
    """A Guilin store with two teaching sites, their heads, two college officers and candidates."""
    application = make_org(open_app(parse_location(db_url), create=True))
    yield application
    application.close()


@pytest.fixture
def sqlite_app(sqlite_url: str) -> Iterator[WorkflowApp]:
    application = make_org(open_app(parse_location(sqlite_url), create=True))
    yield application
    application.close()
