"""Shared fixtures: a store on a real SQLite file or a fresh PostgreSQL database, and a Guilin organisation."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location

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


GUILIN = "guilin-ut-ce-2024"
UNITS = [("ce", "继续教育学院", ""), ("nanning", "南宁校外教学点", "ce"),
         ("liuzhou", "柳州助学单位", "ce")]
USERS = [("zhang", "张建国", ["site_head@nanning"]), ("zhao2", "赵副主任", ["site_head@nanning"]),
         ("huang", "黄丽华", ["site_head@liuzhou"]), ("li", "李志强", ["ce_college"]),
         ("wang", "王海燕", ["ce_college"]), ("boss", "院长", ["site_head@ce"]),
         ("chen", "陈晓明", []), ("liu", "刘芳", [])]
CLASSES = [("kj1", "会计1班", "nanning", 45), ("kj2", "会计2班", "nanning", 61),
           ("tm1", "土木1班", "liuzhou", 30)]


def make_org(app: WorkflowApp) -> WorkflowApp:
    app.init(GUILIN, "admin", "", None)
    for code, name, parent in UNITS:
        app.add_unit(code, name, parent, "admin")
    for login, name, roles in USERS:
        app.add_user(login, name, roles, "admin")
    for code, name, unit, students in CLASSES:
        app.add_class(code, name, unit, students, "专升本", False, "admin")
    return app


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
