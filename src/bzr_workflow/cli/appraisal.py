"""Appraisal commands (open, submit, score, veto, object, resolve, finalise) and `results`."""

from __future__ import annotations

import sys
from typing import Any

import click

from .context import Ctx, pass_ctx
from .views import AS_OF
from .output import table
from .workflow import case_line

BAR_FROM = 200  # a progress bar when opening at least this many cases


def appraisal_line(case: dict[str, Any]) -> str:
    grade = case.get("explanation") or "not scored yet"
    return f"{case_line(case)}\n  {grade}"


def text_or_file(value: str) -> str:
    """TEXT, or @FILE for a file's content: a regular file of at most 1 MiB, UTF-8 or GBK."""
    from ..adapters.infile import read_text_arg

    return read_text_arg(value)


EARLY = click.option("--early", is_flag=True,
                     help="Open it although the period has not begun yet (refused otherwise).")


@click.group()
def appraisal() -> None:
    """Appraisal (考核): scores, veto items, grades, sign-off and public announcement."""


@appraisal.command("open")
@click.option("--period", required=True,
              help="Per policy: a semester 2026-2027-1 (2026-2027学年第一学期) or a school year"
                   " 2026-2027 (2026-2027学年; a bare 2026 is the year that begins in it).")
@click.option("--advisor", "advisors", multiple=True, metavar="USER", help="Repeatable.")
@click.option("--all", "everyone", is_flag=True, help="Every advisor appointed in the period.")
@EARLY
@pass_ctx
def appraisal_open(ctx: Ctx, period: str, advisors: tuple[str, ...], everyone: bool,
                   early: bool) -> None:
    """Open one appraisal per advisor, all or none; advisors who have one already are skipped."""
    from ..domain.errors import BadInput

    if bool(advisors) == everyone:
        raise BadInput("give either --advisor USER (repeatable) or --all")
    appraisals = ctx.app().appraisals
    targets = ctx.app().reads.appraisal_targets(period, advisors)  # read first, then opened
    if len(targets) < BAR_FROM:
        opened = appraisals.open_appraisals(period, targets, ctx.actor, bool(advisors), early=early)
    else:
        with click.progressbar(length=len(targets), label="opening appraisals",
                               file=sys.stderr) as bar:
            opened = appraisals.open_appraisals(period, targets, ctx.actor, bool(advisors),
                                                bar.update, early=early)
    skipped = len(targets) - len(opened)
    ctx.emit(opened, lambda rows: f"opened {len(rows)} appraisal case(s) for {period}"
             + (f"; {skipped} advisor(s) already had one or are not yours to open" if skipped else ""))


@appraisal.command("submit")
@click.argument("ref", metavar="CASE")
@click.option("--summary", required=True, metavar="TEXT|@FILE",
              help="The self-summary; @FILE: a file of at most 1 MiB, UTF-8 or GBK.")
@click.option("--attach", "attach", multiple=True, metavar="FILE",
              help="A file attached to it: PDF, PNG, JPEG or Word (.docx, .doc), at most 10 "
                   "MiB each, 25 MiB and 10 files together; checked by its content. Repeatable.")
@pass_ctx
def appraisal_submit(ctx: Ctx, ref: str, summary: str, attach: tuple[str, ...]) -> None:
    """The advisor's written self-summary (个人书面总结), with files attached."""
    appraisals = ctx.app().appraisals
    text = text_or_file(summary)
    if not attach:
        ctx.emit(appraisals.submit_summary(ref, ctx.actor, text), appraisal_line)
        return
    appraisals.may_attach(ref, ctx.actor)  # the reading rule before a file is read
    with appraisals.files.batch() as batch:
        for path in attach:
            batch.add_path(path)
        ctx.emit(appraisals.submit_summary(ref, ctx.actor, text, batch), appraisal_line)


@appraisal.command("score")
@click.argument("ref", metavar="CASE")
@click.option("--item", "items", multiple=True, metavar="KEY=VALUE",
              help="An indicator's score (or grade). Repeatable.")
@click.option("--bonus", "bonus", multiple=True, metavar="KEY=VALUE", help="A bonus item.")
@pass_ctx
def appraisal_score(ctx: Ctx, ref: str, items: tuple[str, ...], bonus: tuple[str, ...]) -> None:
    """Enter or revise scores at the pending step (each revision keeps the old value)."""
    ctx.emit(ctx.app().appraisals.score(ref, ctx.actor, items, bonus), appraisal_line)


@appraisal.command("veto")
@click.argument("ref", metavar="CASE")
@click.option("--item", required=True, metavar="KEY", help="The veto item (一票否决项).")
@click.option("--reason", required=True, help="Why; recorded and shown in the grade's reason.")
@click.option("--clear", is_flag=True, help="Withdraw a flag raised in error.")
@pass_ctx
def appraisal_veto(ctx: Ctx, ref: str, item: str, reason: str, clear: bool) -> None:
    """Flag a veto item: the appraisal is unqualified whatever its score."""
    ctx.emit(ctx.app().appraisals.flag_veto(ref, ctx.actor, item, reason, clear), appraisal_line)


@appraisal.command("object")
@click.argument("ref", metavar="CASE")
@click.option("--reason", required=True, help="The objection (异议).")
@pass_ctx
def appraisal_object(ctx: Ctx, ref: str, reason: str) -> None:
    """Lodge an objection during the public announcement (公示)."""
    ctx.emit(ctx.app().appraisals.lodge_objection(ref, ctx.actor, reason), appraisal_line)


