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


class Ctx:
    """What every command shares; tests inject a ready one with `obj=`."""

    def __init__(self, db: str | None, actor: str | None, as_json: bool) -> None:
        self.db, self.as_json = db, as_json
        self._actor, self._resolved = actor, ""
        self._app: WorkflowApp | None = None
        self._scope = ExitStack()  # what this command's app records comes from the CLI

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

        return parse_location(self.db, os.environ.get("BZR_WORKFLOW_CIPHER_KEY"))

    def app(self, create: bool = False) -> WorkflowApp:
        """The application; what it records while this command runs says it came from the CLI."""
        if self._app is None:
            from ..application import open_app
            from ..adapters.origin import CLI, coming_from

            self._app = open_app(self.location, create=create)
            self._scope.enter_context(coming_from(CLI))
        return self._app

    def close(self) -> None:
        self._scope.close()
        if self._app is not None:
            self._app.close()
            self._app = None

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
