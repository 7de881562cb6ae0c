"""Separate OS processes acting on the same case at the same moment, on both backends."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

from bzr_workflow.application import WorkflowApp, open_app, parse_location

import racing


def race(db_url: str, ref: str, actors: list[str]) -> list[tuple[str, int, str]]:
    return racing.race(db_url, [(a, "cases.approve", (ref, a, f"{a} 同意")) for a in actors],
                       timeout=60)


def test_two_heads_signing_the_same_step_at_once_record_exactly_one_decision(
        app: WorkflowApp, db_url: str) -> None:
    for _ in range(3):
        ref = app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]
        (winner, ok, _), (loser, code, message) = race(db_url, ref, ["zhang", "zhao2"])
        decisions = [h for h in app.reads.history(ref) if h["action"] == "recommended"]
        assert (ok, code) == (0, 1)
        assert [d["actor"] for d in decisions] == [winner]
        assert f"already recommended by {winner}" in message
        app.cases.withdraw(ref, "chen", "next round")


def _open_all(db_url: str, targets: list[tuple[str, str, str]], barrier: Any,
              results: Any) -> None:
    app = open_app(parse_location(db_url))
    app.institution()  # warm up: connections open before the race starts
    barrier.wait()
    try:
        results.put(sorted(c["id"] for c in app.appraisals.open_appraisals("2026-2027-1", targets, "li",
                                                                  False)))
    finally:
        app.close()


def test_two_officers_opening_the_same_period_at_once_open_each_case_once(
        app: WorkflowApp, db_url: str) -> None:
    """Bulk opening stores its events a chunk at a time in one transaction: when two run at
    once, one stores everything and the other, re-run on the conflict, finds them opened."""
    from bzr_workflow.domain.ids import case_id

    targets = [(f"adv{n}", "kj1", "nanning") for n in range(3000)]  # three chunks each
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_open_all, args=(db_url, targets, barrier, results))
             for _ in range(2)]
    for p in procs:
        p.start()
    outcomes = sorted((results.get(timeout=120) for _ in procs), key=len)
    for p in procs:
        p.join(timeout=60)
    assert outcomes == [[], sorted(f"A-{n}" for n in range(1, 3001))]
    assert app.repository.get(case_id("A-3000")).subject == "adv2999"
    assert not app.exists(case_id("A-3001"))
