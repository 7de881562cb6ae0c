"""A PostgreSQL connection dropped under a command: a clear refusal or a clean retry, never a
partial write."""

from __future__ import annotations

import psycopg

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.adapters.seal import Seal
from bzr_workflow.domain.errors import WorkflowError


def drop_connections(app: WorkflowApp) -> int:
    loc = app.location
    with psycopg.connect(loc.libpq_conninfo(), autocommit=True) as admin:
        return len(admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()", (loc.dbname,)).fetchall())


def test_a_dropped_connection_gives_a_clear_line_or_a_clean_retry(pg_url: str) -> None:
    from guilin_org import make_org

    app: WorkflowApp = make_org(open_app(parse_location(pg_url), create=True))
    ref = str(app.cases.recruit_apply("kj1", None, None, "", "chen")["id"])
    assert drop_connections(app) >= 1
    try:
        app.cases.approve(ref, "zhang", "同意")
        outcome = "signed"
    except WorkflowError as exc:
        assert exc.exit_code == 4 and ("unreachable" in str(exc) or "refused" in str(exc))
        outcome = "refused"
    fresh = open_app(parse_location(pg_url))
    signed = [h for h in fresh.reads.history(ref) if h["action"] == "recommended"]
    assert len(signed) == (1 if outcome == "signed" else 0)
    if outcome == "refused":
        fresh.cases.approve(ref, "zhang", "同意")
    assert Seal(fresh.location).verify()["verified"]
    fresh.close()
    print(f"dropped connection: {outcome}")
