"""Organisation commands: init, policy, unit, user and class."""

from __future__ import annotations

from typing import Any

import click

from .context import Ctx, pass_ctx


@click.command()
@click.option("--policy", "policy_ref", required=True, metavar="POLICY",
              help="A built-in policy id (see `policy list`) or a policy file path.")
@click.option("--admin", required=True, metavar="USER", help="The first administrator's login.")
@click.option("--name", default="", help="The institution's name (default: the policy's).")
@pass_ctx
def init(ctx: Ctx, policy_ref: str, admin: str, name: str) -> None:
    """Create the store, adopt a policy and register the first administrator."""
    from ..application.organisation import check_init

    check_init(policy_ref, admin)  # refuse a bad policy or login before any file exists
    app = ctx.app(create=True)
    result = app.org.init(policy_ref, admin, name, ctx.actor)
    app.reads.create_views()
    result["store"] = ctx.location.describe()
    ctx.emit(result)


@click.group()
def policy() -> None:
    """Institution policies: list, show, validate, adopt, history, diff, and unit refinements."""


@policy.command("list")
@pass_ctx
def policy_list(ctx: Ctx) -> None:
    """The built-in policies."""
    from ..application.policyview import builtin_policies

    ctx.emit_rows(builtin_policies(), ["id", "source", "name", "workflows"])


@policy.command("show")
@click.argument("policy_ref", required=False, metavar="[POLICY]")
@click.option("--version", "version", type=int, help="An adopted version of the store's policy.")
@click.option("--unit", metavar="UNIT", help="The rules in force in this unit (with its refinement).")
@pass_ctx
def policy_show(ctx: Ctx, policy_ref: str | None, version: int | None, unit: str | None) -> None:
    """A policy's roles, workflows and rules (default: the one in force in the store)."""
    from ..application.policyview import policy_file_view
    from .policy_view import policy_text

    result = policy_file_view(policy_ref) if policy_ref else \
        ctx.app().reads.policy_view(version, unit)
    ctx.emit(result, policy_text)


@policy.command("validate")
@click.argument("file", metavar="FILE")
@pass_ctx
def policy_validate(ctx: Ctx, file: str) -> None:
    """Check a policy file; every problem names the file, the field and what is wrong."""
    from ..application.policyview import PolicyInvalid, policy_file
    from . import Refusal

    try:
        p = policy_file(file)
    except PolicyInvalid as exc:
        for line in exc.lines()[:-1]:
            click.echo(f"error: {line}", err=True)
        raise Refusal(exc.lines()[-1], 2) from None
    ctx.emit({"file": file, "policy": p.id, "valid": True,
              "workflows": sorted(p.workflows)})


@policy.command("adopt")
@click.argument("policy_ref", metavar="POLICY_OR_FILE")
@pass_ctx
def policy_adopt(ctx: Ctx, policy_ref: str) -> None:
    """Adopt a new policy version; running cases keep the version they were opened under."""
    ctx.emit(ctx.app().org.adopt_policy(policy_ref, ctx.actor))


@policy.command("history")
@pass_ctx
def policy_history(ctx: Ctx) -> None:
    """Every policy version adopted in this store: when, by whom, its digest."""
    ctx.emit_rows(ctx.app().org.policy_history(),
                  ["version", "policy", "refinement", "unit", "at", "by", "digest"])


@policy.command("refine")
@click.argument("file", metavar="FILE")
@pass_ctx
def policy_refine(ctx: Ctx, file: str) -> None:
    """Record a unit's own rules over the institution's (the unit is named in FILE's
    [refinement] table). Cases opened in that unit, or below it, follow them."""
    ctx.emit(ctx.app().org.refine_policy(file, ctx.actor))


@policy.command("clear-refinement")
@click.argument("unit", metavar="UNIT")
@pass_ctx
def policy_clear_refinement(ctx: Ctx, unit: str) -> None:
    """Withdraw a unit's refinement; cases opened under it keep following it."""
    ctx.emit(ctx.app().org.clear_refinement(unit, ctx.actor))


