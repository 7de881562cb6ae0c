"""Load: 8 processes × 500 commands against the same cases. Every success is exactly one stored
decision, every refusal is a clean named refusal, and the seal verifies. Prints the throughput."""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from typing import Any

import pytest

from bzr_workflow.application import open_app, parse_location
from bzr_workflow.adapters.seal import Seal
from bzr_workflow.domain.case import Case
from bzr_workflow.domain.errors import WorkflowError

PROCESSES, COMMANDS, CASES = 8, 500, 40
ACTORS = ["zhang", "zhao2", "li", "wang", "boss"]
DECISIONS = (Case.Signed, Case.Vetoed, Case.Returned, Case.Withdrawn)


def _worker(db: str, seed: int, refs: list[str], out: Any) -> None:
    rng = random.Random(seed)
    app = open_app(parse_location(db))
    ok = refused = 0
    unexpected: list[str] = []
    for _ in range(COMMANDS):
        ref, actor = rng.choice(refs), rng.choice(ACTORS)
        roll = rng.random()
        try:
            if roll < 0.8:
                app.cases.approve(ref, actor, "同意")
            elif roll < 0.9:
                app.cases.return_case(ref, actor, "补充材料")
            else:
                app.cases.approve(ref, f"c{refs.index(ref)}", "已补充")  # the applicant re-submits
            ok += 1
        except WorkflowError:
            refused += 1
        except Exception as exc:  # noqa: BLE001 - what the test is looking for
            unexpected.append(f"{type(exc).__name__}: {exc}")
    app.close()
    out.put((ok, refused, unexpected))


@pytest.mark.slow
def test_eight_processes_of_500_commands_lose_and_double_nothing(db_url: str, capsys: Any) -> None:
    from guilin_org import make_org

    app = make_org(open_app(parse_location(db_url), create=True))
    refs = []
    for n in range(CASES):
        app.org.add_user(f"c{n}", f"候选人{n}", [], "admin")
        app.org.add_class(f"L{n}", f"班{n}", "nanning", 40, "", False, "admin")
        refs.append(str(app.cases.recruit_apply(f"L{n}", None, None, "", f"c{n}")["id"]))
    before = _decisions(app)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(db_url, seed, refs, out)) for seed in range(PROCESSES)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join(timeout=60)
    successes = sum(r[0] for r in results)
    assert [u for r in results for u in r[2]] == []
    assert sum(r[0] + r[1] for r in results) == PROCESSES * COMMANDS
    assert _decisions(app) - before == successes
    assert Seal(app.location).verify()["verified"]
    with capsys.disabled():
        print(f"\nload {app.location.backend}: {PROCESSES}×{COMMANDS} commands in {elapsed:.1f} s"
              f" = {PROCESSES * COMMANDS / elapsed:.0f} commands/s"
              f" ({successes} decisions, {PROCESSES * COMMANDS - successes} clean refusals)")
    app.close()


def _decisions(app: Any) -> int:
    notes = app.recorder.select_notifications(start=None, limit=1_000_000)
    topics = {cls.TOPIC for cls in DECISIONS}
    return sum(1 for n in notes if n.topic in topics)
