"""Take back (拿回) and reassign (转办): `takeback CASE --reason TEXT`, `reassign CASE --to USER --reason TEXT`."""

from __future__ import annotations

import click

from .context import Ctx, pass_ctx
from .remote import quoted
from .workflow import case_line


@click.command()
@click.argument("ref", metavar="CASE")
@click.option("--reason", required=True, help="Why the sign-off is taken back.")
@pass_ctx
def takeback(ctx: Ctx, ref: str, reason: str) -> None:
    """Take back your own sign-off (拿回) while the next level has not acted on the case.

    The case waits at your step again. Refused (exit 1) once the next level signed, scored,
    flagged a veto item or returned the case, once the case is published (final) or closed,
    and for a re-submission; refused (exit 3) when you were not the last signer."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/takeback", {"reason": reason}),
                 case_line)
        return
    ctx.emit(ctx.app().handovers.take_back(ref, ctx.actor, reason), case_line)


@click.command()
@click.argument("ref", metavar="CASE")
@click.option("--to", "to", required=True, metavar="USER",
              help="The holder of the step's role (in the case's unit or above) who alone "
                   "signs it from now.")
@click.option("--reason", required=True, help="Why the step is reassigned.")
@pass_ctx
def reassign(ctx: Ctx, ref: str, to: str, reason: str) -> None:
    """Hand the pending step to one named holder of its role (转办); administrators only.

    Only USER may then approve, veto, return or score the step, until the case leaves it;
    reassigning again replaces USER. Refused (exit 1) when USER does not hold the role there,
    is the case's subject or signed another level; (exit 3) for a caller who is not an
    administrator."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/reassign",
                                 {"to": to, "reason": reason}), case_line)
        return
    ctx.emit(ctx.app().handovers.reassign(ref, ctx.actor, to, reason), case_line)


COMMANDS = [takeback, reassign]
