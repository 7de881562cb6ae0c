"""`serve`: the web pages and the JSON API (WEB.md) over this store."""

from __future__ import annotations

import importlib.util

import click

from ..domain.errors import BadInput
from .context import Ctx, pass_ctx

WEB_STACK = {"fastapi": ("fastapi",), "uvicorn": ("uvicorn",), "jinja2": ("jinja2",),
             "python-multipart": ("python_multipart", "multipart")}
"""What `serve` needs (distribution: the modules it may be imported as); dependencies of the
package, checked before any store is opened so that a broken install is one line, not an
internal error."""


def require_web_stack() -> None:
    """Exit 2 with one line saying how to install what is missing."""
    missing = [dist for dist, modules in WEB_STACK.items()
               if not any(importlib.util.find_spec(m) for m in modules)]
    if missing:
        names = " ".join(missing)
        raise BadInput("serve needs {names} (not installed here): run `pip install {names}` or "
                       "`pip install 'bzr-workflow[web]'`", names=names)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port; the line printed names it).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Processes serving requests (use more than one on PostgreSQL).")
@click.option("--checkpoint-dir", metavar="DIR", envvar="BZR_WORKFLOW_CHECKPOINT_DIR",
              help="Write a signed checkpoint of the seal's head (`seal checkpoint`) into DIR"
                   " at start and then every --checkpoint-every seconds when the log has grown;"
                   " keep DIR on another machine or medium.")
@click.option("--checkpoint-every", metavar="SECONDS", default=3600, show_default=True,
              type=click.IntRange(1, None), help="How often to write a checkpoint.")
@click.option("--trusted-proxy", metavar="ADDR", envvar="BZR_WORKFLOW_TRUSTED_PROXY",
              help="The address of the reverse proxy in front of the server: only a request"
                   " from it has its X-Forwarded-For (and X-Forwarded-Proto) believed. Without"
                   " it the address recorded with a decision is the connection's own.")
@click.option("--tick", metavar="SECONDS", default=60.0, show_default=True,
              type=click.FloatRange(min=0), envvar="BZR_WORKFLOW_TICK",
              help="Run the engine's due work (what `remind` runs: a 公示 whose time has run"
                   " finalised by rule) every SECONDS in a background thread; 0: never (then"
                   " run `remind` from cron).")
@pass_ctx
def serve(ctx: Ctx, host: str, port: int, workers: int, checkpoint_dir: str | None,
          checkpoint_every: int, trusted_proxy: str | None, tick: float) -> None:
    """Serve the web pages and the JSON API until Ctrl-C; prints `serving http://HOST:PORT`."""
    require_web_stack()
    ctx.app().institution()  # no store, or a broken one: say so now, not on the first request
    ctx.close()  # the server opens its own, and what it records comes from the web
    if checkpoint_dir:
        from ..adapters.seal import Checkpointer

        Checkpointer(ctx.location, checkpoint_dir, checkpoint_every).start()
    try:
        from ..web.serve import run  # the web stack, only for this command
    except ModuleNotFoundError as exc:  # a dependency of the web stack itself is missing
        module = exc.name
        raise BadInput("serve cannot start: the module {module} is not installed; run `pip "
                       "install --force-reinstall bzr-workflow`", module=module) from None

    run(ctx.db or "", host, port, workers, trusted_proxy, tick)


COMMANDS = [serve]
