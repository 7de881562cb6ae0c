#!/usr/bin/env python3
"""Benchmarks against the raw database in the same run: median and spread of repeated runs, the
ratio to each figure's baseline, and the figures written as JSON. Not part of the test run.

    .venv/bin/python bench/run.py [--repeats 5] [--bulk 10000] [--events 100000] [--out FILE]
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
           per: int = 1) -> dict[str, Any]:
    """Median and spread; `per` turns seconds into a rate (items per second) when > 1."""
    med = statistics.median(samples)
    value = per / med if per > 1 else med
    row: dict[str, Any] = {"figure": name, "unit": unit, "median": round(value, 4),
                           "min": round(per / max(samples) if per > 1 else min(samples), 4),
                           "max": round(per / min(samples) if per > 1 else max(samples), 4),
                           "runs": len(samples)}
    if baseline:
        base = statistics.median(baseline)
        base_value = per / base if per > 1 else base
        row["baseline"] = round(base_value, 4)
        row["ratio"] = round(value / base_value, 3)
    print(f"{name:<44} {row['median']:>12} {unit:<10} ({row['min']}-{row['max']})"
          + (f"  baseline {row['baseline']}  ratio {row['ratio']}" if baseline else ""),
          flush=True)
    return row


def cli(*args: str, db: str, actor: str = "admin") -> None:
    env = dict(os.environ, BZR_WORKFLOW_DB=db, BZR_WORKFLOW_ACTOR=actor)
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


def cli_latency(folder: str, repeats: int) -> list[dict[str, Any]]:
    from bzr_workflow.application import open_app, parse_location

    sys.path.insert(0, str(ROOT / "tests"))
    from guilin_org import make_org

    db = os.path.join(folder, "cli.db")
    app = make_org(open_app(parse_location(db), create=True))
    refs = [app.recruit_apply("kj1", None, None, "", "chen")["id"] for _ in range(repeats)]
    app.close()
    floor = timed(lambda: python("import click, eventsourcing.application, transitions"), repeats)
    rows = [figure("import floor (click+eventsourcing+transitions)", floor, None, "s"),
            figure("python -c 'import sqlite3'", timed(lambda: python("import sqlite3"), repeats),
                   None, "s"),
            figure("bzr-workflow --help", timed(lambda: cli("--help", db=db), repeats), floor, "s")]
    pending = iter(refs)
    rows.append(figure("approve (end to end)",
                       timed(lambda: cli("approve", next(pending), db=db, actor="zhang"), repeats),
                       floor, "s"))
    rows.append(figure("show", timed(lambda: cli("show", refs[0], db=db), repeats), floor, "s"))
    rows.append(figure("inbox", timed(lambda: cli("inbox", db=db, actor="li"), repeats),
                       floor, "s"))
    return rows


def bulk_open(folder: str, count: int, repeats: int) -> list[dict[str, Any]]:
    app, db = store_with_advisors(folder, count, "bulk")
    targets = [(f"t{n}", "kj1", "nanning") for n in range(count)]
    periods = iter(f"{2000 + n}-{2001 + n}-1" for n in range(repeats))
    samples = timed(lambda: app.open_appraisals(next(periods), targets, "li", False), repeats)
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
    from bzr_workflow.projections import Views

    app, db = store_with_advisors(folder, max(events // 3, 1), "rebuild")
    count = sum(1 for _ in app.recorder.select_notifications(start=None, limit=10_000_000))
    views = Views(app)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    samples = timed(views.rebuild, repeats)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def raw_select() -> None:
        conn = sqlite3.connect(db)
        for _ in conn.execute("SELECT rowid, * FROM stored_events ORDER BY rowid"):
            pass
        conn.close()

    rows = [figure(f"rebuild ({count} events)", samples, timed(raw_select, repeats),
                   "events/s", per=count),
            {"figure": "peak RSS growth during rebuild", "unit": "KiB",
             "median": peak_after - peak_before}]
    print(f"{'peak RSS growth during rebuild':<44} {peak_after - peak_before:>12} KiB", flush=True)
    views.close()
    app.close()
    return rows


def replay(folder: str, repeats: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from guilin_org import make_org

    from bzr_workflow.application import open_app, parse_location

    app = make_org(open_app(parse_location(os.path.join(folder, "replay.db")), create=True))
    ref = app.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li", True)[0]["id"]
    for n in range(199):
        app.score(ref, "zhang", [f"political={n % 20}"])
    stamp = app.history(ref)[100]["at"]
    rows = [figure("show of a 200-event case (in process)", timed(lambda: app.show(ref), repeats),
                   None, "s"),
            figure("show --as-of on it (in process)",
                   timed(lambda: app.show(ref, as_of=stamp), repeats), None, "s")]
    app.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = cli_latency(folder, args.repeats)
        rows += bulk_open(folder, args.bulk, min(args.repeats, 3))
        rows += rebuild(folder, args.events, min(args.repeats, 3))
        rows += replay(folder, args.repeats)
    Path(args.out).write_text(json.dumps({"python": sys.version.split()[0], "figures": rows},
                                         ensure_ascii=False, indent=2), "utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
