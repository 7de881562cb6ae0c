"""(d) Queries at scale: a SQLite store with N open appraisal cases of about ten events each,
built through the application's bulk paths and cached in a file, then the queries behind
`inbox`, `cases --state open`, `results --period` and `audit --actor`, in process (p50, p90)
and end to end through the CLI, each beside a raw sqlite3 baseline of the same rows.

The store: make_org's Guilin organisation plus `sites` teaching sites under ce (nanning and
liuzhou among them, site heads zhang and huang; the others s2.. with heads h2..), N / periods
advisors each appointed to a class of their own, spread evenly over the sites, and one
appraisal case per advisor per period (opened with app.open_appraisals, one call per period).
Every case is then brought to about ten events in memory through the Case's own decisions and
saved in batches (app.save): a third stays at site_appraisal (opened, 9 scores), a third at
college_evaluation (opened, 8 scores, signed by the site head), a third at archive (opened,
7 scores, site head's signature, li's score and signature). All stay open. The views are
caught up once at the end (each save seals its own events).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SCHEME = 2  # bump when the shape of the built store changes, so cached files are rebuilt
BATCH = 500  # aggregates per app.save
SITE_SCORES = [("political", 20), ("guidance", 15), ("contact", 15), ("teaching_notices", 15),
               ("integrity", 20)]


def say(text: str) -> None:
    print(f"  [scale] {text}", file=sys.stderr, flush=True)


# -- building ---------------------------------------------------------------------------------

def site_of(n: int, sites: int) -> tuple[str, str]:
    """(unit, head) of advisor n's site."""
    k = n % sites
    return {0: ("nanning", "zhang"), 1: ("liuzhou", "huang")}.get(k, (f"s{k}", f"h{k}"))


def periods_of(count: int) -> list[str]:
    return [f"{2000 + p // 2}-{2001 + p // 2}-{p % 2 + 1}" for p in range(count)]


def add_sites_and_advisors(app: Any, sites: int, advisors: int) -> None:
    """Site units and heads beyond make_org's two, then advisors each appointed to a class of
    their own (user, class, appointment): saved `BATCH` aggregates at a time."""
    from bzr_workflow.domain.school_class import SchoolClass
    from bzr_workflow.domain.user import User

    for k in range(2, sites):
        app.org.add_unit(f"s{k}", f"教学点{k}", "ce", "admin")
    heads = [User(login=f"h{k}", name=f"负责人{k}", actor="admin") for k in range(2, sites)]
    for k, head in enumerate(heads, 2):
        head.grant("site_head", f"s{k}", "admin")
    for start in range(0, len(heads), BATCH):
        app.save(*heads[start:start + BATCH])
    batch: list[Any] = []
    for n in range(advisors):
        unit, _ = site_of(n, sites)
        klass = SchoolClass(code=f"c{n}", name=f"班{n}", unit=unit, students=40, level="专升本",
                            graduating=False, actor="admin")
        klass.appoint(f"t{n}", "2000-09-01", f"R-B{n}", "admin", 1)
        user = User(login=f"t{n}", name=f"教师{n}", actor="admin")
        user.take_class(f"c{n}", f"R-B{n}", 0)
        batch += [klass, user]
        if len(batch) >= BATCH:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


class Advance:
    """Brings freshly opened appraisal cases to ~10 events through the Case's own decisions."""

    def __init__(self, app: Any, sites: int) -> None:
        from bzr_workflow.domain.pipeline import machine_for

        self.app, self.sites = app, sites
        self._machine_for = machine_for
        self._context: dict[tuple[int, int], tuple[Any, Any, Any]] = {}
        self.li = [["ce_college", ""]]

    def context(self, case: Any) -> tuple[Any, Any, Any]:
        key = (case.policy_version, case.refinement)
        if key not in self._context:
            policy = self.app.case_policy(case)
            wf = policy.workflow(case.kind)
            machine = self._machine_for(self.app.policies.key(*key), wf)
            self._context[key] = (policy, wf, machine)
        return self._context[key]

    def __call__(self, case: Any, n: int) -> Any:
        """The case brought to its stage (returned, to be saved)."""
        policy, wf, machine = self.context(case)
        unit, head = site_of(n, self.sites)
        grants = [["site_head", unit]]
        stage = n % 3
        for key, top in SITE_SCORES:
            case.score(head, grants, policy, wf, {key: str(top - 5 - n % 3)}, {})
        revisions = {0: 4, 1: 3, 2: 2}[stage]
        for key, top in SITE_SCORES[:revisions]:
            case.score(head, grants, policy, wf, {key: str(top - 1)}, {})
        if stage >= 1:
            case.approve(head, grants, policy, wf, machine, "同意", "")
        if stage == 2:
            case.score("li", self.li, policy, wf, {"college_evaluation": "12"}, {})
            case.approve("li", self.li, policy, wf, machine, "同意", "")
        return case


def save_batched(app: Any, cases: Any) -> None:
    """Save the aggregates `cases` yields, BATCH per app.save."""
    batch: list[Any] = []
    for case in cases:
        batch.append(case)
        if len(batch) >= BATCH:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)


