"""View commands: inbox, cases, show, history, audit, appointments (each with --as-of)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from .context import Ctx, pass_ctx
from .output import table
from .remote import quoted
from .workflow import case_line

if TYPE_CHECKING:
    from ..application.readmodels import AllowanceSheet

AS_OF = click.option("--as-of", "as_of", metavar="TIMESTAMP",
                     help="Answer as things stood then (2026-12-03 or 2026-12-03T10:02).")
MAX_ROWS = 1_000_000_000  # beyond what the databases take as a LIMIT (SQLite: 64 bits)
LIMIT = click.option("--limit", type=click.IntRange(min=1, max=MAX_ROWS), metavar="N",
                     help="At most N rows: the first N in the listed order.")
CASE_COLUMNS = ["id", "kind", "state", "step_label", "role", "subject", "class", "period",
                "updated_at"]


@click.command()
@AS_OF
@pass_ctx
def inbox(ctx: Ctx, as_of: str | None) -> None:
    """Cases whose pending step you (--as USER) may sign; a case returned for amendment shows
    why (returned_reason); one you may sign as someone's deputy names them (on_behalf_of)."""
    ctx.not_remote(as_of=as_of)
    rows = ctx.remote.get("/inbox") if ctx.remote else ctx.app().reads.inbox(ctx.actor, as_of)
    ctx.emit_rows(rows, [*CASE_COLUMNS, "on_behalf_of", "returned_reason"],
                  empty="(nothing awaits you)")


@click.command()
@click.option("--kind", help="recruitment, appraisal, award or a declared kind.")
@click.option("--state", type=click.Choice(["open", "published", "vetoed", "withdrawn"]))
@click.option("--period", help="Only cases of this period.")
@click.option("--unit", metavar="UNIT", help="Only cases of this unit and the units under it.")
@LIMIT
@AS_OF
@pass_ctx
def cases(ctx: Ctx, kind: str | None, state: str | None, period: str | None, unit: str | None,
          limit: int | None, as_of: str | None) -> None:
    """Cases, filtered, in the order they were opened."""
    ctx.not_remote(as_of=as_of)
    if ctx.remote:
        rows = ctx.remote.get("/cases", kind=kind, state=state, period=period, unit=unit,
                              limit=limit)
    else:
        rows = ctx.app().reads.cases(kind, state, period, unit, limit, as_of)
    ctx.emit_rows(rows, CASE_COLUMNS)


def _show_text(case: dict[str, Any]) -> str:
    keys = ["kind_label", "subject", "class", "unit", "period", "opener", "note", "policy",
            "policy_version", "opened_at", "updated_at", "year_of_study", "title", "duties"]
    lines = [case_line(case)]
    lines += [f"  {k:<15} {case[k]}" for k in keys if case.get(k) not in (None, "")]
    lines += [f"  {k:<15} {v}" for k, v in case.get("data", {}).items()]
    lines += [f"  {'to judge':<15} {i.get('number', '')} {i['label']}".rstrip()
              for i in case.get("indicators_to_judge", [])]
    log = case.get("work_log")
    if log is not None:
        done = ", ".join(f"{a['label']} {a['count']}" for a in log["activities"])
        met = ", ".join(f"{n['label']} {n['met']}/{n['of']}" for n in case.get("norms", []))
        lines.append(f"  {'work log':<15} {log['entries']} entries" + (f": {done}" if done else "")
                     + (f"; norms met {met}" if met else ""))
    return "\n".join(lines + _result_lines(case))


def _result_lines(case: dict[str, Any]) -> list[str]:
    """An appraisal's result as it stands: total, grade, each score, bonus and veto items, and
    the explanation of the grade (or of what it still awaits)."""
    if case.get("kind") != "appraisal" and "scores" not in case:
        return []
    lines = [f"  {k:<15} {case[k]}" for k in ("total", "grade") if case.get(k) is not None]
    lines += [f"  {'score':<15} {key} = {value}" for key, value in (case.get("scores") or {}).items()]
    lines += [f"  {'bonus':<15} {key} = {value}" for key, value in (case.get("bonus") or {}).items()]
    lines += [f"  {'veto item':<15} {item}" for item in case.get("vetoed_items") or []]
    if case.get("explanation"):
        lines.append(f"  {'explanation':<15} {case['explanation']}")
    if "final" in case:
        lines.append(f"  {'final':<15} {'yes' if case['final'] else 'no (provisional)'}")
    return lines


