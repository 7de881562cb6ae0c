"""The API of take back (拿回) and reassign (转办): POST /api/v1/cases/{ref}/takeback and /reassign, answering the case as approve does."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import Field

from .api import Body, Json, only
from .deps import Door, Writer

router = APIRouter(prefix="/api/v1")


class TakeBack(Body):
    reason: str = Field(max_length=10_000)


class Reassignment(Body):
    to: str = Field(min_length=1, max_length=64)
    reason: str = Field(max_length=10_000)


@router.post("/cases/{ref}/takeback")
def takeback(ref: str, body: TakeBack, request: Request, app: Door, who: Writer) -> Response:
    """The caller takes back their own last sign-off while the next level has not acted."""
    only(request)
    return Json(app.handovers.take_back(ref, who.login, body.reason))


@router.post("/cases/{ref}/reassign")
def reassign(ref: str, body: Reassignment, request: Request, app: Door,
             who: Writer) -> Response:
    """An administrator hands the pending step to one holder of its role, who alone signs it."""
    only(request)
    return Json(app.handovers.reassign(ref, who.login, body.to, body.reason))
