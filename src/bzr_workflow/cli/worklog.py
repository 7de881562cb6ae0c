"""Work-log commands (log add, log import) and `norms`."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx
from .views import AS_OF
from .output import table


@click.group()
def log() -> None:
    """The work log (工作日志): talks, visits, meetings, parent contacts, hours."""


@log.command("add")
@click.option("--activity", required=True, metavar="KEY", help="What was done (see `log activities`).")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD")
@click.option("--count", default="1", metavar="N", help="How many times (default 1).")
@click.option("--hours", default="0", metavar="H", help="How long, for hour-based norms.")
@click.option("--class", "class_code", default="", metavar="CLASS")
@click.option("--student", default="", help="Who, for talks, parent contacts and triggers.")
@click.option("--trigger", default="", metavar="KIND",
              help="With --activity trigger: the event that calls for a parent contact (one of"
                   " the policy's parent_contact_triggers, see `policy show`); with"
                   " parent_contact: why a parent was contacted.")
@click.option("--note", default="")
@click.option("--advisor", metavar="USER", help="Whose work (administrators only; default: yours).")
@pass_ctx
def log_add(ctx: Ctx, activity: str, day: str, count: str, hours: str, class_code: str,
            student: str, trigger: str, note: str, advisor: str | None) -> None:
    """Record one activity.

    Under a policy that lists parent-contact triggers (Jiyuan 二(五)), an event that calls for
    contacting a student's parents is logged as `--activity trigger --trigger KIND --student
    NAME`, and the contact that answers it as `--activity parent_contact --student NAME`;
    `norms` lists each trigger with its answer. Student names are sealed personal data."""
    row = {"activity": activity, "date": day, "count": count, "hours": hours,
           "class": class_code, "student": student, "trigger": trigger, "note": note}
    ctx.emit(ctx.app().worklog.log_add(advisor, [row], ctx.actor))


@log.command("import")
@click.argument("file", metavar="FILE")
@pass_ctx
def log_import(ctx: Ctx, file: str) -> None:
    """Import activities from CSV (UTF-8 or GBK) or XLSX: all rows or none.
    At most 20 MiB; an XLSX at most 100,000 rows, 64 MiB unpacked.

    Columns: advisor (班主任), date (日期), activity (活动), and optionally count (次数),
    hours (小时), class (班级), student (学生), trigger (原因), note (备注)."""
    ctx.emit(ctx.app().worklog.log_import(file, ctx.actor))


@log.command("activities")
@pass_ctx
def log_activities(ctx: Ctx) -> None:
    """What may be logged under the policy in force."""
    ctx.emit_rows(ctx.app().reads.activities(), ["activity", "label"])


@click.command()
@click.option("--advisor", required=True, metavar="USER")
@click.option("--period", required=True,
              help="A school year 2026-2027 or a semester 2026-2027-1 (long forms accepted).")
@click.option("--role", help="Only this role's norms (default: the advisor's roles).")
@AS_OF
@pass_ctx
def norms(ctx: Ctx, advisor: str, period: str, role: str | None, as_of: str | None) -> None:
    """Each work norm per week, month, semester or school year of the period: met, short by how
    much, or not due (before the appointment, not over yet, a holiday, between terms); and, where
    the policy lists parent-contact triggers, each trigger with the contact that answered it, or
    none."""
    ctx.emit(ctx.app().reads.norms(advisor, period, role, as_of), _norms_text)


def _norms_text(report: dict[str, Any]) -> str:
    lines = [f"{report['advisor']} {report['period']} ({', '.join(report['roles']) or 'no role'}):"
             f" {report['entries']} logged activities"]
    for n in report["norms"]:
        lines.append(f"\n{n['label']} ({n['activity']}): at least {n['min']}{n['unit']} per"
                     f" {n['per']}, met in {n['met']} of {n['of']}" + _not_due(n["windows"]))
        short = [w for w in n["windows"] if w["short"]]
        if short:
            lines.append(table(short, ["from", "to", "done", "short"]))
    if "triggers" in report:
        rows = [{"date": t["date"], "trigger": t["label"], "student": t["student"],
                 "contact": t["contact"]["date"] if t["contact"] else "none"}
                for t in report["triggers"]]
        lines.append(f"\nParent-contact triggers: {len(rows)},"
                     f" {sum(1 for t in report['triggers'] if not t['contact'])} unanswered")
        if rows:
            lines.append(table(rows, ["date", "trigger", "student", "contact"]))
    return "\n".join(lines)


def _not_due(windows: list[dict[str, Any]]) -> str:
    reasons: dict[str, int] = {}
    for w in windows:
        if w.get("not_due"):
            reasons[w["not_due"]] = reasons.get(w["not_due"], 0) + 1
    return f" ({', '.join(f'{n} {why}' for why, n in reasons.items())}: not due)" if reasons else ""


COMMANDS = [log, norms]
