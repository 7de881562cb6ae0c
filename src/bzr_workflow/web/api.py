"""The JSON API under /api/v1 (WEB.md): the same door as the CLI, the same JSON as its `--json`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import (BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr,
                      ValidationError)
from starlette.concurrency import run_in_threadpool

from ..application.app import WorkflowApp
from ..application.credentials import SignedIn
from ..domain.errors import BadInput
from .auth import SESSION_COOKIE, address, cookie
from .deps import ApiCaller, Door, Writer, end_session, start_session
from .limits import checking_password
from .uploads import download, is_multipart, receive

router = APIRouter(prefix="/api/v1")


class Json(Response):
    """The CLI's `--json` text: UTF-8, keys as the application answers them."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


class Body(BaseModel):
    """A request body: unknown fields (an actor, say) are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Credentials(Body):
    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Approval(Body):
    comment: str | None = Field(default=None, max_length=10_000)
    step: str | None = Field(default=None, max_length=64)


class Reasoned(Body):
    reason: str = Field(max_length=10_000)
    step: str | None = Field(default=None, max_length=64)


class Withdrawal(Body):
    reason: str | None = Field(default=None, max_length=10_000)


class Application(Body):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    class_: str = Field(alias="class", min_length=1, max_length=64)
    candidate: str | None = Field(default=None, max_length=64)
    start: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=10_000)


def only(request: Request, *names: str) -> None:
    """Unknown query values are bad input, as unknown body fields are."""
    unknown = sorted(set(request.query_params) - set(names))
    if unknown:
        allowed = ", ".join(names) or "none"
        raise BadInput("unknown query parameter {unknown!r}; this endpoint takes: {allowed}",
                       unknown=unknown[0], allowed=allowed)


def limit_of(value: str | None) -> int | None:
    return None if value is None else _number(value, "limit", 100_000)


AUDIT_PAGE, AUDIT_PAGE_MAX = 1000, 10_000  # rows of /api/v1/audit: by default, at most


def page_of(value: str | None, default: int, most: int) -> int:
    return default if value is None else _number(value, "limit", most)


def position_of(value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise BadInput("after {value!r} must be an event position (a whole number)", value=value)
    return int(value)


def _number(value: str, name: str, most: int) -> int:
    """A whole number 1-`most` in ASCII digits only: str.isdigit() also holds for "²" and "٣",
    which int() then refuses (a 500) or reads as a number nobody typed."""
    if not (value.isascii() and value.isdigit() and len(value) <= 6) or not 1 <= int(value) <= most:
        raise BadInput("limit {value!r} must be a whole number 1-{most}", value=value, most=most)
    return int(value)


# -- signing in ----------------------------------------------------------------------------

@router.post("/session")
async def sign_in(body: Credentials, request: Request, app: Door) -> Response:
    """Sign in; the answer carries the CSRF token every write made with the cookie needs.
    An address with more than 50 failures in 15 minutes is refused (429) before any check;
    the check itself runs in a worker thread among at most PASSWORD_CHECKS."""
    only(request)
    request.app.state.signin_limit.refuse_blocked(address(request))
    done, name = await checking_password(request, _sign_in, request, app, body)
    response = Json({"user": done.login, "name": name, "csrf": done.csrf})
    return start_session(request, response, done.session_id)


def _sign_in(request: Request, app: WorkflowApp, body: Credentials) -> tuple[SignedIn, str]:
    with request.app.state.signin_limit.attempt(address(request)):
        done = app.credentials.sign_in(body.user, body.password, address(request))
    return done, app.user(done.login).name


@router.delete("/session", status_code=204)
def sign_out(request: Request, app: Door, who: Writer) -> Response:
    only(request)
    app.credentials.sign_out(cookie(request, SESSION_COOKIE))
    return end_session(request, Response(status_code=204))


@router.get("/me")
def me(request: Request, app: Door, who: ApiCaller) -> Response:
    only(request)
    user = app.user(who.login)
    return Json({"user": user.login, "name": user.name,
                 "roles": [f"{r}@{u}" if u else r for r, u in user.grants]})


# -- reading -------------------------------------------------------------------------------

@router.get("/inbox")
def inbox(request: Request, app: Door, who: ApiCaller) -> Response:
    only(request)
    return Json(app.reads.inbox(who.login))


@router.get("/overdue")
def overdue(request: Request, app: Door, who: ApiCaller) -> Response:
    """The open steps past their time limit (`overdue`): of the cases the caller may read
    (administrators and auditors: all), each with its holders, since when it has been pending,
    when it fell due and how many started days late it is."""
    only(request)
    return Json(app.reads.overdue(who.login))


@router.get("/cases")
def cases(request: Request, app: Door, who: ApiCaller, kind: str | None = None,
          state: str | None = None, period: str | None = None, unit: str | None = None,
          limit: str | None = None) -> Response:
    only(request, "kind", "state", "period", "unit", "limit")
    if state is not None and state not in ("open", "published", "vetoed", "withdrawn"):
        raise BadInput("state {state!r} must be open, published, vetoed or withdrawn",
                       state=state)
    return Json(app.reads.cases(kind, state, period, unit, limit_of(limit), reader=who.login))


@router.get("/cases/{ref}")
def show(ref: str, request: Request, app: Door, who: ApiCaller,
         as_of: str | None = None) -> Response:
    only(request, "as_of")
    return Json(app.reads.show(ref, as_of, reader=who.login))


@router.get("/cases/{ref}/history")
def history(ref: str, request: Request, app: Door, who: ApiCaller) -> Response:
    only(request)
    return Json(app.reads.history(ref, reader=who.login))


@router.get("/audit")
def audit(request: Request, app: Door, who: ApiCaller, actor: str | None = None,
          case: str | None = None, since: str | None = None, until: str | None = None,
          limit: str | None = None, after: str | None = None) -> Response:
    """A page of the decisions in the order they were recorded: `limit` rows (1000 by default,
    at most 10000) after the event position `after`. When the page is full, the header
    `Link: <...&after=P>; rel="next"` names the next one (P: the last row's `position`)."""
    only(request, "actor", "case", "since", "until", "limit", "after")
    size = page_of(limit, AUDIT_PAGE, AUDIT_PAGE_MAX)
    rows = app.reads.audit(actor, case, since, until, size, reader=who.login,
                           after=position_of(after))
    response = Json(rows)
    if len(rows) == size:
        following = request.url.include_query_params(after=rows[-1]["position"], limit=size)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return response


# -- signing off ---------------------------------------------------------------------------

@router.post("/cases/{ref}/approve")
def approve(ref: str, body: Approval, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.cases.approve(ref, who.login, body.comment, body.step))


@router.post("/cases/{ref}/veto")
def veto(ref: str, body: Reasoned, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.cases.veto(ref, who.login, body.reason, body.step))


@router.post("/cases/{ref}/return")
def return_case(ref: str, body: Reasoned, request: Request, app: Door,
                who: Writer) -> Response:
    only(request)
    return Json(app.cases.return_case(ref, who.login, body.reason, body.step))


@router.post("/cases/{ref}/withdraw")
def withdraw(ref: str, body: Withdrawal, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.cases.withdraw(ref, who.login, body.reason))


@router.post("/recruitment", status_code=201)
def recruitment(body: Application, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    opened = app.cases.recruit_apply(body.class_, body.candidate, body.start, body.note,
                                     who.login)
    return Json(opened, status_code=201)


# -- appraisal and its 公示 (issue 21 items 1-2) -------------------------------------------

Score = StrictStr | StrictInt | StrictFloat  # true/false is no score


class Opening(Body):
    period: str = Field(min_length=1, max_length=32)
    advisors: list[str] | None = Field(default=None, max_length=10_000)
    all: bool | None = None


class Summary(Body):
    summary: str = Field(max_length=100_000)


class Scores(Body):
    items: dict[str, Score] = Field(max_length=200)
    bonus: dict[str, Score] | None = Field(default=None, max_length=200)


class VetoItem(Body):
    item: str = Field(min_length=1, max_length=64)
    reason: str = Field(max_length=10_000)


class Objection(Body):
    reason: str = Field(max_length=10_000)


class Resolution(Body):
    objection: int = Field(ge=1, le=1_000_000)
    upheld: bool | None = None
    dismissed: bool | None = None
    comment: str = Field(max_length=10_000)


def pairs(values: dict[str, Score] | None) -> list[str]:
    """A JSON object of scores as the door takes them (KEY=VALUE pairs, judged by the door
    after the reading rule)."""
    return [f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"
            for key, value in (values or {}).items()]


@router.post("/appraisals", status_code=201)
def open_appraisals(body: Opening, request: Request, app: Door, who: Writer) -> Response:
    """`appraisal open`: the period's appraisals for the named advisors or for all (one case
    each, all in one transaction); those who have one already are skipped."""
    only(request)
    if bool(body.advisors) == bool(body.all):
        raise BadInput("give either advisors (a list of users) or all: true")
    targets = app.reads.appraisal_targets(body.period, body.advisors or ())
    opened = app.appraisals.open_appraisals(body.period, targets, who.login,
                                            bool(body.advisors))
    return Json(list(opened), status_code=201)


SUMMARY_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "additionalProperties": False,
                                    "required": ["summary"],
                                    "properties": {"summary": {"type": "string",
                                                               "maxLength": 100_000}}}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["summary"], "properties": {
        "summary": {"type": "string", "maxLength": 100_000},
        "attachments": {"type": "array", "maxItems": 10,
                        "items": {"type": "string", "format": "binary"}}}}}}}}


