"""`notify`: how notices go out (set, show), sending what is due now (send), and what was sent (list)."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx


@click.group()
def notify() -> None:
    """Notices: a step pending, a case returned, a step overdue, a 公示 opened, told by e-mail
    (SMTP) and to group robots (DingTalk, WeCom) from an outbox. `remind` (cron) and `serve`
    send them; `notify send` does it now. See docs/notices.md."""


@notify.command("set")
@click.option("--smtp", default="", metavar="HOST:PORT", help="The institution's SMTP server.")
@click.option("--from", "sender", default="", metavar="ADDR", help="The sender's address.")
@click.option("--starttls", "security", flag_value="starttls", help="STARTTLS after connecting.")
@click.option("--ssl", "security", flag_value="ssl", help="TLS from the start (port 465).")
@click.option("--user", "smtp_user", default="", metavar="U",
              help="Sign in to the SMTP server as U; the password is read from "
                   "BZR_WORKFLOW_SMTP_PASSWORD where notices are sent, never recorded.")
@click.option("--webhook", "webhooks", multiple=True, metavar="URL",
              help="A DingTalk or WeCom group robot's webhook URL. Repeatable.")
@click.option("--base-url", default="", metavar="URL",
              help="Where the web is served (https://bzr.example.edu.cn): notices link the case.")
@pass_ctx
def set_(ctx: Ctx, smtp: str, sender: str, security: str | None, smtp_user: str,
         webhooks: tuple[str, ...], base_url: str) -> None:
    """Record how notices go out (an administrator's act, in the audit); each `set` replaces the
    last. Notices are told of what happens from then on."""
    ctx.emit(ctx.app().notices.configure(smtp, sender, security or "", smtp_user,
                                         list(webhooks), base_url, ctx.actor))


@notify.command("show")
@pass_ctx
def show(ctx: Ctx) -> None:
    """How notices go out (a webhook's token hidden)."""
    ctx.emit(ctx.app().notices.shown(ctx.actor))


@notify.command("send")
@pass_ctx
def send(ctx: Ctx) -> None:
    """Queue what happened since the last time and send every notice due now: what `remind`
    and `serve`'s scheduler do. Prints the counts; a failure is recorded and retried later
    (1, 2, 4 ... minutes, at most an hour apart; given up after 8 attempts)."""
    ctx.emit(ctx.app().notices.tick())


@notify.command("list")
@click.option("--failed", is_flag=True, help="Only the notices given up.")
@pass_ctx
def list_(ctx: Ctx, failed: bool) -> None:
    """The notices, newest first: when, channel, recipient, case, subject, state, attempts and
    the last error. For the office and administrators (with --as), or the operator."""
    rows: list[dict[str, Any]] = ctx.app().notices.list(ctx.actor, failed)
    ctx.emit_rows(rows, ["at", "channel", "recipient_name", "case", "subject", "state",
                         "attempts", "error"], empty="(no notices)")


set_.name, list_.name = "set", "list"
COMMANDS = [notify]