@appraisal.command("resolve")
@click.argument("ref", metavar="CASE")
@click.option("--objection", "number", required=True, type=int, metavar="N")
@click.option("--upheld/--dismissed", required=True,
              help="Upheld: back to scoring. Dismissed: the result stands.")
@click.option("--comment", required=True, help="The resolution's reason.")
@pass_ctx
def appraisal_resolve(ctx: Ctx, ref: str, number: int, upheld: bool, comment: str) -> None:
    """Resolve an objection (by the role that published the result)."""
    ctx.emit(ctx.app().appraisals.resolve_objection(ref, ctx.actor, number, upheld, comment), appraisal_line)


@appraisal.command("decide")
@click.option("--period", required=True, help="Sign every result of the period waiting at the"
              " grade quota's step (Suzhou: 报继续教育处审定), best first.")
@click.option("--comment", default="", help="Recorded with each signature.")
@pass_ctx
def appraisal_decide(ctx: Ctx, period: str, comment: str) -> None:
    """The office decides a whole period at once: each result waiting at the quota's step is
    signed in rank order (highest total first; equal totals in the order the cases were
    opened), each as if alone. A result of the capped grade beyond the places is published
    as the grade below with its total kept and the reason recorded. Exit 0 when every one was
    signed, otherwise the highest code among the refusals (what was signed stays signed)."""
    done = ctx.app().ranking.decide(period, ctx.actor, comment)
    ctx.emit(done, lambda d: "\n".join(
        [f"{r['case']}  {r['advisor']}  {r['total']}  {r['grade']}" for r in d["results"]]
        + [f"refused {r['case']}: {r['error']}" for r in d["refused"]]))
    if done["refused"]:
        sys.exit(max(r["code"] for r in done["refused"]))  # click's Exit would be lost


@appraisal.command("finalise")
@click.argument("ref", metavar="[CASE]", required=False)
@click.option("--period", help="Finalise every appraisal of the period that is due.")
@pass_ctx
def appraisal_finalise(ctx: Ctx, ref: str | None, period: str | None) -> None:
    """Make a result final once its announcement has ended with no objection open."""
    from ..domain.errors import BadInput

    if bool(ref) == bool(period):
        raise BadInput("give either CASE or --period PERIOD")
    if ref:
        ctx.emit(ctx.app().appraisals.finalise(ref, ctx.actor), appraisal_line)
        return
    ctx.emit(ctx.app().appraisals.finalise_period(str(period), ctx.actor),
             lambda r: f"finalised {len(r['finalised'])} of {period};"
                       f" {len(r['not_finalised'])} not yet (see --json for why)")


@click.command()
@click.option("--period", required=True, help="The appraisal period: 2026-2027 or 2026-2027-1 (long forms accepted).")
@click.option("--unit", metavar="UNIT", help="Only this unit and the units under it.")
@click.option("--counts", is_flag=True,
              help="Counts per grade, per unit, of the final results (the provisional apart),"
                   " instead of the list.")
@click.option("--rank", is_flag=True,
              help="Ranked by total, highest first, with the places of the policy's grade quota"
                   " (Suzhou: at most 15 % 优秀) and which results hold them.")
@AS_OF
@pass_ctx
def results(ctx: Ctx, period: str, unit: str | None, counts: bool, rank: bool,
            as_of: str | None) -> None:
    """Appraisal results of a period: total, grade, veto items, state; past results imported
    from a file (`import results`) are listed too, marked imported with the file's digest."""
    reads = ctx.app().reads
    if counts and rank:
        from ..domain.errors import BadInput

        raise BadInput("give --counts or --rank, not both")
    if rank:
        ctx.emit(reads.ranked_results(period, unit, as_of=as_of), _ranked_text)
        return
    if counts:
        ctx.emit(reads.result_counts(period, unit, as_of), _counts_text)
        return
    found = reads.results(period, unit, as_of=as_of)
    columns = ["advisor", "case", "unit", "total", "grade", "vetoed_items", "state", "final",
               "imported"]
    ctx.emit(found.rows, lambda r: (table(r, columns) if r else f"(no appraisals for {period})")
             + f"\nseal {found.head}")


def _ranked_text(found: dict[str, Any]) -> str:
    rows = [r | {"place": "✓" if r["holds_place"] else ""} for r in found["ranked"]]
    columns = ["rank", "advisor", "case", "unit", "total", "grade", "place", "step_label",
               "state", "final"]
    lines = [table(rows, columns) if rows else f"(no appraisals for {found['period']})"]
    quota = found["grade_quota"]
    if quota:
        lines.append(f"{len(quota['taken'])} of {quota['places']} {quota['grade']} places for"
                     f" {quota['period']} taken ({quota['share'] * 100:g} % of"
                     f" {quota['roster']} appraised, rounded {quota['rounding']})")
    return "\n".join(lines + [f"seal {found['seal']}"])


def _counts_text(counts: dict[str, dict[str, dict[str, int]]]) -> str:
    """The final results' counts; the provisional ones apart, below."""
    def one(part: dict[str, dict[str, int]]) -> str:
        grades = sorted({g for bucket in part.values() for g in bucket})
        rows = [{"unit": "all" if u == "*" else u, **bucket} for u, bucket in part.items()]
        return table(rows, ["unit", *grades]) if rows else "(none)"
    lines = ["final:", one(counts["final"])]
    if counts["provisional"]:
        lines += ["provisional (not final yet):", one(counts["provisional"])]
    return "\n".join(lines)


COMMANDS = [appraisal, results]