@router.post("/cases/{ref}/summary", openapi_extra=SUMMARY_BODY)
async def summary(ref: str, request: Request, app: Door, who: Writer) -> Response:
    """`appraisal submit`: JSON `{"summary"}`, or multipart with `summary` and files in
    `attachments` (PDF, PNG, JPEG, Word; each checked by its content, streamed under the upload
    caps into the store's folder only after the reading rule and the right to submit)."""
    only(request)
    if not is_multipart(request):
        try:
            body = Summary.model_validate_json(await request.body())
        except ValidationError as exc:  # as FastAPI's own body models answer (errors.py)
            raise RequestValidationError(exc.errors(), body=None) from None
        return Json(await run_in_threadpool(app.appraisals.submit_summary, ref, who.login,
                                            body.summary))
    await run_in_threadpool(app.appraisals.may_attach, ref, who.login)
    batch = app.appraisals.files.batch()
    fields = await receive(request, batch)
    unknown = sorted(set(fields) - {"summary"})
    if unknown:
        await run_in_threadpool(batch.discard)
        raise BadInput("unknown field {field!r}; this endpoint takes summary and attachments",
                       field=unknown[0][:64])
    return Json(await run_in_threadpool(app.appraisals.submit_summary, ref, who.login,
                                        fields.get("summary", ""), batch))


