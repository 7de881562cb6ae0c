"""The API of delegation while away (WEB.md "Approval vocabulary"): POST, GET and DELETE /api/v1/delegations, the same JSON as `delegate --json`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ConfigDict, Field

from .api import Body, Json, only
from .deps import ApiCaller, Door, Writer

router = APIRouter(prefix="/api/v1")

SHORT = 64


class Delegating(Body):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: str = Field(min_length=1, max_length=SHORT)
    from_: str = Field(alias="from", min_length=1, max_length=32)
    until: str = Field(min_length=1, max_length=32)
    role: str | None = Field(default=None, max_length=SHORT)
    kind: str | None = Field(default=None, max_length=SHORT)


@router.post("/delegations", status_code=201)
def give(body: Delegating, request: Request, app: Door, who: Writer) -> Response:
    """`delegate --to --from --until [--role] [--kind]`: the caller names a deputy."""
    only(request)
    made = app.delegations.give(who.login, body.to, body.from_, body.until, body.role,
                                body.kind)
    return Json(made, status_code=201)


@router.get("/delegations")
def listing(request: Request, app: Door, who: ApiCaller) -> Response:
    """`delegate --list`: those the caller gave and received (administrators, auditors: all)."""
    only(request)
    return Json(app.delegations.listing(who.login))


@router.delete("/delegations/{id}")
def revoke(id: str, request: Request, app: Door, who: Writer) -> Response:
    """`delegate --revoke ID`: by the holder or an administrator."""
    only(request)
    return Json(app.delegations.revoke(who.login, id))
