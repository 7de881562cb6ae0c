"""Workflow commands: recruit apply, case open, and approve / resubmit / veto / return / withdraw on any case."""

from __future__ import annotations

import sys
from typing import Any

import click

from .context import Ctx, pass_ctx
from .remote import quoted


def case_line(case: dict[str, Any]) -> str:
    """One line a person reads: where the case stands and who acts next, in the command line's
    language (the catalogue is read only for a Chinese locale: English is the msgid itself)."""
    from ..catalogue import N_, cli_language

    head = f"{case['id']}  {case['kind']}  {case.get('subject') or '-'}"
    last = case.get("last") or {}
    if case["state"] != "open" and last:
        line = N_("{head}  {state} ({action} by {actor})")
        params = {"head": head, "state": case["state"], "action": last.get("action"),
                  "actor": last.get("actor")}
    elif case["state"] != "open":
        line, params = N_("{head}  {state}"), {"head": head, "state": case["state"]}
    else:
        line = N_("{head}  open: awaits {label} ({step}) by {role}")
        params = {"head": head, "label": case["step_label"], "step": case["step"],
                  "role": case["role"]}
    lang = cli_language()
    progress = case.get("countersign")
    if case["state"] == "open" and progress:  # 会签 / 或签: who signed, who may still sign
        line, params = N_("{line}; countersign: signed by {signed}, {needed} more needed of "
                          "{awaited}"), {
            "line": _said(line, params, lang),
            "signed": ", ".join(p["name"] for p in progress["signed"]) or "-",
            "needed": progress["needed"],
            "awaited": ", ".join(p["name"] for p in progress["awaited"]) or "-"}
    return _said(line, params, lang)


def _said(line: str, params: dict[str, Any], lang: str) -> str:
    if lang == "en":
        return line.format(**params)
    from ..catalogue import render

    return render(line, params, lang)


@click.group()
def recruit() -> None:
    """Recruitment (选聘): application through each level to publication."""


@recruit.command("apply")
@click.option("--class", "class_code", required=True, metavar="CLASS", help="The class applied for.")
@click.option("--candidate", metavar="USER", help="Who applies (default: the acting user).")
@click.option("--start", metavar="DATE", help="The appointment's effective date (YYYY-MM-DD).")
@click.option("--note", default="", help="The application's text.")
@pass_ctx
def recruit_apply(ctx: Ctx, class_code: str, candidate: str | None, start: str | None,
                  note: str) -> None:
    """Apply (or be put forward) as a class's advisor."""
    if ctx.remote:
        ctx.emit(ctx.remote.post("/recruitment", {"class": class_code, "candidate": candidate,
                                                  "start": start, "note": note}), case_line)
        return
    ctx.emit(ctx.app().cases.recruit_apply(class_code, candidate, start, note, ctx.actor), case_line)


@click.group("case")
def case_group() -> None:
    """Any workflow kind the policy declares."""


@case_group.command("open")
@click.argument("kind")
@click.option("--subject", metavar="USER", help="Whom the case is about.")
@click.option("--class", "class_code", metavar="CLASS", help="The class it concerns.")
@click.option("--period", metavar="PERIOD",
              help="The period it concerns: a semester 2026-2027-1 or a school year 2026-2027.")
@click.option("--unit", metavar="UNIT",
              help="The unit whose officers act on it (default: the class's unit).")
@click.option("--note", default="", help="The case's opening text.")
@click.option("--early", is_flag=True,
              help="Open it although its period has not begun yet (refused otherwise).")
@click.option("--ground", metavar="KEY",
              help="A dismissal's ground: one of the policy's dismissal_triggers (policy show).")
@click.option("--student", metavar="NAME",
              help="The student a case is about (discipline), who is not a user.")
@click.option("--student-number", metavar="NO", help="That student's number (学号).")
@pass_ctx
def case_open(ctx: Ctx, kind: str, subject: str | None, class_code: str | None,
              period: str | None, unit: str | None, note: str, early: bool, ground: str | None,
              student: str | None, student_number: str | None) -> None:
    """Open a case of KIND (see `policy show` for the kinds).

    A discipline case names its student, who is no user of the system:
    `case open discipline --student NAME --student-number NO --class CLASS`."""
    data: dict[str, Any] = {"ground": ground} if ground else {}
    if student is not None or student_number is not None:
        data["student"] = {"name": student or "", "number": student_number or ""}
    ctx.emit(ctx.app().cases.open_case(kind, subject, class_code, period, note, ctx.actor,
                                       data, unit=unit, early=early), case_line)


STEP = click.option("--step", metavar="STEP",
                    help="Refuse unless the case is still at this step.")


@click.command()
@click.argument("refs", metavar="CASE...", nargs=-1)
@click.option("--comment", default="", help="The opinion recorded with the signature (with "
              "each signature of a batch).")
@STEP
@click.option("--inbox", is_flag=True, help="Sign every case of your inbox (a batch).")
@click.option("--kind", metavar="KIND", help="With --inbox: only cases of this kind.")
@click.option("--dry-run", is_flag=True, help="Check each case as if signing it and write "
              "nothing; say which would be signed and which refused.")