@policy.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@pass_ctx
def policy_diff(ctx: Ctx, a: str, b: str) -> None:
    """What changed between two policies: adopted version numbers, built-in ids or files."""
    from ..application.organisation import policy_diff

    result = policy_diff(a, b, lambda: ctx.app().org)
    ctx.emit(result, lambda r: "(identical)" if r["identical"] else "\n".join(r["diff"]))


@click.group()
def unit() -> None:
    """Organisational units: colleges, departments, teaching sites."""


@unit.command("add")
@click.argument("code", metavar="UNIT")
@click.option("--name", required=True, help="The unit's name as people write it.")
@click.option("--parent", default="", metavar="UNIT", help="The unit this one belongs to.")
@pass_ctx
def unit_add(ctx: Ctx, code: str, name: str, parent: str) -> None:
    """Register a unit."""
    ctx.emit(ctx.app().org.add_unit(code, name, parent, ctx.actor))


@unit.command("list")
@pass_ctx
def unit_list(ctx: Ctx) -> None:
    """Every unit, in tree order."""
    ctx.emit_rows(ctx.app().reads.units(), ["unit", "name", "parent", "path"])


@click.group()
def user() -> None:
    """People, the roles they hold (ROLE or ROLE@UNIT), and how they sign in to the web."""


@user.command("add")
@click.argument("login", metavar="USER")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", "roles", multiple=True, metavar="ROLE[@UNIT]",
              help="A role from the policy; unit-scoped roles need @UNIT. Repeatable.")
@pass_ctx
def user_add(ctx: Ctx, login: str, name: str, roles: tuple[str, ...]) -> None:
    """Register a person. The login is stored NFKC-normalised and case-folded (`Zhang` is
    `zhang`); one that looks like an existing login (Cyrillic or Greek look-alikes) is refused."""
    ctx.emit(ctx.app().org.add_user(login, name, list(roles), ctx.actor))


@user.command("grant")
@click.argument("login", metavar="USER")
@click.argument("role", metavar="ROLE[@UNIT]")
@pass_ctx
def user_grant(ctx: Ctx, login: str, role: str) -> None:
    """Grant a role (recorded: who held which role when is part of the audit)."""
    ctx.emit(ctx.app().org.grant(login, role, ctx.actor))


@user.command("revoke")
@click.argument("login", metavar="USER")
@click.argument("role", metavar="ROLE[@UNIT]")
@pass_ctx
def user_revoke(ctx: Ctx, login: str, role: str) -> None:
    """Revoke a role (never one's own admin role: there is always an administrator)."""
    ctx.emit(ctx.app().org.revoke(login, role, ctx.actor))


@user.command("passwd")
@click.argument("login", metavar="USER")
@pass_ctx
def user_passwd(ctx: Ctx, login: str) -> None:
    """Set USER's password for signing in to the web, read as one line from standard input
    (at least 8 characters); every session USER has ends. At a terminal it is asked twice,
    unseen."""
    import sys

    if sys.stdin.isatty():
        password = click.prompt("new password", hide_input=True, confirmation_prompt=True,
                                err=True)
    else:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    ctx.emit(ctx.app().credentials.set_password(login, password, ctx.actor),
             lambda r: f"password {r['how']} for {r['user']}")


@user.command("invite")
@click.argument("login", metavar="USER")
@click.option("--hours", type=int, default=72, show_default=True, metavar="N",
              help="How long the invitation stays valid.")
@pass_ctx
def user_invite(ctx: Ctx, login: str, hours: int) -> None:
    """Print a one-time path /invite/TOKEN where USER sets their own password (on the web
    server's address); it works once, within --hours."""
    ctx.emit(ctx.app().credentials.invite(login, ctx.actor, hours), lambda r: r["path"])


