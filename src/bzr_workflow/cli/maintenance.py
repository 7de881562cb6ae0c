"""Maintenance commands: rebuild the views, and the demonstration."""

from __future__ import annotations

import click

from .context import Ctx, pass_ctx


@click.command()
@pass_ctx
def rebuild(ctx: Ctx) -> None:
    """Drop every view and rebuild it from the events (an administrator's act, recorded: audit
    shows who rebuilt, and when)."""
    ctx.app().org.record_maintenance("rebuilt", ctx.actor,
                                     "every view dropped and rebuilt from the events")
    count = ctx.app().reads.rebuild()
    ctx.emit({"rebuilt": True, "events": count, "store": ctx.location.describe()})


@click.command()
@pass_ctx
def demo(ctx: Ctx) -> None:
    """Play a recruitment round under the Guilin policy (safe to run again: each run adds a round)."""
    from ..demo import run

    lines: list[str] = []
    say = lines.append if ctx.as_json else click.echo
    result = run(ctx.app(create=True), say)
    result["counts"] = ctx.app().reads.case_counts()
    result["appointments"] = len(ctx.app().reads.appointments())
    result["store"] = ctx.location.describe()
    db = f"--db {ctx.db} " if ctx.db else ""
    if ctx.as_json:
        ctx.emit(result | {"narrative": lines})
        return
    click.echo(f"\nData: {result['store']}")
    click.echo(f"Cases now: {result['counts']}; appointments: {result['appointments']}.")
    click.echo("Look around:")
    for example in ("cases", f"show {result['cases']['published']}",
                    f"history {result['cases']['returned_then_published']}",
                    "--as zhang.nn inbox", "appointments", "audit --actor li.dean"):
        click.echo(f"  bzr-workflow {db}{example}")
    people = {row["user"]: f"{row['name']} {' '.join(row['roles'])}".strip()
              for row in ctx.app().reads.users()}
    click.echo("Sign in on the web (`bzr-workflow serve`; `python3 dev.py demo` serves it at"
               " http://127.0.0.1:8080) as:")
    width = max(len(login) for login in result["passwords"])
    for login, password in result["passwords"].items():
        click.echo(f"  {login:<{width}}  {password}  {people.get(login, '')}")


@click.command()
@click.option("--head", metavar="DIGEST", help="Check that a digest published earlier is a link.")
@pass_ctx
def verify(ctx: Ctx, head: str | None) -> None:
    """Recompute the hash chain over every stored event (exit 5 naming the first mismatch)."""
    from ..application.reads import check_digest

    if head:
        check_digest(head)  # a bad digest is named before the store is opened
    result = ctx.app().reads.verify(head)
    wanted = result.get("head_checked")
    ctx.emit(result, lambda r: f"verified: {r['events']} events, head {r['head']}"
             + (f"; {wanted} is a link of the chain" if wanted else ""))


@click.group()
def key() -> None:
    """Keys for encrypting stored events at rest."""


@key.command("create")
def key_create() -> None:
    """Print a new random AES-256 key for BZR_WORKFLOW_CIPHER_KEY (keep it safe: see README)."""
    import base64
    import secrets

    click.echo(base64.b64encode(secrets.token_bytes(32)).decode())


COMMANDS = [rebuild, demo, verify, key]
