"""`training record`: the trainings a policy requires before a post (Aksu 第二十四条); one advisor's record is `export advisor-record` (cli/export.py)."""

from __future__ import annotations

import click

from .context import Ctx, pass_ctx


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


COMMANDS = [training]
