"""The JSON API under /api/v1 (WEB.md): the same door as the CLI, the same JSON as its `--json`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..domain.errors import BadInput
from .auth import (SESSION_COOKIE, Caller, address, check_csrf, cookie, door, drop_cookie,
                   put_cookie, signed_in)

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


def writer(request: Request) -> Caller:
    """The signed-in caller of a write: with a session cookie, the X-CSRF-Token must match."""
    who = signed_in(request)
    check_csrf(who, request.headers.get("x-csrf-token"))
    return who


def limit_of(value: str | None) -> int | None:
    if value is None:
        return None
    # ASCII digits only: str.isdigit() also holds for "²" and "٣", which int() then refuses
    # (a 500) or reads as a number nobody typed
    if not (value.isascii() and value.isdigit() and len(value) <= 6) \
            or not 1 <= int(value) <= 100_000:
        raise BadInput("limit {value!r} must be a whole number 1-100000", value=value)
    return int(value)


# -- signing in ----------------------------------------------------------------------------

@router.post("/session")
async def sign_in(body: Credentials, request: Request) -> Response:
    """Sign in; the answer carries the CSRF token every write made with the cookie needs."""
    only(request)
    done = door(request).credentials.sign_in(body.user, body.password, address(request))
    user = door(request).user(done.login)
    response = Json({"user": done.login, "name": user.name, "csrf": done.csrf})
    put_cookie(response, request, SESSION_COOKIE, done.session_id)
    return response


@router.delete("/session", status_code=204)
async def sign_out(request: Request) -> Response:
    only(request)
    writer(request)
    door(request).credentials.sign_out(cookie(request, SESSION_COOKIE))
    response = Response(status_code=204)
    drop_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/me")
async def me(request: Request) -> Response:
    only(request)
    user = door(request).user(signed_in(request).login)
    return Json({"user": user.login, "name": user.name,
                 "roles": [f"{r}@{u}" if u else r for r, u in user.grants]})


# -- reading -------------------------------------------------------------------------------

@router.get("/inbox")
async def inbox(request: Request) -> Response:
    only(request)
    return Json(door(request).reads.inbox(signed_in(request).login))


@router.get("/cases")
async def cases(request: Request, kind: str | None = None, state: str | None = None,
                period: str | None = None, unit: str | None = None,
                limit: str | None = None) -> Response:
    only(request, "kind", "state", "period", "unit", "limit")
    who = signed_in(request)
    if state is not None and state not in ("open", "published", "vetoed", "withdrawn"):
        raise BadInput("state {state!r} must be open, published, vetoed or withdrawn",
                       state=state)
    return Json(door(request).reads.cases(kind, state, period, unit, limit_of(limit),
                                          reader=who.login))


@router.get("/cases/{ref}")
async def show(ref: str, request: Request, as_of: str | None = None) -> Response:
    only(request, "as_of")
    who = signed_in(request)
    return Json(door(request).reads.show(ref, as_of, reader=who.login))


@router.get("/cases/{ref}/history")
async def history(ref: str, request: Request) -> Response:
    only(request)
    who = signed_in(request)
    return Json(door(request).reads.history(ref, reader=who.login))


@router.get("/audit")
async def audit(request: Request, actor: str | None = None, case: str | None = None,
                since: str | None = None, until: str | None = None,
                limit: str | None = None) -> Response:
    only(request, "actor", "case", "since", "until", "limit")
    who = signed_in(request)
    return Json(door(request).reads.audit(actor, case, since, until, limit_of(limit),
                                          reader=who.login))


# -- signing off ---------------------------------------------------------------------------

@router.post("/cases/{ref}/approve")
async def approve(ref: str, body: Approval, request: Request) -> Response:
    only(request)
    who = writer(request)
    return Json(door(request).cases.approve(ref, who.login, body.comment, body.step))


@router.post("/cases/{ref}/veto")
async def veto(ref: str, body: Reasoned, request: Request) -> Response:
    only(request)
    who = writer(request)
    return Json(door(request).cases.veto(ref, who.login, body.reason, body.step))


@router.post("/cases/{ref}/return")
async def return_case(ref: str, body: Reasoned, request: Request) -> Response:
    only(request)
    who = writer(request)
    return Json(door(request).cases.return_case(ref, who.login, body.reason, body.step))


@router.post("/cases/{ref}/withdraw")
async def withdraw(ref: str, body: Withdrawal, request: Request) -> Response:
    only(request)
    who = writer(request)
    return Json(door(request).cases.withdraw(ref, who.login, body.reason))


@router.post("/recruitment", status_code=201)
async def recruitment(body: Application, request: Request) -> Response:
    only(request)
    who = writer(request)
    opened = door(request).cases.recruit_apply(body.class_, body.candidate, body.start,
                                               body.note, who.login)
    return Json(opened, status_code=201)
