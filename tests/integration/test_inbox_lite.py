"""The inbox read through the SQLite driver alone (projections/lite.py) gives the very rows the SQLAlchemy views give, and is read only while the views hold every event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.projections import lite

from suzhou_year import OFFICERS, ADVISORS, make_year
from test_inbox_property import USERS, built, organisations


@contextmanager
def spied() -> Iterator[list[str]]:
    """Which way each inbox read went: "lite" when the driver read it."""
    ways: list[str] = []
    real = lite.inbox

    def inbox(*args: Any, **kwargs: Any) -> Any:
        ways.append("lite")
        return real(*args, **kwargs)

    lite.inbox = inbox  # type: ignore[assignment]
    try:
        yield ways
    finally:
        lite.inbox = real  # type: ignore[assignment]


@contextmanager
def never_lite() -> Iterator[None]:
    real = lite.current

    @contextmanager
    def current(_: Any) -> Iterator[None]:
        yield None

    lite.current = current  # type: ignore[assignment]
    try:
        yield
    finally:
        lite.current = real  # type: ignore[assignment]


def same_both_ways(app: WorkflowApp, logins: list[str]) -> int:
    """Each login's inbox through the driver and through SQLAlchemy, as JSON text: the same.
    Returns how many rows were compared."""
    app.reads.cases()  # the views caught up, through SQLAlchemy
    compared = 0
    for login in logins:
        with spied() as ways:
            quick = app.reads.inbox(login)
        assert ways, f"{login}: the views were current, yet the driver did not read them"
        with never_lite():
            slow = app.reads.inbox(login)
        assert json.dumps(quick, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)
        compared += len(quick)
    return compared


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_generated_inboxes_are_the_same_both_ways(org: dict[str, Any]) -> None:
    with built(org) as (app, _):
        same_both_ways(app, ["admin", *USERS])


def test_a_year_of_appraisals_with_deadlines_deputies_and_returns(sqlite_url: str) -> None:
    app = open_app(parse_location(sqlite_url), create=True)
    try:
        moment = datetime.now(UTC) - timedelta(days=10)
        app.clock = lambda: moment  # type: ignore[method-assign]
        make_year(app)
        moment = datetime.now(UTC)
        today = moment.date().isoformat()
        until = (moment.date() + timedelta(days=5)).isoformat()
        app.delegations.give("m1", "zhou", today, until)  # an advisor signs for their head
        app.delegations.give("o1", "s1", today, until)
        for row in app.reads.inbox("o1")[:1]:
            app.cases.return_case(row["id"], "o1", "请补充材料")
        logins = ["admin", *(o[0] for o in OFFICERS), *(a[0] for a in ADVISORS)]
        assert same_both_ways(app, logins) > 0
    finally:
        app.close()


def test_views_behind_the_log_are_caught_up_not_read_by_the_driver(sqlite_url: str) -> None:
    app = open_app(parse_location(sqlite_url), create=True)
    try:
        make_year(app)
        app.reads.cases()
        app.org.add_user("newcomer", "新来的", ["ce_office"], "admin")  # the views now behind
        with spied() as ways:
            rows = app.reads.inbox("newcomer")
        assert ways == [] and rows == app.reads.inbox("o1")
        with spied() as ways:
            app.reads.inbox("newcomer")
        assert ways == ["lite"]
    finally:
        app.close()


@pytest.mark.parametrize("as_of", ["2030-01-01"])
def test_an_inbox_as_of_an_instant_is_not_read_by_the_driver(sqlite_url: str, as_of: str) -> None:
    app = open_app(parse_location(sqlite_url), create=True)
    try:
        make_year(app)
        app.reads.cases()
        with spied() as ways:
            app.reads.inbox("o1", as_of)
        assert ways == []
    finally:
        app.close()

