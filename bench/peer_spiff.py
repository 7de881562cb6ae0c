#!/usr/bin/env python3
"""The peer of `bench/run.py --peers`: SpiffWorkflow 3.2 doing the same three-level sign-off as
a recruitment case (推荐单位审核 by a site head, 继续教育学院审批 and 公布 by the college), and the
raw sqlite3 floor of the same commits. Run by the peer's own virtual environment:

    python3 -m venv /work/peer-venv && /work/peer-venv/bin/pip install SpiffWorkflow==3.2.0
    /work/peer-venv/bin/python bench/peer_spiff.py --cases 2000 --rounds 3 --dir /tmp/x

Each operation is one transaction on SQLite in WAL with synchronous=FULL (bzr-workflow's store
has the same: eventsourcing turns WAL on and keeps SQLite's default, FULL), one commit per
operation:
- open: a workflow made from its spec and run to its first manual task, serialised (Spiff's
  JSONSerializer), inserted with version 1, committed;
- sign-off: the instance selected by id and deserialised, checked (the ready task is the
  signer's role's; no person signs two decisions), the task completed and the workflow run on,
  serialised, written back where its version is still the one read (optimistic concurrency),
  with a row of what was done, committed.
The raw floor does the same statements with a fixed 300-byte state and no workflow library.
Prints one JSON object: per round the latencies in ms (open, sign-off), their p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from typing import Any

ROLES = [("site_review", "site_head"), ("college_approval", "ce_college"),
         ("announce", "ce_college")]
SIGNERS = {"site_review": "zhang", "college_approval": "li", "announce": "wang"}
GRANTS = {"zhang": {"site_head"}, "li": {"ce_college"}, "wang": {"ce_college"}}
CLERICAL = {"announce"}


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS instances (id TEXT PRIMARY KEY, version INT,"
                 " state BLOB)")
    conn.execute("CREATE TABLE IF NOT EXISTS actions (id TEXT, version INT, actor TEXT,"
                 " step TEXT, at REAL, PRIMARY KEY (id, version))")
    return conn


def spec() -> Any:
    from SpiffWorkflow.specs.Simple import Simple
    from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec

    wf = WorkflowSpec("recruitment", addstart=True)
    last = wf.start
    for step, role in ROLES:
        task = Simple(wf, step, manual=True)
        task.data = {"role": role}
        last.connect(task)
        last = task
    return wf


class Spiff:
    """Open and sign with SpiffWorkflow, its instances serialised as JSON in SQLite."""

    def __init__(self, path: str) -> None:
        from SpiffWorkflow.serializer.json import JSONSerializer
        from SpiffWorkflow.workflow import Workflow

        self.conn, self.spec = connect(path), spec()
        self.serializer, self.Workflow = JSONSerializer(), Workflow

    def open(self, ref: str) -> None:
        wf = self.Workflow(self.spec)
        wf.run_all(halt_on_manual=True)
        wf.data["signers"] = {}
        state = wf.serialize(self.serializer)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO instances VALUES (?, 1, ?)", (ref, state))
        self.conn.execute("COMMIT")

    def sign(self, ref: str, actor: str) -> None:
        from SpiffWorkflow.util.task import TaskState

        conn = self.conn
        version, state = conn.execute("SELECT version, state FROM instances WHERE id = ?",
                                      (ref,)).fetchone()
        wf = self.Workflow.deserialize(self.serializer, state)
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if len(ready) != 1:
            raise RuntimeError(f"{ref}: nothing to sign")
        task = ready[0]
        step = task.task_spec.name
        if dict(ROLES)[step] not in GRANTS[actor]:
            raise RuntimeError(f"{actor} may not sign {step}")
        if step not in CLERICAL and actor in wf.data["signers"].values():
            raise RuntimeError(f"{actor} already signed a decision of {ref}")
        task.data["comment"] = "同意"
        task.complete()
        wf.run_all(halt_on_manual=True)
        wf.data["signers"][step] = actor
        state = wf.serialize(self.serializer)
        conn.execute("BEGIN IMMEDIATE")
        done = conn.execute("UPDATE instances SET version = ?, state = ? WHERE id = ?"
                            " AND version = ?", (version + 1, state, ref, version)).rowcount
        if done != 1:
            conn.execute("ROLLBACK")
            raise RuntimeError(f"{ref} changed meanwhile")
        conn.execute("INSERT INTO actions VALUES (?, ?, ?, ?, ?)",
                     (ref, version + 1, actor, step, time.time()))
        conn.execute("COMMIT")


class Raw:
    """The floor: the same statements and commits, no workflow library, a fixed state."""

    def __init__(self, path: str) -> None:
        self.conn = connect(path)
        self.state = b"x" * 300

    def open(self, ref: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO instances VALUES (?, 1, ?)", (ref, self.state))
        self.conn.execute("COMMIT")

    def sign(self, ref: str, actor: str) -> None:
        conn = self.conn
        version, state = conn.execute("SELECT version, state FROM instances WHERE id = ?",
                                      (ref,)).fetchone()
        conn.execute("BEGIN IMMEDIATE")
        done = conn.execute("UPDATE instances SET version = ?, state = ? WHERE id = ?"
                            " AND version = ?", (version + 1, state, ref, version)).rowcount
        if done != 1:
            conn.execute("ROLLBACK")
            raise RuntimeError(f"{ref} changed meanwhile")
        conn.execute("INSERT INTO actions VALUES (?, ?, ?, ?, ?)",
                     (ref, version + 1, actor, "step", time.time()))
        conn.execute("COMMIT")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def round_of(kind: type[Spiff] | type[Raw], folder: str, tag: str, cases: int) -> dict[str, Any]:
    path = os.path.join(folder, f"peer-{kind.__name__.lower()}-{tag}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    peer = kind(path)
    refs = [f"R-{tag}-{n}" for n in range(cases)]
    opened, signed = [], []
    for ref in refs:
        began = time.perf_counter()
        peer.open(ref)
        opened.append((time.perf_counter() - began) * 1000)
    for step, _ in ROLES:
        for ref in refs:
            began = time.perf_counter()
            peer.sign(ref, SIGNERS[step])
            signed.append((time.perf_counter() - began) * 1000)
    synchronous = peer.conn.execute("PRAGMA synchronous").fetchone()[0]
    journal = peer.conn.execute("PRAGMA journal_mode").fetchone()[0]
    peer.conn.close()
    return {"open": opened, "sign": signed, "synchronous": synchronous, "journal": journal}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--round", default="0", help="a tag for this round's files")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--peers", default="spiff,raw")
    args = parser.parse_args()
    import SpiffWorkflow  # noqa: F401  (fails here, not midway, when the venv lacks it)
    from importlib.metadata import version

    out: dict[str, Any] = {"spiffworkflow": version("SpiffWorkflow"), "python": sys.version.split()[0]}
    kinds = {"spiff": Spiff, "raw": Raw}
    for name in args.peers.split(","):
        row = round_of(kinds[name], args.dir, args.round, args.cases)
        out[name] = {"open_ms": row["open"], "sign_ms": row["sign"],
                     "synchronous": row["synchronous"], "journal": row["journal"],
                     "open_p50": statistics.median(row["open"]),
                     "sign_p50": statistics.median(row["sign"]),
                     "sign_p99": percentile(row["sign"], 0.99)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
