"""Separate OS processes making calls on one store at the same moment: each opens the store, waits
at a barrier, makes its call, and reports (label, exit code, message)."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

from bzr_workflow.application import open_app, parse_location
from bzr_workflow.domain.errors import WorkflowError

Call = tuple[str, str, tuple[Any, ...]]
"""(label, `service.method` of the application, its arguments)."""


def _act(db_url: str, call: Call, barrier: Any, results: Any) -> None:
    label, method, args = call
    app = open_app(parse_location(db_url))
    app.institution()  # warm up: connections open before the race starts
    service, name = method.split(".")
    act = getattr(getattr(app, service), name)
    barrier.wait()
    try:
        act(*args)
        results.put((label, 0, ""))
    except WorkflowError as exc:
        results.put((label, exc.exit_code, str(exc)))
    finally:
        app.close()


def race(db_url: str, calls: list[Call], timeout: float = 120) -> list[tuple[str, int, str]]:
    """Every call in its own process, all let go at once; the outcomes, those done first."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(calls)), ctx.Queue()
    procs = [ctx.Process(target=_act, args=(db_url, call, barrier, results)) for call in calls]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return sorted(outcomes, key=lambda o: o[1])