def build(db: str, cases: int, periods: int, sites: int, views: bool = True) -> dict[str, Any]:
    """The store (see the module's doc); `views=False` leaves the views unmade."""
    from guilin_org import make_org

    from bzr_workflow.application import open_app, parse_location
    from bzr_workflow.application.reads import views_of

    advisors = max(cases // periods, 1)
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, mark: list[float] = [started]) -> None:  # noqa: B006 - a running mark
        now = time.perf_counter()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now
        say(f"{name}: {phases[name]} s")

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    location = parse_location(db)
    app = make_org(open_app(location, create=True))
    add_sites_and_advisors(app, sites, advisors)
    phase(f"organisation, {sites} sites, {advisors} advisors")
    advance = Advance(app, sites)
    opened = 0
    for period in periods_of(periods):
        todo = min(advisors, cases - opened)
        if todo <= 0:
            break
        targets = [(f"t{n}", f"c{n}", site_of(n, sites)[0]) for n in range(todo)]
        refs = [c["id"] for c in app.appraisals.open_appraisals(period, targets, "li", False)]
        save_batched(app, (advance(app.case(ref), n) for n, ref in enumerate(refs)))
        opened += len(refs)
        phase(f"period {period}: {len(refs)} cases opened and advanced")
    if views:
        reader = views_of(app)
        with reader.read():
            pass
        reader.close()
        phase("views caught up")
    app.close()
    conn = sqlite3.connect(db)
    events = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
    conn.close()
    return {"scheme": SCHEME, "cases": opened, "periods": periods, "sites": sites,
            "advisors": advisors, "events": events, "size_mb": round(os.path.getsize(db) / 2**20),
            "build_s": round(time.perf_counter() - started, 1), "phases": phases}


def ensure_store(db: str, cases: int, periods: int, sites: int) -> dict[str, Any]:
    """The cached store at `db` when it was built with the same shape, else a new one."""
    meta_path = Path(db + ".json")
    wanted = {"scheme": SCHEME, "cases": cases, "periods": periods, "sites": sites}
    if meta_path.exists() and os.path.exists(db):
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("requested") == wanted:
            say(f"reusing {db} ({meta['events']} events, built in {meta['build_s']} s)")
            return meta | {"reused": True}
    say(f"building {db}: {cases} cases over {periods} periods, {sites} sites")
    meta = build(db, cases, periods, sites) | {"requested": wanted}
    meta_path.write_text(json.dumps(meta, indent=2), "utf-8")
    say(f"built: {meta['events']} events, {meta['size_mb']} MB in {meta['build_s']} s")
    return meta | {"reused": False}


# -- measuring --------------------------------------------------------------------------------

def latency(name: str, samples: list[float], baseline: list[float] | None) -> dict[str, Any]:
    """figure() in milliseconds, with the p90 beside the median."""
    from run import figure

    row = figure(name, [s * 1000 for s in samples],
                 [b * 1000 for b in baseline] if baseline else None, "ms", p90=True)
    return row


class Calls:
    """The CLI's calls for each view command, on one open app, as cli/views.py and
    cli/appraisal.py make them (ctx.app().reads.X(...))."""

    def __init__(self, db: str) -> None:
        from bzr_workflow.application import open_app, parse_location

        self.app = open_app(parse_location(db))
        self.reads = self.app.reads

    def inbox(self, login: str) -> list[Any]:
        return self.reads.inbox(login)

    def cases(self, state: str | None = None, limit: int | None = None) -> list[Any]:
        return self.reads.cases(None, state, None, None, limit)

    def results(self, period: str, unit: str | None = None) -> list[Any]:
        return self.reads.results(period, unit).rows

    def counts(self, period: str) -> dict[str, Any]:
        return self.reads.result_counts(period)

    def audit(self, actor: str, limit: int | None = None) -> list[Any]:
        return self.reads.audit(actor, None, None, None, limit)

    def rebuild(self) -> int:
        return self.reads.rebuild()

    def close(self) -> None:
        self.app.close()


def raw(db: str, sql: str, args: tuple[Any, ...] = ()) -> Callable[[], int]:
    """The same rows straight from sqlite3 (a fresh connection each call, as a CLI run has)."""
    def run() -> int:
        conn = sqlite3.connect(db)
        try:
            return len(conn.execute(sql, args).fetchall())
        finally:
            conn.close()
    return run


def sampled(fn: Callable[[], Any], repeats: int) -> list[float]:
    """run.timed after one untimed call (caches, pages, policy parse)."""
    from run import timed

    fn()
    return timed(fn, repeats)


def site_units(db: str, unit: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT code FROM bzr_units WHERE '/' || path || '/'"
                                           " LIKE ?", (f"%/{unit}/%",))]
    finally:
        conn.close()


