"""Deadline commands: `overdue` (the steps past their time limit) and `remind` (the engine's due work, for cron)."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx
from .output import table
from .views import AS_OF

OVERDUE_COLUMNS = ["case", "kind", "subject_name", "step_label", "holders", "pending_since", "due",
                   "days_late"]


@click.command()
@AS_OF
@pass_ctx
def overdue(ctx: Ctx, as_of: str | None) -> None:
    """Open steps past their time limit (the policy's time_limit, in working days by the
    academic calendar, counted from when the step became pending), latest due last; with --as
    USER only the cases USER may read (administrators and auditors read all)."""
    ctx.not_remote(as_of=as_of)
    if ctx.remote:
        rows: Any = ctx.remote.get("/overdue")
    else:
        rows = ctx.app().reads.overdue(ctx.actor, as_of)
    shown = [{**r, "holders": " ".join(r["holders"])} for r in rows] if not ctx.as_json else rows
    ctx.emit(rows if ctx.as_json else shown,
             lambda r: table(r, OVERDUE_COLUMNS) if r else "(nothing is overdue)")


def _remind_text(done: dict[str, Any]) -> str:
    lines = [f"due work at {done['at']}:"]
    for f in done["finalised"]:
        grade = " ".join(str(x) for x in (f["grade"], f["total"]) if x)
        lines.append(f"  finalised {f['case']} ({f['subject']}) by @rule at {f['due']}: {grade}"
                     + (", rewarded" if f["rewarded"] else ""))
    for o in done["overdue"]:
        lines.append(f"  overdue {o['case']} {o['step_label']} ({' '.join(o['holders'])}): due "
                     f"{o['due']}, {o['days_late']} day(s) late")
    told = done.get("notices") or {}
    if any(told.values()):
        lines.append("  notices: {queued} queued, {sent} sent, {failed} failed, {given_up} given "
                     "up".format(**told))
    if len(lines) == 1:
        lines.append("  nothing was due")
    return "\n".join(lines)


@click.command()
@pass_ctx
def remind(ctx: Ctx) -> None:
    """Run the engine's due work now and say what it did: every 公示 whose time has run with no
    open objection is finalised by rule (actor @rule, at the instant it ran; whatever follows a
    finalisation follows), the overdue steps are listed, and the notices that are due are
    queued and sent (`notify set` configures them). For cron (e.g. every 10 minutes);
    safe to run from several machines at once: each 公示 is finalised exactly once."""
    from ..application.duework import run_due_work

    ctx.emit(run_due_work(ctx.app()), _remind_text)


COMMANDS = [overdue, remind]
