"""The `bzr-workflow` command line: global options, one-line errors with CLI.md's exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

import click

from .context import Ctx

EPILOG = """Exit codes: 0 done, 1 refused by a rule, 2 bad input, 3 not permitted,
4 conflict (or the database busy or unreachable), 5 integrity. Errors are one line on stderr.
After the first command, a resident worker with the engine loaded runs the next ones in their
place (BZR_WORKFLOW_RESIDENT=0: each in a process of its own)."""


class Refusal(click.ClickException):
    """A domain refusal shown as one line, with its family's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        setattr(self, "exit_code", exit_code)  # noqa: B010 - click declares it a ClassVar

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Root(click.Group):
    """Turns every failure into one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from ..domain.errors import WorkflowError

        try:
            return super().invoke(ctx)
        except WorkflowError as exc:
            raise Refusal(_said(exc), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except Exception as exc:
            if os.environ.get("BZR_WORKFLOW_DEBUG"):
                raise
            if type(exc).__module__.startswith(("eventsourcing", "sqlite3")):
                from ..application.app import translate_storage_error

                refusal = translate_storage_error(exc)
                raise Refusal(_said(refusal), refusal.exit_code) from None
            first = (str(exc).strip().splitlines() or [""])[0]
            raise Refusal(f"internal error: {type(exc).__name__}: {first}", 1) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        _register(COMMAND_MODULES.get(cmd_name, MODULES))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()
        return super().list_commands(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not isinstance(exc, Refusal):
                hint = _usage_hint(exc)
                click.echo(f"error: {exc.format_message()}{hint}", err=True)
            else:
                exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)


def _said(exc: Any) -> str:
    """A refusal in the command line's language (LC_ALL, LC_MESSAGES, LANG: zh_* is Chinese);
    the catalogue is loaded only here, on the way out."""
    from .. import catalogue

    return catalogue.say(exc, catalogue.cli_language())


def _usage_hint(exc: click.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    return f" (see `{ctx.command_path} --help`)" if ctx is not None else ""


@click.group(cls=Root, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="BZR_WORKFLOW_DB", metavar="URL",
              help="Where events and views live: a file path, sqlite:///PATH or "
                   "postgresql://user:pass@host:port/dbname. Default ./bzr-workflow.db.")
@click.option("--as", "actor", envvar="BZR_WORKFLOW_ACTOR", metavar="USER",
              help="Who is acting; every command that changes something records it. "
                   "Case and full-width forms are the same login (ADMIN is admin).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--server", envvar="BZR_WORKFLOW_SERVER", metavar="URL",
              help="Act through this web server's API as the owner of the token in "
                   "BZR_WORKFLOW_TOKEN (inbox, cases, show, history, audit, approve, veto, "
                   "return, withdraw, recruit apply), instead of opening the store; --as is "
                   "refused there.")
@click.version_option(package_name="bzr-workflow")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None, as_json: bool,
        server: str | None) -> None:
    """Event-sourced workflows for class advisors (班主任): recruitment, appraisal,
    awards, allowances and dismissal, each a multi-level sign-off on record."""
    if server and actor:
        from ..domain.errors import BadInput

        raise BadInput("--as (or BZR_WORKFLOW_ACTOR) is refused with --server: the server acts"
                       " as the owner of the token in BZR_WORKFLOW_TOKEN")
    if server and db and ctx.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE:
        from ..domain.errors import BadInput

        raise BadInput("give --db to open a store or --server to go through a web server,"
                       " not both")
    if ctx.obj is None:
        ctx.obj = Ctx(db, actor, as_json, server)
    ctx.call_on_close(ctx.obj.close)


COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("init", "policy", "unit", "class", "import", "calendar"), ("org",)),
    "user": ("org", "award"),  # award adds `user update` to org's `user` group
    **dict.fromkeys(("recruit", "case", "approve", "resubmit", "veto", "return", "withdraw"),
                    ("workflow",)),
    **dict.fromkeys(("appraisal", "results"), ("appraisal",)),
    **dict.fromkeys(("award", "awards", "person"), ("award",)),
    **dict.fromkeys(("log", "norms"), ("worklog",)),
    **dict.fromkeys(("inbox", "cases", "show", "history", "audit", "appointments", "allowance"),
                    ("views",)),
    **dict.fromkeys(("rebuild", "demo", "verify", "key", "seal"), ("maintenance",)),
    "serve": ("serve",), "export": ("export",), "appointment": ("career",),
    "training": ("records",), "delegate": ("delegation",),
    **dict.fromkeys(("takeback", "reassign"), ("handover",)),
    **dict.fromkeys(("overdue", "remind"), ("deadlines",)), "notify": ("notify",),
}
"""Which module of this package defines each top-level command: a command imports its own
module alone (each defines its click commands in `COMMANDS`); `--help`, or a name not listed,
imports them all. tests/cli/test_cli_console_script.py checks it against them all."""
MODULES = ("org", "workflow", "appraisal", "award", "worklog", "views", "maintenance", "serve",
           "export", "career", "records", "delegation", "handover", "deadlines", "notify")
_loaded: set[str] = set()


def _register(names: Iterable[str] = MODULES) -> None:
    """Adds the commands of these modules (of this package) to `cli`, once each."""
    import importlib

    for name in names:
        if name in _loaded:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)
        _loaded.add(name)
        if {"org", "award"} <= _loaded and "user update" not in _loaded:
            org, award = (importlib.import_module(f"{__name__}.{n}") for n in ("org", "award"))
            org.user.add_command(award.user_update)
            _loaded.add("user update")


def install_speedups() -> None:
    """What only a command-line process wants: the compiled-dataclass cache (see _codecache),
    installed before the first event class is defined, and saved when the process ends."""
    from .._codecache import install

    install()


def main() -> None:
    install_speedups()
    try:
        cli.main(prog_name="bzr-workflow")
    except BrokenPipeError:
        # The reader (head, less) went away: nothing more to say, and nothing to report.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