def measure(db: str, meta: dict[str, Any], repeats: int, cli_repeats: int) -> list[dict[str, Any]]:
    from run import cli, figure

    period = periods_of(meta["periods"])[0]
    calls = Calls(db)
    calls.cases(limit=1)  # views made under an older schema are rebuilt here, not timed below
    sizes = {"inbox": len(calls.inbox("zhang")), "cases": len(calls.cases("open")),
             "results": len(calls.results(period)), "audit": len(calls.audit("zhang"))}
    say(f"rows returned: {sizes}")
    units = site_units(db, "nanning")
    inbox_sql = ("SELECT * FROM bzr_cases WHERE state = 'open' AND role = 'applicant' AND"
                 " applicant = ? UNION SELECT * FROM bzr_cases WHERE state = 'open' AND role ="
                 f" 'site_head' AND unit IN ({', '.join('?' * len(units))})"
                 " ORDER BY updated_at, ref")
    open_sql = "SELECT * FROM bzr_cases WHERE state = 'open' ORDER BY opened_at, ref"
    audit_sql = "SELECT * FROM bzr_decisions WHERE actor = ? ORDER BY position"
    specs = [  # key, name, in process, raw baseline, CLI argv, actor
        ("inbox", f"inbox --as zhang ({sizes['inbox']} rows)", lambda: calls.inbox("zhang"),
         raw(db, inbox_sql, ("zhang", *units)), ("inbox",), "zhang"),
        ("cases", f"cases --state open ({sizes['cases']} rows)", lambda: calls.cases("open"),
         raw(db, open_sql), ("cases", "--state", "open"), "admin"),
        ("page", "cases --state open --limit 100", lambda: calls.cases("open", 100),
         raw(db, open_sql + " LIMIT 100"), ("cases", "--state", "open", "--limit", "100"),
         "admin"),
        ("results", f"results --period {period} ({sizes['results']} rows)",
         lambda: calls.results(period),
         raw(db, "SELECT a.*, c.state, c.unit_path, c.step_label FROM bzr_appraisals a JOIN"
                 " bzr_cases c ON c.ref = a.ref WHERE a.period = ? ORDER BY a.unit, a.advisor",
             (period,)), ("results", "--period", period), "admin"),
        ("counts", f"results --period {period} --counts", lambda: calls.counts(period),
         raw(db, "SELECT a.unit, a.grade, COUNT(*) FROM bzr_appraisals a JOIN bzr_cases c"
                 " ON c.ref = a.ref WHERE a.period = ? GROUP BY a.unit, a.grade", (period,)),
         ("results", "--period", period, "--counts"), "admin"),
        ("audit", f"audit --actor zhang ({sizes['audit']} rows)", lambda: calls.audit("zhang"),
         raw(db, audit_sql, ("zhang",)), ("audit", "--actor", "zhang"), "admin"),
        ("audit page", "audit --actor zhang --limit 100", lambda: calls.audit("zhang", 100),
         raw(db, audit_sql + " LIMIT 100", ("zhang",)),
         ("audit", "--actor", "zhang", "--limit", "100"), "admin"),
    ]
    rows = []
    count = raw(db, "SELECT COUNT(*) FROM bzr_cases")
    rows.append(latency("raw SELECT COUNT(*) FROM bzr_cases", sampled(count, repeats), None))
    for key, name, fn, base, _, _ in specs:
        rows.append(latency(f"{name} in process", sampled(fn, repeats), sampled(base, repeats)))
        rows[-1]["rows"] = sizes.get(key)
    floor = sampled(lambda: cli("--help", db=db), cli_repeats)
    for key, name, _, _, argv, actor in specs:
        rows.append(figure(f"{name} CLI", sampled(lambda: cli(*argv, db=db, actor=actor),
                                                  cli_repeats), floor, "s"))
        rows[-1]["rows"] = sizes.get(key)
    rows.append(rebuild_at_scale(db, calls, meta))
    calls.close()
    return rows


def rebuild_at_scale(db: str, calls: Calls, meta: dict[str, Any]) -> dict[str, Any]:
    """(c) All views from every event of the scale store, once (about a minute), beside a raw
    SELECT of the same rows in the same run."""
    from run import figure

    select = raw(db, "SELECT rowid, * FROM stored_events ORDER BY rowid")
    started = time.perf_counter()
    events = calls.rebuild()
    took = time.perf_counter() - started
    row = figure(f"rebuild ({events} events)", [took], sampled(select, 1), "events/s",
                 per=events)
    return row


def queries_at_scale(db: str | None, cases: int, periods: int, sites: int, repeats: int,
                     cli_repeats: int, folder: str) -> list[dict[str, Any]]:
    path = db or os.path.join(folder, f"scale-{cases}.db")
    meta = ensure_store(path, cases, periods, sites)
    print(f"-- queries at scale: {meta['cases']} open cases, {meta['events']} events,"
          f" {meta['sites']} sites, {meta['periods']} periods ({meta['size_mb']} MB,"
          f" built in {meta['build_s']} s{', cached' if meta['reused'] else ''})", flush=True)
    rows = [{"figure": "scale store", "unit": "meta", **meta}]
    rows += measure(path, meta, repeats, cli_repeats)
    return rows
