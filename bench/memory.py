"""(g) Memory: peak RSS (the high-water mark of one fresh child process each) of
`bzr-workflow rebuild` and of `bzr-workflow appraisal open --all`, at two sizes, side by side,
to see whether it stays flat as the count grows. The baseline is the peak RSS of
`bzr-workflow unit list` on the same store: imports, the app, views already current.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))


def say(text: str) -> None:
    print(f"  [memory] {text}", file=sys.stderr, flush=True)


HWM = """import atexit, os, sys
def hwm():
    with open("/proc/self/status") as status, open(os.environ["BZR_BENCH_HWM"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(hwm)
sys.argv[0] = "bzr-workflow"
from bzr_workflow.cli import main
main()
"""


def child(args: list[str], db: str, actor: str = "admin") -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one CLI run in its own process: the VmHWM of the exec'd
    interpreter, read as it exits. (Not wait4's ru_maxrss: on Linux a child's ru_maxrss starts
    from the forking parent's RSS, so a parent holding a large store would mask every child.)"""
    with tempfile.NamedTemporaryFile("r", suffix=".hwm") as out:
        env = dict(os.environ, BZR_WORKFLOW_DB=db, BZR_WORKFLOW_ACTOR=actor,
                   BZR_BENCH_HWM=out.name)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", HWM, *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - started
        if proc.returncode:
            raise RuntimeError(f"bzr-workflow {' '.join(args)} exited {proc.returncode}:"
                               f" {proc.stderr.decode(errors='replace')[-500:]}")
        return seconds, int(out.read())


def mib(samples: list[int]) -> list[float]:
    return [s / 1024 for s in samples]


def peak_row(name: str, key: str, size: int, runs: list[tuple[float, int]],
             floor: list[int]) -> dict[str, Any]:
    """figure() of peak RSS in MiB beside `unit list`'s, with the size and fastest run."""
    from run import figure

    row = figure(name, mib([r[1] for r in runs]), mib(floor), "MiB")
    return row | {key: size, "seconds": round(min(r[0] for r in runs), 2),
                  "baseline_is": "peak RSS of `unit list` on the same store"}


def side_by_side(what: str, label: str, sized: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    (small, a), (large, b) = sized[0], sized[-1]
    grows = (b["median"] - a["median"]) / max(large - small, 1) * 1000 * 1024
    line = (f"{what}: {small} {label} {a['median']:.1f} MiB -> {large} {label}"
            f" {b['median']:.1f} MiB (x{b['median'] / a['median']:.2f} for x{large / small:.1f}"
            f" the {label}; {grows:.1f} KiB per 1000 {label})")
    print(line, flush=True)
    return {"figure": f"{what}: growth", "unit": f"KiB per 1000 {label}", "median": round(grows, 1),
            "sizes": [small, large], "peak_mib": [a["median"], b["median"]]}


def rebuild_store(folder: str, events: int) -> tuple[str, int]:
    """A store of about `events` events (appraisals of ~10 events each), views not made."""
    from scale import build

    db = os.path.join(folder, f"mem-rebuild-{events}.db")
    meta = build(db, max(events // 10, 10), 10, 20, views=False)
    return db, int(meta["events"])


def open_store(folder: str, advisors: int) -> str:
    """Advisors each appointed to a class at nanning or liuzhou, views current."""
    from guilin_org import make_org
    from scale import add_sites_and_advisors

    from bzr_workflow.application import open_app, parse_location
    from bzr_workflow.application.reads import views_of

    db = os.path.join(folder, f"mem-open-{advisors}.db")
    app = make_org(open_app(parse_location(db), create=True))
    add_sites_and_advisors(app, 2, advisors)
    views = views_of(app)
    with views.read():
        pass
    views.close()
    app.close()
    return db


def remove(db: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)


def memory(folder: str, event_sizes: list[int], advisor_sizes: list[int],
           repeats: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sized: list[tuple[int, dict[str, Any]]] = []
    for events in event_sizes:
        db, count = rebuild_store(folder, events)
        say(f"rebuild store: {count} events")
        runs = [child(["rebuild"], db) for _ in range(repeats)]
        floor = [child(["unit", "list"], db)[1] for _ in range(repeats)]
        row = peak_row(f"peak RSS, rebuild of {count} events", "events", count, runs, floor)
        rows.append(row)
        sized.append((count, row))
        remove(db)
    rows.append(side_by_side("peak RSS, rebuild", "events", sized))
    sized = []
    for advisors in advisor_sizes:
        pristine = open_store(folder, advisors)
        say(f"open store: {advisors} advisors appointed")
        work = os.path.join(folder, "mem-open-work.db")
        runs = []
        for _ in range(repeats):
            shutil.copy(pristine, work)  # the same store each time: views current, none open
            runs.append(child(["appraisal", "open", "--period", "2026-2027-1", "--all"], work,
                              actor="li"))
        floor = [child(["unit", "list"], pristine)[1] for _ in range(repeats)]
        row = peak_row(f"peak RSS, appraisal open --all ({advisors})", "advisors", advisors,
                       runs, floor)
        rows.append(row)
        sized.append((advisors, row))
        for path in (pristine, work):
            remove(path)
    rows.append(side_by_side("peak RSS, appraisal open --all", "advisors", sized))
    return rows
