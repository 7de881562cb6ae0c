"""(f) PostgreSQL concurrency: approve commands per second with 1, 4 and 8 OS processes, each
opening the app once and signing its own share of different cases on one database, beside a
pgbench-like baseline (the same number of processes doing single-row INSERT + COMMIT with
psycopg into a scratch table). Every run uses a scratch database (CREATE DATABASE
bzr_bench_<pid>_<time>, dropped afterwards), so the database of the given URL is not touched
beyond that.

The cases: appraisals of advisors at nanning, opened in bulk (app.open_appraisals, one call per
run) and scored in memory through Case.score (saved in batches), so each is ready for zhang
(site_head@nanning) to sign its first step.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))


def say(text: str) -> None:
    print(f"  [pg] {text}", file=sys.stderr, flush=True)


def with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname, query=""))


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """A fresh database beside the one `url` names; dropped (WITH FORCE) afterwards."""
    import psycopg

    name = f"bzr_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_db(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, advisors: int, runs: int) -> list[list[str]]:
    """The org, `advisors` advisors at nanning, and `runs` periods of one appraisal each, scored
    and ready for zhang's signature: one list of case refs per run."""
    from guilin_org import make_org
    from scale import SITE_SCORES, Advance, add_sites_and_advisors, periods_of, save_batched

    from bzr_workflow.application import open_app, parse_location

    started = time.perf_counter()
    app = make_org(open_app(parse_location(url), create=True))
    add_sites_and_advisors(app, 1, advisors)  # one site: nanning, head zhang
    advance = Advance(app, 1)
    grants = [["site_head", "nanning"]]
    out = []
    for period in periods_of(runs):
        targets = [(f"t{n}", f"c{n}", "nanning") for n in range(advisors)]
        refs = [c["id"] for c in app.appraisals.open_appraisals(period, targets, "li", False)]

        def scored(n: int, ref: str) -> Any:
            case = app.case(ref)
            policy, wf, _ = advance.context(case)
            for key, top in SITE_SCORES:
                case.score("zhang", grants, policy, wf, {key: str(top - 1 - n % 5)}, {})
            return case
        save_batched(app, (scored(n, ref) for n, ref in enumerate(refs)))
        out.append(refs)
    app.close()
    say(f"prepared {advisors * runs} cases in {time.perf_counter() - started:.1f} s")
    return out


# -- workers (spawned: each a fresh interpreter that opens the app once) ----------------------

def _approver(url: str, refs: list[str], barrier: Any, results: Any, seal: bool = True) -> None:
    from bzr_workflow.application import open_app, parse_location
    from bzr_workflow.domain.errors import WorkflowError

    app = open_app(parse_location(url))
    # `seal`: kept for the call signature; the writer now seals inside its own transaction,
    # so there is no separate seal extension left to skip.
    app.user("zhang")  # warm: pool connection, policy parse
    app.policy()
    barrier.wait()
    started, errors = time.monotonic(), 0
    for ref in refs:
        try:
            app.cases.approve(ref, "zhang")
        except WorkflowError:
            errors += 1
    results.put((started, time.monotonic(), len(refs), errors))
    app.close()


def _inserter(url: str, count: int, worker: int, barrier: Any, results: Any) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        barrier.wait()
        started = time.monotonic()
        for n in range(count):
            conn.execute("INSERT INTO bench_raw (worker, n, payload) VALUES (%s, %s, %s)",
                         (worker, n, "x" * 300))
            conn.commit()
    results.put((started, time.monotonic(), count, 0))


def concurrently(procs: int, target: Callable[..., None],
                 args: Callable[[int, Any, Any], tuple[Any, ...]]) -> tuple[float, int, int]:
    """Start `procs` spawned workers behind a barrier; (wall seconds from the first start to
    the last finish, commands done, errors)."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    workers = [ctx.Process(target=target, args=args(w, barrier, results)) for w in range(procs)]
    for p in workers:
        p.start()
    outcomes = [results.get(timeout=900) for _ in workers]
    for p in workers:
        p.join(timeout=60)
    wall = max(o[1] for o in outcomes) - min(o[0] for o in outcomes)
    return wall, sum(o[2] for o in outcomes), sum(o[3] for o in outcomes)


def split(items: list[str], parts: int) -> list[list[str]]:
    return [items[w::parts] for w in range(parts)]


def pg_concurrency(url: str, levels: list[int], commands: int, repeats: int,
                   diagnose: bool = False) -> list[dict[str, Any]]:
    """`diagnose` adds, per level, a second series of the same approvals (it used to skip the
    post-commit seal extension, which no longer exists: the insert seals)."""
    import psycopg

    from run import figure

    commands -= commands % max(levels)  # an equal share for every process at every level
    variants = [True, False] if diagnose else [True]
    rows: list[dict[str, Any]] = []
    with scratch_database(url) as db:
        say(f"scratch database {urlsplit(db).path[1:]}; {commands} commands per run,"
            f" {repeats} run(s) per level {levels}")
        runs = iter(prepare(db, commands, len(levels) * repeats * len(variants)))
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, worker INT,"
                         " n INT, payload TEXT)")
        for procs in levels:
            raw_walls: list[float] = []
            for seal in variants:
                app_walls, errors = [], 0
                for _ in range(repeats):
                    refs = split(next(runs), procs)
                    wall, done, failed = concurrently(
                        procs, _approver, lambda w, b, q: (db, refs[w], b, q, seal))
                    app_walls.append(wall)
                    errors += failed
                    if seal:
                        wall, _, _ = concurrently(
                            procs, _inserter, lambda w, b, q: (db, commands // procs, w, b, q))
                        raw_walls.append(wall)
                name = f"approve, {procs} process(es) on PostgreSQL" + \
                    ("" if seal else ", seal skipped (diagnostic)")
                row = figure(name, app_walls, raw_walls, "cmds/s", per=commands)
                row |= {"processes": procs, "commands": commands, "errors": errors,
                        "sealed": seal,
                        "baseline_is": "single-row INSERT+COMMIT per psycopg process"}
                rows.append(row)
                if errors:
                    print(f"  {errors} approve(s) refused", flush=True)
    return rows
