"""The `delegate` command: name a deputy while away (代理), list delegations, revoke one."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx
from .remote import quoted

COLUMNS = ["id", "holder", "deputy", "from", "until", "role", "kind", "state", "revoked_by"]


@click.command()
@click.option("--to", "to", metavar="USER", help="The deputy, who signs for you meanwhile.")
@click.option("--from", "start", metavar="DATE", help="The first day (YYYY-MM-DD, inclusive).")
@click.option("--until", metavar="DATE", help="The last day (YYYY-MM-DD, inclusive).")
@click.option("--role", metavar="ROLE",
              help="Only the steps of this role of yours (default: every role you hold).")
@click.option("--kind", metavar="KIND", help="Only cases of this workflow kind (default: all).")
@click.option("--for", "holder", metavar="USER",
              help="An administrator sets up the delegation of this absent holder.")
@click.option("--list", "listing", is_flag=True,
              help="The delegations you gave and received (administrators and auditors: all).")
@click.option("--revoke", metavar="ID", help="End delegation ID (its holder or an administrator).")
@pass_ctx
def delegate(ctx: Ctx, to: str | None, start: str | None, until: str | None, role: str | None,
             kind: str | None, holder: str | None, listing: bool, revoke: str | None) -> None:
    """Name a deputy who signs for you from --from to --until (dates where the institution
    is, both inclusive), optionally only for one of your roles (--role) and one workflow
    kind (--kind). The deputy approves, vetoes, returns and scores for you the cases you
    could act on, and each decision records on_behalf_of (you); their own limits still hold
    (never a case about themselves; one level of a case counts both of you). Signing in
    their own right comes first; of several holders, the delegation given first is used.
    What someone holds only as a deputy is never passed on: a delegation lends the holder's
    own roles. --list shows id, holder, deputy, from, until, role, kind, state
    (active/upcoming/ended/revoked) and revoked_by; --revoke ID ends one."""
    from ..domain.errors import BadInput

    if sum(1 for x in (listing, bool(revoke), bool(to)) if x) != 1:
        raise BadInput("give --to USER --from DATE --until DATE, or --list, or --revoke ID")
    if ctx.remote and holder:
        raise BadInput("--for is not offered through --server; run it where the store is "
                       "(--db)")
    if listing:
        rows = ctx.remote.get("/delegations") if ctx.remote \
            else ctx.app().delegations.listing(ctx.actor)
        ctx.emit_rows(rows, COLUMNS, empty="(no delegations)")
        return
    if revoke:
        done: Any = ctx.remote.call("DELETE", f"/delegations/{quoted(revoke)}") if ctx.remote \
            else ctx.app().delegations.revoke(ctx.actor, revoke)
        ctx.emit(done)
        return
    if ctx.remote:
        made = ctx.remote.post("/delegations", {"to": to, "from": start, "until": until,
                                                "role": role, "kind": kind})
    else:
        made = ctx.app().delegations.give(ctx.actor, to, start, until, role, kind, holder)
    ctx.emit(made)


COMMANDS = [delegate]
