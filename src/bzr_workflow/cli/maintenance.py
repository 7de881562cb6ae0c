"""Maintenance commands: rebuild the views, the demonstration, verify, and the encryption and seal keys."""

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
@click.option("--checkpoint", "checkpoints", metavar="FILE", multiple=True,
              help="A checkpoint file (`seal checkpoint`): check its signature and that the log"
                   " still holds its position with its digest. Repeatable.")
@click.option("--public-key", "public", metavar="HEX", envvar="BZR_WORKFLOW_SEAL_PUBLIC_KEY",
              help="The seal's public key (`seal key public`): checks checkpoints without the"
                   " seal key file (then the links are checked against them, not recomputed).")
@pass_ctx
def verify(ctx: Ctx, head: str | None, checkpoints: tuple[str, ...], public: str | None) -> None:
    """Recompute the keyed hash chain over every stored event, reading only (a read-only copy
    will do; no cipher key needed; the seal key file is). Exit 5 naming the first position or
    checkpoint that does not match: an event without its link, a changed event or link, a
    deleted or missing seal, a damaged file, a log that no longer reaches a checkpoint, an
    unkeyed link after where the key file says keys began. Then the views (what `audit`, lists
    and sheets read) are projected afresh from the events and compared row by row: the first
    row that differs is exit 5, named (an encrypted store's need BZR_WORKFLOW_CIPHER_KEY)."""
    from ..adapters.seal import Seal, check_digest

    if head:
        check_digest(head)  # a bad digest is named before the store is opened
    seal = Seal(ctx.location)  # not the application: opening it would write (views, pragmas)
    result = seal.verify(check_digest(head) if head else None, list(checkpoints),
                         public=public or None)
    if result.get("links_recomputed", True):  # the events vouched for: now the views by them
        from ..application.session import check_store_views

        result |= check_store_views(ctx.location)
    if head:
        result["head_checked"] = check_digest(head)
    wanted = result.get("head_checked")
    ctx.emit(result, lambda r: f"verified: {r['events']} events, head {r['head']}"
             + (f"; {wanted} is a link of the chain" if wanted else "")
             + (f"; the log extends {len(checkpoints)} checkpoint(s)" if checkpoints else "")
             + ("; links not recomputed (public key only)" if r.get("links_recomputed") is False
                else f"; views: {r['views']}" if r.get("views") else ""))


@click.group()
def key() -> None:
    """Keys for encrypting stored events at rest (the seal's keys: `seal key`)."""


@key.command("create")
def key_create() -> None:
    """Print a new random AES-256 key for BZR_WORKFLOW_CIPHER_KEY (keep it safe: see README)."""
    import base64
    import secrets

    click.echo(base64.b64encode(secrets.token_bytes(32)).decode())


@click.group()
def seal() -> None:
    """The seal: its key file (kept outside the store), checkpoints, upgrading an old store.

    Each event's link is an HMAC under the active key of the seal key file: BZR_WORKFLOW_SEAL_KEY,
    else `<store>.sealkey` beside an SQLite store, else (PostgreSQL) a file under
    ~/.config/bzr-workflow/seal-keys/. `init` makes it; keep a copy where the store is not."""


@seal.group("key")
def seal_key() -> None:
    """Create or rotate the seal key file, or print its public key."""


@seal_key.command("public")
@pass_ctx
def seal_key_public(ctx: Ctx) -> None:
    """Print the public key checkpoints and documents are signed under (64 hex digits): give it
    to auditors, who check with `verify --checkpoint FILE --public-key HEX` and cannot sign."""
    from ..adapters import sealkey

    ring = sealkey.load(sealkey.key_path(ctx.location))
    ctx.emit({"public_key": ring.public(), "key_file": ring.path}, lambda r: r["public_key"])


@seal_key.command("create")
@pass_ctx
def seal_key_create(ctx: Ctx) -> None:
    """Make this store's seal key file (mode 0600); refused if it exists. Where keys begin is
    recorded by the first write (a new store) or by `seal upgrade` (a store sealed before keys)."""
    from ..adapters import sealkey

    ring = sealkey.create(sealkey.key_path(ctx.location), anchor=None)
    ctx.emit({"key_file": ring.path, "key": ring.active.id, "public_key": ring.public()})


@seal_key.command("rotate")
@pass_ctx
def seal_key_rotate(ctx: Ctx) -> None:
    """Add a new key, used for every link from now; old keys stay to verify older links."""
    from ..adapters import sealkey

    ring = sealkey.rotate(sealkey.key_path(ctx.location))
    ctx.emit({"key_file": ring.path, "key": ring.active.id, "keys": len(ring.keys)})


@seal.command("checkpoint")
@click.option("--out", metavar="FILE", help="Write it to FILE (a new file) instead of stdout.")
@pass_ctx
def seal_checkpoint(ctx: Ctx, out: str | None) -> None:
    """A statement of the head (position, digest, time), signed with the seal's Ed25519 key, to
    keep outside the store; `verify --checkpoint FILE` (with the key file, or only the public
    key: `--public-key`) later proves the log still extends it."""
    from ..adapters.seal import Seal, write_checkpoint

    data = Seal(ctx.location).checkpoint()
    if out:
        write_checkpoint(data, out)
        ctx.emit({"checkpoint": out, "position": data["position"], "head": data["head"]})
    else:
        import json

        click.echo(json.dumps(data, indent=2))


@seal.command("upgrade")
@pass_ctx
def seal_upgrade(ctx: Ctx) -> None:
    """Once, on a store sealed before seal keys (administrators): check its old links, seal the
    tail it left unsealed and end its chain in a keyed link. What it holds then is taken as it
    is: run it on the store as the old version left it, while nobody else writes."""
    from ..application.maintenance import upgrade_seal

    ctx.emit(upgrade_seal(ctx.app(), ctx.actor))


COMMANDS = [rebuild, demo, verify, key, seal]
