#!/usr/bin/env python3
"""Benchmarks against the raw database in the same run: median and spread of repeated runs, the
ratio to each figure's baseline, and the figures written as JSON. Not part of the test run.

    .venv/bin/python bench/run.py [--repeats 5] [--bulk 10000] [--events 100000] [--out FILE]

Sections: `base` (the figures above, on by default) and three more, each turned on by its
options (bench/scale.py, bench/pg.py, bench/memory.py):

    --scale [--scale-cases 100000] [--scale-db FILE]   (d) queries at scale on SQLite; the store
                                                       is cached in FILE (+ FILE.json) for reruns
    --pg postgresql://postgres@127.0.0.1:5432/test     (f) approve commands/s with 1, 4, 8
                                                       processes, in a scratch database
    --memory                                           (g) peak RSS of rebuild and open --all
    --web [--web-cases 100000] [--pg URL]              (h) the web front door (bench/web.py):
                                                       sign-offs over HTTP by 20 sessions (SQLite,
                                                       1 worker; PostgreSQL, 2 workers, with --pg),
                                                       the inbox page at scale, the in-process
                                                       sign-off; /healthz and sign-off p50/p99
                                                       idle and under 20 and 12 wrong-password
                                                       sign-ins at once; each beside its target
                                                       (--web-parts storm: only the last)
    --peers [--peer-python PATH] [--peer-cases 2000] [--peer-rounds 3]
                                                       (p) beside SpiffWorkflow 3.2 and raw sqlite3
                                                       (bench/peers.py: how to make the peer's
                                                       virtual environment); only this section
                                                       runs unless others are asked for
    --skip base                                        leave out a section (cli,base,scale,pg,memory,web;
                                                       cli: the commands end to end, on by default)

For example, everything at full size:

    .venv/bin/python bench/run.py --scale --scale-db /tmp/bzr-scale.db --memory \
        --pg postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "bzr-workflow"


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def figure(name: str, samples: list[float], baseline: list[float] | None, unit: str,
           per: int = 1, p90: bool = False) -> dict[str, Any]:
    """Median and spread; `per` turns seconds into a rate (items per second) when > 1;
    `p90` adds the 90th percentile of the samples (latencies) beside the median."""
    med = statistics.median(samples)
    value = per / med if per > 1 else med
    row: dict[str, Any] = {"figure": name, "unit": unit, "median": round(value, 4),
                           "min": round(per / max(samples) if per > 1 else min(samples), 4),
                           "max": round(per / min(samples) if per > 1 else max(samples), 4),
                           "runs": len(samples)}
    if p90:
        ordered = sorted(samples)
        row["p90"] = round(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))], 4)
    if baseline:
        base = statistics.median(baseline)
        base_value = per / base if per > 1 else base
        row["baseline"] = round(base_value, 4)
        row["ratio"] = round(value / base_value, 3)
    print(f"{name:<44} {row['median']:>12} {unit:<10} ({row['min']}-{row['max']})"
          + (f"  p90 {row['p90']}" if p90 else "")
          + (f"  baseline {row['baseline']}  ratio {row['ratio']}" if baseline else ""),
          flush=True)
    return row


RESIDENT: dict[str, str] = {}
"""The console script's resident worker for `cli(..., resident=True)`: its own folder of
sockets, made by `cli_latency`."""


def cli(*args: str, db: str, actor: str = "admin", resident: bool = False) -> None:
    env = dict(os.environ, BZR_WORKFLOW_DB=db, BZR_WORKFLOW_ACTOR=actor,
               BZR_WORKFLOW_RESIDENT="wait" if resident else "0", **RESIDENT)
    subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True)


def python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def store_with_advisors(folder: str, count: int, name: str) -> tuple[Any, str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from guilin_org import make_org

    from bzr_workflow.application import open_app, parse_location

    db = os.path.join(folder, f"{name}-{count}.db")
    app = make_org(open_app(parse_location(db), create=True))
    batch = []
    for n in range(count):
        from bzr_workflow.domain.user import User

        user = User(login=f"t{n}", name=f"教师{n}", actor="admin")
        user.take_class("kj1", f"R-{n}", 0)
        batch.append(user)
        if len(batch) == 500:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    return app, db


def warm() -> None:
    """What an installed package has and `dev.py setup` writes: bytecode and the dataclass
    cache (this machine sets PYTHONDONTWRITEBYTECODE, so nothing writes them on the way)."""
    subprocess.run([sys.executable, "-c", "from bzr_workflow._codecache import warm; warm()"],
                   check=True, capture_output=True)


def cli_latency(folder: str, repeats: int) -> list[dict[str, Any]]:
    from bzr_workflow.application import open_app, parse_location

    warm()

    sys.path.insert(0, str(ROOT / "tests"))
    from guilin_org import make_org

    db = os.path.join(folder, "cli.db")
    app = make_org(open_app(parse_location(db), create=True))
    refs = []
    for n in range(2 * repeats + 1):  # a candidate has one open application per class
        app.org.add_user(f"c{n}", f"候选人{n}", [], "admin")
        refs.append(app.cases.recruit_apply("kj1", None, None, "", f"c{n}")["id"])
    app.close()
    RESIDENT["BZR_WORKFLOW_RESIDENT_DIR"] = tempfile.mkdtemp(prefix="bzrbench", dir="/tmp")
    cli("--help", db=db, resident=True)  # starts the worker and waits for it
    runs: dict[str, Callable[[], Any]] = {
        "floor": lambda: python("import click, eventsourcing.application, transitions"),
        "sqlite3": lambda: python("import sqlite3"),
        "help": lambda: cli("--help", db=db),
        "approve": lambda: cli("approve", next(pending), db=db, actor="zhang"),
        "show": lambda: cli("show", refs[0], db=db),
        "inbox": lambda: cli("inbox", db=db, actor="li"),  # after an approve: it catches up
        "inbox again": lambda: cli("inbox", db=db, actor="li"),  # nothing to catch up
        "r approve": lambda: cli("approve", next(pending), db=db, actor="zhang", resident=True),
        "r show": lambda: cli("show", refs[0], db=db, resident=True),
        "r inbox": lambda: cli("inbox", db=db, actor="li", resident=True),
        "r inbox again": lambda: cli("inbox", db=db, actor="li", resident=True),
    }
    pending = iter(refs)
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}  # the child's user+sys time
    try:
        for _ in range(repeats):  # interleaved round by round: the load falls on all alike
            for name, run in runs.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall[name] += timed(run, 1)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append(after.ru_utime - before.ru_utime
                                 + after.ru_stime - before.ru_stime)
    finally:
        stop_workers(RESIDENT.pop("BZR_WORKFLOW_RESIDENT_DIR"))
    floor = wall["floor"]
    names = {"floor": "import floor (click+eventsourcing+transitions)",
             "sqlite3": "python -c 'import sqlite3'", "help": "bzr-workflow --help",
             "approve": "approve (end to end)", "show": "show",
             "inbox": "inbox (after an approve: catches up)",
             "inbox again": "inbox (views current: nothing to catch up)",
             "r approve": "approve, resident worker (the default)",
             "r show": "show, resident worker",
             "r inbox": "inbox after an approve, resident worker",
             "r inbox again": "inbox, views current, resident worker"}
    print("  commands in a process of their own (BZR_WORKFLOW_RESIDENT=0), then handed to the"
          " resident worker; goal: each <= 1.3 x the floor, wall clock", flush=True)
    rows = []
    for name, label in names.items():
        row = figure(label, wall[name], None if name in ("floor", "sqlite3") else floor, "s")
        row["cpu_median"] = round(statistics.median(cpu[name]), 4)
        row["cpu_ratio"] = round(row["cpu_median"] / statistics.median(cpu["floor"]), 3)
        rows.append(row)
    print(f"{'  CPU time (user+sys) over the floor':<44} "
          + ", ".join(f"{n} {r['cpu_ratio']:.2f}x" for n, r in zip(names, rows)
                      if not n.startswith("r "))
          + f" (floor {rows[0]['cpu_median'] * 1000:.0f} ms; load {os.getloadavg()[0]:.1f};"
          " a resident command's CPU is the worker's child's, not counted here)", flush=True)
    return rows


def stop_workers(folder: str) -> None:
    """Ends the resident workers started in this folder of sockets (their lock files hold their
    process ids) and removes it."""
    import shutil
    import signal

    for lock in Path(folder).glob("*/*.lock"):
        try:
            os.kill(int(lock.read_text().strip()), signal.SIGTERM)
        except (ValueError, ProcessLookupError):
            pass
    shutil.rmtree(folder, ignore_errors=True)


def bulk_open(folder: str, count: int, repeats: int) -> list[dict[str, Any]]:
    app, db = store_with_advisors(folder, count, "bulk")
    targets = [(f"t{n}", "kj1", "nanning") for n in range(count)]
    periods = iter(f"{2000 + n}-{2001 + n}-1" for n in range(repeats))
    samples = timed(lambda: app.appraisals.open_appraisals(next(periods), targets, "li", False), repeats)
    raw = os.path.join(folder, "raw.db")

    def raw_insert() -> None:
        conn = sqlite3.connect(raw)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS e (id TEXT, v INT, topic TEXT, state BLOB,"
                     " PRIMARY KEY (id, v))")
        conn.execute("DELETE FROM e")
        with conn:
            conn.executemany("INSERT INTO e VALUES (?, 1, 'bzr.case.opened', ?)",
                             ((f"{n:032x}", b"x" * 300) for n in range(count)))
        conn.close()

    base = timed(raw_insert, repeats)
    app.close()
    return [figure(f"appraisal open --all ({count} advisors)", samples, base, "cases/s",
                   per=count)]


def rebuild(folder: str, events: int, repeats: int) -> list[dict[str, Any]]:
    """All views from a store of appraisal cases of about ten events each (scale.build), beside a
    raw SELECT of the same rows; --scale does it again on the million-event store."""
    from scale import build

    from bzr_workflow.application import open_app, parse_location
    from bzr_workflow.application.reads import views_of

    db = os.path.join(folder, f"rebuild-{events}.db")
    build(db, max(events // 10, 1), 2, 10, views=False)
    app = open_app(parse_location(db))
    count = sum(1 for _ in app.recorder.select_notifications(start=None, limit=10_000_000))
    views = views_of(app)

    def raw_select() -> None:
        conn = sqlite3.connect(db)
        for _ in conn.execute("SELECT rowid, * FROM stored_events ORDER BY rowid"):
            pass
        conn.close()

    def path(name: str) -> Callable[[], Any]:
        def run() -> Any:
            os.environ["BZR_WORKFLOW_VIEWS_PATH"] = name  # projections/rawrebuild.py
            return views.rebuild()
        return run

    samples: dict[str, list[float]] = {"records": [], "events": []}
    cpu: dict[str, list[float]] = {"records": [], "events": []}  # this process's CPU time
    for _ in range(repeats):  # interleaved: the machine's load falls on both alike
        for name, taken in samples.items():
            started = time.process_time()
            taken += timed(path(name), 1)
            cpu[name].append(time.process_time() - started)
    os.environ.pop("BZR_WORKFLOW_VIEWS_PATH", None)
    floor = timed(raw_select, repeats)
    rows = [figure(f"rebuild ({count} events)", samples["records"], floor, "events/s",
                   per=count),
            figure(f"rebuild, event path ({count} events)", samples["events"], floor,
                   "events/s", per=count)]
    for row, name in zip(rows, cpu):  # beside the wall time: what the load on the machine hides
        row["cpu_median"] = round(count / statistics.median(cpu[name]), 1)
    rate = rows[0]["median"]
    print(f"{'  goal: rebuild >= 50000 events/s':<44} {'met' if rate >= 50_000 else 'NOT met'}"
          f" ({rate:.0f}/s wall, {rows[0]['cpu_median']:.0f}/s of CPU time; the event path"
          f" {rows[1]['median']:.0f}/s; the SELECT of the rows alone"
          f" {rows[0]['baseline']:.0f}/s; load {os.getloadavg()[0]:.1f})", flush=True)
    views.close()
    app.close()
    return rows


def replay(folder: str, repeats: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from guilin_org import make_org

    from bzr_workflow.application import open_app, parse_location

    app = make_org(open_app(parse_location(os.path.join(folder, "replay.db")), create=True))
    ref = app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li", True)[0]["id"]
    for n in range(199):
        app.appraisals.score(ref, "zhang", [f"political={n % 20}"])
    stamp = app.reads.history(ref)[100]["at"]
    rows = [figure("show of a 200-event case (in process, cached)",
                   timed(lambda: app.reads.show(ref), repeats), None, "s")]
    cache, app.repository.cache = app.repository.cache, None  # as a fresh CLI process has it
    rows += [figure("show of it (in process, replayed)", timed(lambda: app.reads.show(ref), repeats),
                    None, "s"),
             figure("show --as-of on it (in process)",
                    timed(lambda: app.reads.show(ref, as_of=stamp), repeats), None, "s")]
    app.repository.cache = cache
    app.close()
    return rows


def sizes(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def main() -> None:
    sys.modules.setdefault("run", sys.modules[__name__])  # bench modules import figure() from here
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--skip", default="", metavar="SECTIONS",
                        help="comma-separated sections to leave out: cli (the commands end to"
                             " end), base, scale, pg, memory, web")
    scale = parser.add_argument_group("(d) queries at scale (SQLite)")
    scale.add_argument("--scale", action="store_true", help="run it (implied by --scale-db)")
    scale.add_argument("--scale-cases", type=int, default=100_000, metavar="N",
                       help="open cases, about 10 events each (default 100000)")
    scale.add_argument("--scale-db", metavar="FILE",
                       help="build the store here, or reuse it when FILE.json says it has the"
                            " same shape (default: a temporary file)")
    scale.add_argument("--scale-periods", type=int, default=10,
                       help="appraisal periods; advisors = cases / periods (default 10)")
    scale.add_argument("--scale-sites", type=int, default=100,
                       help="teaching sites the advisors are spread over (default 100)")
    scale.add_argument("--scale-calls", type=int, default=30,
                       help="in-process calls per query for p50/p90 (default 30)")
    pg = parser.add_argument_group("(f) PostgreSQL concurrency")
    pg.add_argument("--pg", metavar="URL",
                    help="a PostgreSQL database URL; a scratch database is made beside it")
    pg.add_argument("--pg-commands", type=int, default=1200,
                    help="approve commands per run, shared out among the processes")
    pg.add_argument("--pg-procs", type=sizes, default=[1, 4, 8], metavar="1,4,8")
    pg.add_argument("--pg-diagnose", action="store_true",
                    help="also time the approvals a second time (the seal, now part of the insert, can no longer be skipped)")
    mem = parser.add_argument_group("(g) memory")
    mem.add_argument("--memory", action="store_true", help="run it")
    mem.add_argument("--memory-events", type=sizes, default=[10_000, 100_000],
                     metavar="10000,100000", help="store sizes for the rebuild")
    mem.add_argument("--memory-advisors", type=sizes, default=[2_000, 10_000],
                     metavar="2000,10000", help="advisors for appraisal open --all")
    webs = parser.add_argument_group("(h) the web front door (issue 13, item 8)")
    webs.add_argument("--web", action="store_true",
                     help="run it; its PostgreSQL part runs when --pg is given (--skip pg"
                          " leaves out only section f)")
    webs.add_argument("--web-runs", type=int, metavar="N",
                     help="load runs per database (default: --repeats, at most 3)")
    webs.add_argument("--web-signoffs", type=int, default=50, metavar="N",
                     help="timed sign-offs per session per run (default 50; 20 sessions)")
    webs.add_argument("--web-seconds", type=float, default=60,
                     help="a load run stops at this deadline whatever is left (default 60)")
    webs.add_argument("--web-inproc", type=int, default=300, metavar="N",
                     help="in-process sign-offs timed (and as many profiled; default 300)")
    webs.add_argument("--web-profile", action="store_true",
                     help="profile the in-process sign-off even when it meets its target")
    webs.add_argument("--web-nodelay", action="store_true",
                      help="diagnostic: each HTTP figure again with TCP_NODELAY forced on the"
                           " server's connections (uvicorn's bound socket leaves Nagle on)")
    webs.add_argument("--web-cases", type=int, metavar="N",
                     help="open cases in the store behind the inbox page (default:"
                          " --scale-cases, 100000)")
    webs.add_argument("--web-calls", type=int, default=30, metavar="N",
                     help="requests of the inbox page timed (default 30)")
    webs.add_argument("--web-parts", default="signoff,inbox,storm", metavar="PARTS",
                      help="which parts to run (default signoff,inbox,storm; storm: /healthz"
                           " and sign-offs under 20 and 12 wrong-password sign-ins at once)")
    webs.add_argument("--web-storm-signoffs", type=int, default=40, metavar="N",
                      help="sign-offs per session in each storm phase (default 40; 8 sessions)")
    peer = parser.add_argument_group("(p) peers: SpiffWorkflow 3.2 and raw sqlite3 (issue 24)")
    peer.add_argument("--peers", action="store_true", help="run it (and base only if"
                      " --skip is given without base)")
    peer.add_argument("--peer-python", metavar="PATH",
                      help="the python of the peer's virtual environment (default: the"
                           " environment variable BZR_WORKFLOW_PEER_PYTHON)")
    peer.add_argument("--peer-cases", type=int, default=2000, metavar="N")
    peer.add_argument("--peer-rounds", type=int, default=3, metavar="N")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.peers and not args.skip:
        skip |= {"base", "cli"}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        if "cli" not in skip:
            rows += cli_latency(folder, args.repeats)
        if "base" not in skip:
            rows += bulk_open(folder, args.bulk, min(args.repeats, 3))
            rows += rebuild(folder, args.events, min(args.repeats, 3))
            rows += replay(folder, args.repeats)
        if args.peers:
            from peers import peers

            rows += peers(folder, args.peer_python, args.peer_cases, args.peer_rounds)
        if (args.scale or args.scale_db) and "scale" not in skip:
            from scale import queries_at_scale

            rows += queries_at_scale(args.scale_db, args.scale_cases, args.scale_periods,
                                     args.scale_sites, args.scale_calls, args.repeats, folder)
        if args.pg and "pg" not in skip:
            from pg import pg_concurrency

            print("-- PostgreSQL concurrency", flush=True)
            rows += pg_concurrency(args.pg, args.pg_procs, args.pg_commands,
                                   min(args.repeats, 3), args.pg_diagnose)
        if args.memory and "memory" not in skip:
            from memory import memory

            print("-- memory (peak RSS of one fresh process each)", flush=True)
            rows += memory(folder, args.memory_events, args.memory_advisors,
                           min(args.repeats, 2))
        if args.web and "web" not in skip:
            from web import web

            cases = args.web_cases or args.scale_cases
            scale_db = args.scale_db if args.scale_db and cases == args.scale_cases else \
                os.path.join(folder, f"web-scale-{cases}.db")  # never rebuild --scale-db smaller
            rows += web(folder, args.web_runs or min(args.repeats, 3), args.web_signoffs,
                        args.web_seconds, args.web_inproc, args.pg, scale_db, cases,
                        args.web_calls, args.web_profile, args.web_nodelay,
                        tuple(p.strip() for p in args.web_parts.split(",") if p.strip()),
                        args.web_storm_signoffs)
    Path(args.out).write_text(json.dumps({"python": sys.version.split()[0],
                                          "cpus": os.cpu_count(), "figures": rows},
                                         ensure_ascii=False, indent=2), "utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
