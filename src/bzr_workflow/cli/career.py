"""`appointment end`: an appointment ended by a resignation, a transfer or an office's act."""

from __future__ import annotations

import click

from .context import Ctx, pass_ctx


@click.group()
def appointment() -> None:
    """Appointments of advisors to classes (see also `appointments`)."""


@appointment.command("end")
@click.option("--advisor", required=True, metavar="USER", help="Whose appointment ends.")
@click.option("--class", "class_code", required=True, metavar="CLASS", help="To which class.")
@click.option("--on", "day", required=True, metavar="DATE",
              help="Its last day (YYYY-MM-DD), paid; the class is free for a new advisor.")
@click.option("--reason", required=True, metavar="TEXT",
              help="Why: a resignation, a transfer, the office's decision ...")
@pass_ctx
def appointment_end(ctx: Ctx, advisor: str, class_code: str, day: str, reason: str) -> None:
    """End one appointment on DATE, by the role the policy names (`policy show`: staffing) or
    an administrator. A dismissal on a ground the regulation lists is a case instead (`case open
    dismissal`)."""
    ctx.emit(ctx.app().tenure.end(advisor, class_code, day, reason, ctx.actor))


COMMANDS = [appointment]