@user.command("token")
@click.argument("login", metavar="USER")
@click.option("--name", metavar="NAME", help="A name for the new token (default token1, ...).")
@click.option("--days", type=int, default=90, show_default=True, metavar="N",
              help="How many days the new token lives (1-366).")
@click.option("--revoke", metavar="NAME", help="Revoke USER's token of this name instead.")
@click.option("--list", "listing", is_flag=True,
              help="List USER's tokens (names, when made, when they expire) instead.")
@pass_ctx
def user_token(ctx: Ctx, login: str, name: str | None, days: int, revoke: str | None,
               listing: bool) -> None:
    """Issue an API token for USER's scripts (printed once: only its digest is kept), live for
    --days; list USER's tokens with --list, or revoke one with --revoke NAME. Scripts send it
    as `Authorization: Bearer TOKEN`. A password reset (`user passwd`, an invitation used)
    revokes every token of USER."""
    from ..domain.errors import BadInput

    if sum((revoke is not None, name is not None, listing)) > 1:
        raise BadInput("give --name to issue a token, --revoke to revoke one or --list,"
                       " only one of them")
    app = ctx.app()
    if listing:
        ctx.emit_rows(app.credentials.tokens(login, ctx.actor),
                      ["user", "name", "created", "expires", "expired"])
        return
    if revoke is not None:
        ctx.emit(app.credentials.revoke_token(login, revoke, ctx.actor),
                 lambda r: f"revoked token {r['name']} of {r['user']}")
        return
    ctx.emit(app.credentials.issue_token(login, name, ctx.actor, days), lambda r: r["token"])


@user.command("list")
@pass_ctx
def user_list(ctx: Ctx) -> None:
    """Every person and their roles."""
    ctx.emit_rows(ctx.app().reads.users(), ["user", "name", "roles"])


@click.group("class")
def class_() -> None:
    """Classes of students."""


@class_.command("add")
@click.argument("code", metavar="CLASS")
@click.option("--name", required=True, help="The class's name.")
@click.option("--unit", required=True, metavar="UNIT", help="The unit the class belongs to.")
@click.option("--students", required=True, type=int, metavar="N", help="Head count.")
@click.option("--level", default="", help="Level, e.g. 高职, 中职, 专升本 (required, and one the"
              " allowance has a rate for, where the policy pays per student by level).")
@click.option("--graduating", is_flag=True, help="A graduating class.")
@click.option("--year-of-study", "year_of_study", type=int, metavar="N",
              help="The class's year of study (1, 2 …); required where the policy declares"
                   " years of study (Hefei: 班主任 for years 1-2, 班导师 for 3-4).")
@pass_ctx
def class_add(ctx: Ctx, code: str, name: str, unit: str, students: int, level: str,
              graduating: bool, year_of_study: int | None) -> None:
    """Register a class. A level the policy's allowance has no rate for is refused (exit 2)."""
    ctx.emit(ctx.app().org.add_class(code, name, unit, students, level, graduating, ctx.actor,
                                     year_of_study))


@class_.command("update")
@click.argument("code", metavar="CLASS")
@click.option("--students", type=int, metavar="N", help="New head count.")
@click.option("--graduating/--not-graduating", default=None, help="Mark (or unmark) graduating.")
@click.option("--level", default=None, help="New level (checked against the allowance's rates).")
@click.option("--year-of-study", "year_of_study", type=int, metavar="N",
              help="New year of study (where the policy declares years of study).")
@click.option("--effective", metavar="DATE", help="When the change takes effect (YYYY-MM-DD).")
@click.option("--graduated", metavar="DATE",
              help="The class graduated on DATE: its appointments end that day (paid to it).")
