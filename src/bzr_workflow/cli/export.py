"""`export NAME`: the office documents (公示名单, 考核汇总表, 津贴发放表, 评优名单, audit) as
XLSX or a printable page, each carrying the log position and seal digest it was made at."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx


@click.command()
@click.argument("name", metavar="NAME")
@click.option("--period", help="The period (announcement, appraisal-summary, award-list, audit).")
@click.option("--month", metavar="YYYY-MM", help="The month (allowance-sheet).")
@click.option("--unit", metavar="UNIT", help="Only this unit and the units under it.")
@click.option("--advisor", metavar="USER", help="The advisor (advisor-record).")
@click.option("--out", required=True, metavar="FILE", help="Where to write (.xlsx or .html).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@pass_ctx
def export(ctx: Ctx, name: str, period: str | None, month: str | None, unit: str | None,
           advisor: str | None, out: str, force: bool) -> None:
    """Write an office document: announcement (公示名单), appraisal-summary (考核汇总表),
    allowance-sheet (津贴发放表), award-list (评优名单), audit (a period's decisions) or
    advisor-record --advisor USER (考核登记表 / 业务档案: one advisor's whole career), as
    .xlsx or a printable A4 .html page. Names, not logins; numbers as numbers; the log
    position and seal digest it was made at (check a printed copy with `verify --head`).
    --out is written whole; never the store's own file, a symbolic link or a folder, nor an
    existing file without --force."""
    from ..application.documents import Asked, check_asked
    from ..application.reads import export_format

    if check_asked(name, Asked(period, month, unit, advisor)) is None:  # advisor-record
        from ..application.advisor_record import advisor_record_export, record_format

        record_format(out, ctx.location, force)  # a bad file is named before the store opens
        written = advisor_record_export(ctx.app(), str(advisor), out, force)
        ctx.emit(written, lambda w: f"wrote {w['file']} ({w['name']}, seal {w['head']})")
        return
    export_format(out, ctx.location, force)  # before the store is opened
    ctx.emit(ctx.app().reads.export(name, out, period, month, unit, force, advisor), _said)


def _said(done: dict[str, Any]) -> str:
    totals = "; ".join(f"{k} {v}" for k, v in done["totals"].items())
    return (f"{done['title']} {done['scope']} → {done['file']} ({done['format']})\n{totals}\n"
            f"reflects events up to position {done['position']}, seal {done['head']}")


COMMANDS = [export]
