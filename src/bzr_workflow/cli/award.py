"""Award commands (nominate, form), `awards`, and `user update` for the form's personal fields."""

from __future__ import annotations

import click

from .appraisal import text_or_file
from .context import Ctx, pass_ctx
from .views import AS_OF
from .workflow import case_line


@click.group()
def award() -> None:
    """Award recommendation (评优): nomination, opinions at each level, quota, the form."""


@award.command("nominate")
@click.option("--advisor", required=True, metavar="USER", help="Who is recommended.")
@click.option("--period", required=True,
              help="The period whose results count: the appraisal's, or a school year 2026-2027"
                   " where the award is yearly (Aksu's 十佳).")
@click.option("--deeds", default="", metavar="TEXT|@FILE", help="主要事迹; @FILE: a file of at most 1 MiB, UTF-8 or GBK.")
@click.option("--distinction", metavar="KEY", help="A named honour of the policy (Aksu: top_ten).")
@click.option("--early", is_flag=True,
              help="Nominate although the period has not begun yet (refused otherwise).")
@pass_ctx
def award_nominate(ctx: Ctx, advisor: str, period: str, deeds: str,
                   distinction: str | None, early: bool) -> None:
    """Nominate an advisor; eligibility is checked now and again at every level."""
    ctx.emit(ctx.app().awards.nominate(advisor, period, text_or_file(deeds), distinction, ctx.actor,
                                       early=early), case_line)


@award.command("form")
@click.argument("ref", metavar="CASE")
@click.option("--out", "out", required=True, metavar="FILE", help="Where to write (.docx or .xlsx).")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]),
              help="Default: from the file's ending.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@pass_ctx
def award_form(ctx: Ctx, ref: str, out: str, fmt: str | None, force: bool) -> None:
    """Export the filled-in recommendation form (附件2) with each level's opinion, signer and date.
    --out is written whole (a temporary file, then renamed); never the store's own file, a
    symbolic link or a folder."""
    from ..application.reads import form_format

    form_format(out, fmt, ctx.location, force)  # a bad file is named before the store is opened
    ctx.emit(ctx.app().reads.award_form(ref, out, fmt, force))


@click.command()
@click.option("--period", required=True, help="The period: 2026-2027 or 2026-2027-1 (long forms accepted).")
@AS_OF
@pass_ctx
def awards(ctx: Ctx, period: str, as_of: str | None) -> None:
    """Award cases of a period and how they ended, and the rewards that follow a final grade
    (no award case: `case` is empty, `result` names the appraisal)."""
    ctx.emit_rows(ctx.app().reads.awards(period, as_of), ["advisor", "case", "result", "unit",
                                                   "distinction", "state", "amount",
                                                   "certificate"],
                  empty=f"(no awards for {period})")


@click.command("update")
@click.argument("login", metavar="USER")
@click.option("--name", help="The person's name.")
@click.option("--gender", help="性别.")
@click.option("--ethnicity", help="民族.")
@click.option("--birth", metavar="YYYY-MM", help="出生年月.")
@click.option("--education", help="学历/学位.")
@click.option("--political-status", "political_status", help="政治面貌.")
@click.option("--employment", help="专职 (full-time) or 兼职 (part-time): allowances may differ.")
@click.option("--phone", help="Personal: stored encrypted under the person's own key.")
@click.option("--address", help="Personal: stored encrypted under the person's own key.")
@click.option("--id-number", "id_number", help="Personal: stored encrypted under the person's own key.")
@click.option("--email", help="Where notices are e-mailed (`notify`); personal: stored encrypted"
                              " under the person's own key.")
@pass_ctx
def user_update(ctx: Ctx, login: str, name: str | None, gender: str | None,
                ethnicity: str | None, birth: str | None, education: str | None,
                political_status: str | None, employment: str | None, phone: str | None,
                address: str | None, id_number: str | None, email: str | None) -> None:
    """Record the profile fields forms ask for (an empty value clears one). All but
    --employment are personal, stored under USER's own key: `person erase` makes them
    unreadable for good (a value given after an erasure is kept under a new key)."""
    fields = {"name": name, "gender": gender, "ethnicity": ethnicity, "birth": birth,
              "education": education, "political_status": political_status,
              "employment": employment, "phone": phone, "address": address,
              "id_number": id_number, "email": email}
    ctx.emit(ctx.app().org.update_user(login, fields, ctx.actor))


@click.group()
def person() -> None:
    """Personal data (PIPL)."""


@person.command("erase")
@click.argument("login", metavar="USER")
@pass_ctx
def person_erase(ctx: Ctx, login: str) -> None:
    """Destroy USER's key: their name, profile and what they wrote (comments, reasons, notes,
    summaries, 事迹) read as erased everywhere; history and seal stay intact."""
    ctx.emit(ctx.app().org.erase_person(login, ctx.actor))


COMMANDS = [award, awards, person]