@click.command()
@click.argument("ref", metavar="CASE")
@AS_OF
@pass_ctx
def show(ctx: Ctx, ref: str, as_of: str | None) -> None:
    """A case as it stands (or stood), from its own events."""
    if ctx.remote:
        ctx.emit(ctx.remote.get(f"/cases/{quoted(ref)}", as_of=as_of), _show_text)
        return
    ctx.emit(ctx.app().reads.show(ref, as_of), _show_text)


HISTORY_COLUMNS = ["at", "actor", "action", "step_label", "comment", "on_behalf_of"]


@click.command()
@click.argument("ref", metavar="CASE")
@AS_OF
@pass_ctx
def history(ctx: Ctx, ref: str, as_of: str | None) -> None:
    """Every decision on a case, oldest first."""
    ctx.not_remote(as_of=as_of)
    if ctx.remote:
        ctx.emit_rows(ctx.remote.get(f"/cases/{quoted(ref)}/history"), HISTORY_COLUMNS)
        return
    ctx.emit_rows(ctx.app().reads.history(ref, as_of), HISTORY_COLUMNS)


@click.command()
@click.option("--actor", metavar="USER", help="Only what this person did.")
@click.option("--case", "case_ref", metavar="CASE", help="Only this case.")
@click.option("--since", metavar="T", help="From this instant (inclusive).")
@click.option("--until", metavar="T", help="Up to this instant (inclusive).")
@LIMIT
@AS_OF
@pass_ctx
def audit(ctx: Ctx, actor: str | None, case_ref: str | None, since: str | None,
          until: str | None, limit: int | None, as_of: str | None) -> None:
    """Every recorded decision and organisation change: who, what, when."""
    ctx.not_remote(as_of=as_of)
    if ctx.remote:
        rows = ctx.remote.get("/audit", actor=actor, case=case_ref, since=since, until=until,
                              limit=limit)
    else:
        rows = ctx.app().reads.audit(actor, case_ref, since, until, limit, as_of)
    ctx.emit_rows(rows, ["at", "actor", "action", "case", "target", "step_label", "comment",
                         "on_behalf_of"])


@click.command()
@click.option("--advisor", metavar="USER", help="Only this advisor's appointments.")
@AS_OF
@pass_ctx
def appointments(ctx: Ctx, advisor: str | None, as_of: str | None) -> None:
    """Advisors appointed to classes: upcoming (starts later), active, or ended (with its last
    day and why; full_term in JSON says whether it served its whole term)."""
    ctx.emit_rows(ctx.app().reads.appointments(advisor, as_of),
                  ["advisor", "class", "start", "end", "state", "end_reason", "case"])


COMMANDS = [inbox, cases, show, history, audit, appointments]


@click.command()
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to pay.")
@click.option("--position", type=click.IntRange(min=1, max=2**63 - 1), metavar="N",
              help="Regenerate as of this event position (printed on every sheet).")
@click.option("--out", metavar="FILE", help="Also write the sheet (.csv or .xlsx).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@pass_ctx
def allowance(ctx: Ctx, month: str, position: int | None, out: str | None, force: bool) -> None:
    """A month's allowance (津贴) lines with their provenance, per the policy's formula.
    --out is written whole (a temporary file, then renamed); never the store's own file, a
    symbolic link or a folder."""
    from ..application.reads import sheet_format

    sheet_format(month, out, ctx.location, force)  # named before the store is opened
    ctx.emit(ctx.app().reads.allowance(month, position, out, force), _allowance_text)


def _allowance_text(sheet: AllowanceSheet) -> str:
    body = table(sheet["lines"], ["advisor", "class", "amount", "rule"]) if sheet["lines"] \
        else "(no allowance lines)"
    payers = "; ".join(f"{p} {a:.2f}" for p, a in sheet["payers"].items())
    return (f"{body}\ntotal {sheet['total']:.2f} yuan" + (f" ({payers})" if payers else "")
            + f"\nreflects events up to position {sheet['position']}, seal {sheet['head']}")


COMMANDS.append(allowance)