@pass_ctx
def approve(ctx: Ctx, refs: tuple[str, ...], comment: str, step: str | None, inbox: bool,
            kind: str | None, dry_run: bool) -> None:
    """Sign off the step now pending (recommend, review, approve, publish ...). At a
    countersign step (会签 / 或签: the policy's `countersign`) each holder signs once and the
    last signature needed moves it on; the answer says who signed and who is awaited.

    One CASE signs that case, as ever. Several CASE, or --inbox (every case you may sign now,
    of one --kind and at one --step if given), or --dry-run, make a batch: each case is
    checked and signed as if alone, in a command of its own, and a refusal never stops the
    rest; with --step each case is pinned to that step. Cases waiting at a grade quota's step
    (Suzhou's 15 % of 优秀) are signed best first, so the places go by rank. One batch id
    (B-yymmdd-XXXXXX) is recorded on every decision the batch made (history and audit show
    it as `batch`). --json gives {"batch", "dry_run", "signed": [CASE...], "refused": [{"case",
    "code", "error", "message_id"}]}. Exit 0 when every case was signed, otherwise the
    highest code among the refusals (what was signed stays signed)."""
    from ..domain.errors import BadInput

    if inbox and refs:
        raise BadInput("give either CASE... or --inbox, not both")
    if kind and not inbox:
        raise BadInput("--kind chooses among the inbox's cases: give it with --inbox")
    if not inbox and not refs:
        raise BadInput("give the case to sign (CASE...), or --inbox")
    if len(refs) == 1 and not inbox and not dry_run:
        approve_one(ctx, refs[0], comment, step)
        return
    if ctx.remote:
        if inbox:  # the server's inbox for the token's owner, then each of its cases
            rows = ctx.remote.get("/inbox")
            refs = tuple(r["id"] for r in rows if (not kind or r["kind"] == kind)
                         and (not step or r["step"] == step))
            if not refs:
                ctx.emit({"batch": None, "dry_run": dry_run, "signed": [], "refused": []},
                         batch_lines)
                return
        done = ctx.remote.post("/batches", {"cases": list(refs), "comment": comment,
                                            "step": step, "dry_run": dry_run})
    else:
        from .. import catalogue

        batches, lang = ctx.app().batches, catalogue.cli_language()
        outcome = (batches.approve_inbox(ctx.actor, kind, step, comment, dry_run) if inbox
                   else batches.approve(refs, ctx.actor, comment, step, dry_run))
        done = outcome.as_json(lambda exc: catalogue.say(exc, lang))
    ctx.emit(done, batch_lines)
    if done["refused"]:
        sys.exit(max(r["code"] for r in done["refused"]))  # click's Exit would be lost


def approve_one(ctx: Ctx, ref: str, comment: str, step: str | None) -> None:
    """`approve CASE`: one case, its JSON the case's as it now stands."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/approve",
                                 {"comment": comment, "step": step}), case_line)
        return
    ctx.emit(ctx.app().cases.approve(ref, ctx.actor, comment, step), case_line)


def batch_lines(done: dict[str, Any]) -> str:
    """A batch as people read it: what it did, each case signed, each refused with why."""
    from ..catalogue import N_

    if done["dry_run"]:
        head = N_("dry run: {signed} would be signed, {refused} refused; nothing was written")
    elif done["batch"]:
        head = N_("batch {batch}: {signed} signed, {refused} refused")
    else:
        head = N_("nothing signed: {signed} signed, {refused} refused")
    lines = [_batch_said(head, batch=done["batch"], signed=len(done["signed"]),
                   refused=len(done["refused"]))]
    each = N_("would sign {case}") if done["dry_run"] else N_("signed {case}")
    lines += [_batch_said(each, case=ref) for ref in done["signed"]]
    lines += [_batch_said(N_("refused {case} (exit {code}): {error}"), case=r["case"], code=r["code"],
                    error=r["error"]) for r in done["refused"]]
    return "\n".join(lines)


def _batch_said(line: str, **params: Any) -> str:
    from ..catalogue import cli_language, render

    lang = cli_language()
    return line.format(**params) if lang == "en" else render(line, params, lang)


@click.command()
@click.argument("ref", metavar="CASE")
@click.option("--comment", default="", help="What was amended.")
@pass_ctx
def resubmit(ctx: Ctx, ref: str, comment: str) -> None:
    """Re-submit a case that was returned to you (its applicant) for amendment; it goes back
    to its first step. A case that was not returned is refused (exit 1). `approve` does the
    same on a returned case."""
    ctx.emit(ctx.app().cases.resubmit(ref, ctx.actor, comment), case_line)


@click.command()
@click.argument("ref", metavar="CASE")
@click.option("--reason", required=True, help="Why the case is refused.")
@STEP
@pass_ctx
def veto(ctx: Ctx, ref: str, reason: str, step: str | None) -> None:
    """Refuse the pending step; the case ends."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/veto",
                                 {"reason": reason, "step": step}), case_line)
        return
    ctx.emit(ctx.app().cases.veto(ref, ctx.actor, reason, step), case_line)


@click.command("return")
@click.argument("ref", metavar="CASE")
@click.option("--reason", required=True, help="What must be amended.")
@STEP
@pass_ctx
def return_(ctx: Ctx, ref: str, reason: str, step: str | None) -> None:
    """Send the case back for amendment, where the policy allows it."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/return",
                                 {"reason": reason, "step": step}), case_line)
        return
    ctx.emit(ctx.app().cases.return_case(ref, ctx.actor, reason, step), case_line)


@click.command()
@click.argument("ref", metavar="CASE")
@click.option("--reason", default="", help="Why it is withdrawn.")
@pass_ctx
def withdraw(ctx: Ctx, ref: str, reason: str) -> None:
    """Withdraw your own case before its final step."""
    if ctx.remote:
        ctx.emit(ctx.remote.post(f"/cases/{quoted(ref)}/withdraw", {"reason": reason}),
                 case_line)
        return
    ctx.emit(ctx.app().cases.withdraw(ref, ctx.actor, reason), case_line)


COMMANDS = [recruit, case_group, approve, resubmit, veto, return_, withdraw]
