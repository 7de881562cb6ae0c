"""Whose X-Forwarded-For is believed (issue 20 item 6): nobody's by default, the address a
decision records is the connection's; with `serve --trusted-proxy ADDR`, that peer's alone."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.application import open_app, parse_location
from webrun import Served, guilin_store, http, issue_token

FORGED = "203.0.113.9"


def approved_through(served: Served, db: str, ref: str) -> str:
    """zhang approves `ref` with a forged X-Forwarded-For; the address the audit records."""
    zhang, admin = issue_token(db, "zhang"), issue_token(db, "admin")
    status, body = http("POST", f"{served.url}/api/v1/cases/{ref}/approve", {},
                        {"Authorization": f"Bearer {zhang}", "X-Forwarded-For": FORGED})
    assert status == 200, body
    status, rows = http("GET", f"{served.url}/api/v1/audit?case={ref}", None,
                        {"Authorization": f"Bearer {admin}"})
    assert status == 200, rows
    assert rows[-1]["actor"] == "zhang", rows
    return str(rows[-1]["address"])


@pytest.fixture
def store(sqlite_url: str) -> tuple[str, str]:
    db = guilin_store(sqlite_url, passwords=False)
    app = open_app(parse_location(db))
    ref = str(app.cases.recruit_apply("kj1", None, None, "", "chen")["id"])
    app.close()
    return db, ref


@pytest.mark.parametrize("extra,expected", [((), "127.0.0.1"),
                                            (("--trusted-proxy", "192.0.2.1"), "127.0.0.1"),
                                            (("--trusted-proxy", "127.0.0.1"), FORGED)],
                         ids=["no-proxy", "another-proxy", "this-proxy"])
def test_x_forwarded_for_is_believed_only_from_the_trusted_proxy(
        store: tuple[str, str], extra: Any, expected: str) -> None:
    db, ref = store
    served = Served(db, *extra)
    try:
        assert approved_through(served, db, ref) == expected
    finally:
        served.close()
