"""The per-invocation context: global options, the application built lazily, and output."""

from __future__ import annotations

import json
from contextlib import ExitStack
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from .output import table

if TYPE_CHECKING:
    from ..application import Location, WorkflowApp
    from .remote import Remote


class Ctx:
    """What every command shares; tests inject a ready one with `obj=`."""

    def __init__(self, db: str | None, actor: str | None, as_json: bool,
                 server: str | None = None) -> None:
        self._db, self.as_json, self.server = db, as_json, server or None
        self._actor, self._resolved = actor, ""
        self._app: WorkflowApp | None = None
        self._remote: Remote | None = None
        self._scope = ExitStack()  # what this command's app records comes from the CLI

    @property
    def remote(self) -> Remote | None:
        """With `--server`, the API client every offered command goes through (as the owner of
        BZR_WORKFLOW_TOKEN); None when the CLI opens the store itself."""
        if self.server is None:
            return None
        if self._remote is None:
            import os

            from .remote import TOKEN_ENV, Remote

            self._remote = Remote(self.server, os.environ.get(TOKEN_ENV, ""))
        return self._remote

    def _local_only(self) -> None:
        """With `--server`, a command the API does not offer is refused (exit 2)."""
        if self.server is not None:
            from ..domain.errors import BadInput

            path = click.get_current_context(silent=True)
            name = path.command_path.partition(" ")[2] if path else "this command"
            raise BadInput("`{name}` is not offered by the server's API: run it where the store "
                           "is (--db), or on the web", name=name)

    @property
    def db(self) -> str | None:
        self._local_only()
        return self._db

    @property
    def actor(self) -> str | None:
        """The acting login as stored: `--as ADMIN` or `--as ａｄｍｉｎ` acts as `admin`
        (domain/logins); in a store from before logins were folded, `--as zhang` finds `Zhang`."""
        if not self._actor:
            return self._actor
        if self._resolved:
            return self._resolved
        from ..application.text import typed_login

        if self._app is None:
            return typed_login(self._actor)
        try:
            self._resolved = self._app.user(self._actor).login
        except Exception:  # noqa: BLE001 - unknown or unreadable: the command itself says so
            self._resolved = typed_login(self._actor)
        return self._resolved

    @property
    def location(self) -> Location:
        import os

        from ..application import parse_location

        self._local_only()
        return parse_location(self._db, os.environ.get("BZR_WORKFLOW_CIPHER_KEY"))

    def app(self, create: bool = False) -> WorkflowApp:
        """The application; what it records while this command runs says it came from the CLI."""
        self._local_only()
        if self._app is None:
            from ..application import open_app
            from ..adapters.origin import coming_from, operator

            self._app = open_app(self.location, create=create)
            self._scope.enter_context(coming_from(operator()))
        return self._app

    def close(self) -> None:
        self._scope.close()
        if self._app is not None:
            self._app.close()
            self._app = None

    def not_remote(self, **options: Any) -> None:
        """With `--server`, refuse an option the API does not take (exit 2)."""
        given = [name for name, value in options.items() if value not in (None, False)]
        if self.server is not None and given:
            from ..domain.errors import BadInput

            flag = "--" + given[0].replace("_", "-")
            raise BadInput("{flag} is not offered through --server; run it where the store is "
                           "(--db)", flag=flag)

    def emit(self, data: Any, human: Callable[[Any], str] | None = None) -> None:
        if self.as_json and _lazy(data):
            _echo_json_rows(data)
        elif self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            click.echo(human(data) if human else _plain(data))

    def emit_rows(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
                  empty: str = "(none)") -> None:
        self.emit(list(rows), lambda r: table(r, columns) if r else empty)


def _lazy(data: Any) -> bool:
    """A sequence made as it is read (bulk opening's dicts): written one item at a time."""
    return isinstance(data, Sequence) and not isinstance(data, (list, tuple, str, bytes))


def _echo_json_rows(rows: Sequence[Any]) -> None:
    """The same text as json.dumps(list(rows), indent=2), without holding every item at once."""
    if not rows:
        click.echo("[]")
        return
    click.echo("[")
    last = len(rows) - 1
    for n, row in enumerate(rows):
        text = json.dumps(row, ensure_ascii=False, indent=2, default=str)
        click.echo("  " + text.replace("\n", "\n  ") + ("," if n < last else ""))
    click.echo("]")


def _plain(data: Any) -> str:
    if isinstance(data, dict):
        width = max((len(str(k)) for k in data), default=0)
        return "\n".join(f"{k:<{width}}  {_value(v)}" for k, v in data.items())
    return str(data)


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


pass_ctx = click.make_pass_decorator(Ctx)
