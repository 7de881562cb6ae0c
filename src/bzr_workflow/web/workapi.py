"""The API of the year's other work (WEB.md "Every workflow"): awards and their 推荐表, the
allowance, opening any case, signing a batch. The same door as the CLI, the same JSON as its `--json`; the
reading rule first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import ConfigDict, Field

from .api import Body, Json, only
from .deps import ApiCaller, Door, Writer
from .messages import language, say

router = APIRouter(prefix="/api/v1")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMS = {"docx": DOCX, "xlsx": XLSX}

SHORT = 64  # a login, a class code, a period, a key
TEXT = 10_000  # a note, 主要事迹


class Nomination(Body):
    advisor: str = Field(min_length=1, max_length=SHORT)
    period: str = Field(min_length=1, max_length=SHORT)
    deeds: str | None = Field(default=None, max_length=TEXT)
    distinction: str | None = Field(default=None, max_length=SHORT)


class Opening(Body):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: str = Field(min_length=1, max_length=SHORT)
    subject: str | None = Field(default=None, max_length=SHORT)
    class_: str | None = Field(default=None, alias="class", max_length=SHORT)
    period: str | None = Field(default=None, max_length=SHORT)
    note: str | None = Field(default=None, max_length=TEXT)
    ground: str | None = Field(default=None, max_length=SHORT)
    student: str | None = Field(default=None, max_length=SHORT)
    student_number: str | None = Field(default=None, max_length=SHORT)


BATCH = 1000  # cases in one request: the inbox of a season's busiest signer, and then some


class Batch(Body):
    cases: list[Annotated[str, Field(min_length=1, max_length=SHORT)]] = Field(
        min_length=1, max_length=BATCH, description="The cases to sign.")
    comment: str | None = Field(default=None, max_length=TEXT)
    step: str | None = Field(default=None, max_length=SHORT,
                             description="Refuse each case unless it is still at this step.")
    dry_run: bool = Field(default=False, description="Check each case and write nothing.")


def case_data(ground: str | None, student: str | None,
              student_number: str | None) -> dict[str, Any]:
    """What `case open` puts beside a case: the dismissal's ground, the discipline's student."""
    data: dict[str, Any] = {"ground": ground} if ground else {}
    if student or student_number:
        data["student"] = {"name": student or "", "number": student_number or ""}
    return data


@router.post("/awards", status_code=201)
def nominate(body: Nomination, request: Request, app: Door, who: Writer) -> Response:
    """`award nominate`: the case opened, with its 推荐表 fields filled in at nomination."""
    only(request)
    opened = app.awards.nominate(body.advisor, body.period, body.deeds, body.distinction,
                                 who.login)
    return Json(opened, status_code=201)


@router.get("/awards")
def awards(request: Request, app: Door, who: ApiCaller, period: str) -> Response:
    """`awards --period`: the rows of the award cases (or appraisals) the caller may read."""
    only(request, "period")
    return Json(app.reads.awards_for(period, who.login))


@router.get("/cases/{ref}/form.{fmt}",
            responses={200: {"content": {DOCX: {}, XLSX: {}},
                             "description": "The 推荐表 (`award form`), sealed to now."}})
def award_form(ref: str, fmt: str, request: Request, app: Door, who: ApiCaller) -> Response:
    """`award form`: an award case's 推荐表 as .docx or .xlsx (any other ending is 400)."""
    only(request)
    body = app.reads.award_sheet(ref, fmt, who.login)
    return Response(body, media_type=FORMS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{ref}-form.{fmt}"'})


@router.get("/allowance")
def allowance(request: Request, app: Door, who: ApiCaller, month: str) -> Response:
    """`allowance --month`: for the office, administrators and auditors."""
    only(request, "month")
    return Json(app.reads.allowance_for(month, who.login))


@router.get("/notices")
def notices(request: Request, app: Door, who: ApiCaller, failed: bool = False) -> Response:
    """`notify list`: the notices sent, waiting or failed, newest first; for the office and
    administrators (`failed=true`: those given up only)."""
    only(request, "failed")
    return Json(app.notices.list(who.login, failed))


@router.post("/cases", status_code=201)
def open_case(body: Opening, request: Request, app: Door, who: Writer) -> Response:
    """`case open KIND`: any kind the caller may open (signing.may_open)."""
    only(request)
    opened = app.cases.open_case(body.kind, body.subject, body.class_, body.period, body.note,
                                 who.login, case_data(body.ground, body.student,
                                                      body.student_number))
    return Json(opened, status_code=201)


@router.post("/batches")
def batch(body: Batch, request: Request, app: Door, who: Writer) -> Response:
    """`approve CASE...`: each case signed as if alone, a refusal never stopping the rest;
    answers the CLI's batch JSON `{batch, dry_run, signed, refused: [{case, code, error,
    message_id}]}` with 200 whatever was refused (the request itself was carried out: each
    item's answer is in the body, as the CLI exits 0 or the highest code only after printing
    it). A body that is not a batch (no cases, an unknown field) is 400, as ever."""
    only(request)
    done = app.batches.approve(body.cases, who.login, body.comment,
                               body.step, body.dry_run)
    return Json(done.as_json(say(language(request))))
