"""`export advisor-record`: one advisor's record (考核登记表 / 业务档案) to an XLSX or a printable HTML file.

A thin face over `application.advisor_record.advisor_record_export`: where the general
`export NAME` group exists, `advisor_record_command` is added to it as is."""

from __future__ import annotations

import click

from .context import Ctx, pass_ctx
from .views import AS_OF


@click.group("export")
def export() -> None:
    """Office documents written to a file, each carrying the seal digest and event position
    it was made at."""


@click.command("advisor-record")
@click.option("--advisor", required=True, metavar="USER", help="The advisor whose record it is.")
@click.option("--out", required=True, metavar="FILE.xlsx|FILE.html",
              help="The file to write: a workbook (.xlsx) or a page to print (.html).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@AS_OF
@pass_ctx
def advisor_record_command(ctx: Ctx, advisor: str, out: str, force: bool,
                           as_of: str | None) -> None:
    """One advisor's record (阿克苏 班主任考核登记表 / 合肥 业务档案): every appointment (start,
    end, reason, full term or not), every result by period with its grade and who signed,
    awards, allowances paid per month, dismissals and the consequences that fired."""
    from ..application.advisor_record import advisor_record_export, record_format

    ctx.not_remote(as_of=as_of)
    record_format(out, ctx.location, force)  # a bad file is named before the store is opened
    written = advisor_record_export(ctx.app(), advisor, out, force, as_of=as_of)
    ctx.emit(written, lambda w: f"wrote {w['file']} ({w['name']}, seal {w['head']})")


export.add_command(advisor_record_command)


@click.group("training")
def training() -> None:
    """Trainings the policy requires before a post (Aksu 第二十四条 岗前培训)."""


@training.command("record")
@click.option("--advisor", required=True, metavar="USER", help="Who attended the training.")
@click.option("--date", "on", required=True, metavar="YYYY-MM-DD", help="The day it was held.")
@click.option("--note", help="What the training was (optional).")
@pass_ctx
def training_record(ctx: Ctx, advisor: str, on: str, note: str | None) -> None:
    """Record that USER attended the policy's training ([training]; by the role it names)."""
    ctx.emit(ctx.app().trainings.record(advisor, on, note, ctx.actor),
             lambda r: f"{r['name']} ({r['advisor']}): {r['training']} {r['on']}")


COMMANDS = [export, training]
