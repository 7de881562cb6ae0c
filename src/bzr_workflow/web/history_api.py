"""The API's reads of the past (issue 22 item 3): a period's results as the office saw them at `as_of` (WEB.md `GET /api/v1/results`), imported results included."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..domain.errors import BadInput
from .api import Json, only
from .deps import ApiCaller, Door

router = APIRouter(prefix="/api/v1")


@router.get("/results")
def results(request: Request, app: Door, who: ApiCaller, period: str | None = None,
            unit: str | None = None, counts: str | None = None,
            as_of: str | None = None) -> Response:
    """`results --json`: the rows the caller may read (with `counts=true`, the counts per
    grade, for those who read a period's results); `as_of` as `--as-of` takes it."""
    only(request, "period", "unit", "counts", "as_of")
    if not period:
        raise BadInput("period is required (2026-2027 or 2026-2027-1)")
    if counts not in (None, "", "false", "0", "true", "1"):
        raise BadInput("counts {counts!r} must be true or false", counts=counts)
    if counts in ("true", "1"):
        return Json(app.reads.counts_for(who.login, period, unit or None, as_of))
    return Json(app.reads.results(period, unit or None, who.login, as_of).rows)