@pass_ctx
def class_update(ctx: Ctx, code: str, students: int | None, graduating: bool | None,
                 level: str | None, year_of_study: int | None, effective: str | None,
                 graduated: str | None) -> None:
    """Change a class's head count, graduating mark, level or year of study; --graduated ends
    its appointments on the day it graduated."""
    app = ctx.app()
    changes = (students, graduating, level, year_of_study, effective)
    shown: dict[str, Any] = {}
    if graduated is None or any(c is not None for c in changes):
        shown = app.org.update_class(code, students, graduating, effective, ctx.actor, level,
                                     year_of_study)
    if graduated is not None:
        shown = {**shown, **app.tenure.graduate(code, graduated, ctx.actor)}
    ctx.emit(shown)


@class_.command("list")
@pass_ctx
def class_list(ctx: Ctx) -> None:
    """Every class with its active advisors."""
    ctx.emit_rows(ctx.app().reads.classes(),
                  ["class", "name", "unit", "students", "level", "graduating", "year_of_study",
                   "advisors"])


@click.command("import")
@click.argument("what", type=click.Choice(["users", "classes", "results", "appointments"]))
@click.argument("file", metavar="FILE")
@pass_ctx
def import_(ctx: Ctx, what: str, file: str) -> None:
    """Import users, classes, past results or appointments from CSV (UTF-8 or GBK) or XLSX:
    all rows or none. Results and appointments are recorded as imported with the file's
    SHA-256 digest (a file is imported once); they count for the policy's rules over
    consecutive results (Aksu: two 不称职 semesters) from the first day.
    At most 20 MiB; an XLSX at most 100,000 rows, 64 MiB unpacked.

    users: columns user, name, roles (ROLE or ROLE@UNIT, separated by ;).

    classes: columns class, name, unit, students, level, graduating (yes/是), year_of_study
    (年级; required where the policy declares years of study). A level the policy's allowance
    has no rate for is refused (exit 2, naming the column level).

    results: columns advisor, period, grade, total (optional); a final result per advisor and
    period, in the policy's period form and grades.

    appointments: columns advisor, class, start, end (YYYY-MM-DD; no end: still serving)."""
    app = ctx.app()
    result = getattr(app.imports, f"import_{what}")(file, ctx.actor)
    ctx.emit(result, lambda r: f"imported {r['imported']} {what}")




@click.group()
def calendar() -> None:
    """The institution's academic calendar: each school year's terms and holidays."""


@calendar.command("set")
@click.option("--year", required=True, metavar="YEAR",
              help="The school year, like 2026-2027 (or 2026-2027学年).")
@click.option("--term", "terms", multiple=True, type=(int, str), metavar="N FROM..TO",
              help="Term 1 or 2 and its first and last day, like --term 1 2026-09-01..2027-01-20;"
                   " give both.")
@click.option("--holiday", "holidays", multiple=True, metavar="FROM..TO",
              help="A holiday within the year (repeatable): its weeks are not held to the norms.")
@pass_ctx
def calendar_set(ctx: Ctx, year: str, terms: tuple[tuple[int, str], ...],
                 holidays: tuple[str, ...]) -> None:
    """Set (or correct) one school year's terms and holidays. Without it a year runs term 1
    from September to February and term 2 from March to August."""
    ctx.emit(ctx.app().org.set_calendar(year, list(terms), list(holidays), ctx.actor),
             _calendar_text)


@calendar.command("show")
@pass_ctx
def calendar_show(ctx: Ctx) -> None:
    """Each school year set, and the current one (by default if not set)."""
    result = ctx.app().org.calendar()
    ctx.emit(result, lambda r: "\n".join(_calendar_text(y) for y in r["years"])
             + f"\n(a year not set: {r['default']})")


def _calendar_text(year: dict[str, Any]) -> str:
    lines = [f"{year['year']}{'' if year['set'] else ' (default)'}"]
    lines += [f"  term {t['term']} ({t['period']}): {t['from']}..{t['to']}" for t in year["terms"]]
    lines += [f"  holiday: {h['from']}..{h['to']}" for h in year["holidays"]]
    return "\n".join(lines)


COMMANDS = [init, policy, unit, user, class_, import_, calendar]