@router.get("/cases/{ref}/attachments/{digest}")
def attachment(ref: str, digest: str, request: Request, app: Door,
               who: ApiCaller) -> Response:
    """A file attached to the self-summary, for a reader of the case."""
    only(request)
    return download(*app.appraisals.attachment(ref, who.login, digest))


@router.post("/cases/{ref}/scores")
def scores(ref: str, body: Scores, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.appraisals.score(ref, who.login, pairs(body.items),
                                     pairs(body.bonus)))


@router.post("/cases/{ref}/veto-items")
def veto_item(ref: str, body: VetoItem, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.appraisals.flag_veto(ref, who.login, body.item, body.reason))


@router.post("/cases/{ref}/objections")
def objection(ref: str, body: Objection, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    return Json(app.appraisals.lodge_objection(ref, who.login, body.reason))


@router.post("/cases/{ref}/resolve")
def resolve(ref: str, body: Resolution, request: Request, app: Door, who: Writer) -> Response:
    only(request)
    if bool(body.upheld) == bool(body.dismissed):
        raise BadInput('give either "upheld": true or "dismissed": true')
    return Json(app.appraisals.resolve_objection(ref, who.login, body.objection,
                                                 bool(body.upheld), body.comment))


class Nothing(Body):
    """A body with no fields: any field sent is refused (400)."""


@router.post("/cases/{ref}/finalise")
def finalise(ref: str, request: Request, app: Door, who: Writer,
             body: Nothing | None = None) -> Response:
    only(request)
    return Json(app.appraisals.finalise(ref, who.login))


@router.get("/results")
def results(request: Request, app: Door, who: ApiCaller, period: str | None = None,
            unit: str | None = None, counts: str | None = None,
            as_of: str | None = None) -> Response:
    """`results --json`: the period's results the caller may read, imported ones among them,
    as they stood at `as_of` (what `--as-of` takes); with `counts=true`, how many of each grade
    per unit ('*': all), final and provisional apart, for those who read a period's results."""
    only(request, "period", "unit", "counts", "as_of")
    if not period:
        raise BadInput("give period, e.g. ?period=2026-2027")
    if counts not in (None, "", "true", "false", "1", "0"):
        raise BadInput("counts {value!r} must be true or false", value=counts)
    if counts in ("true", "1"):
        return Json(app.reads.counts_for(who.login, period, unit or None, as_of))
    return Json(app.reads.results(period, unit or None, who.login, as_of).rows)
