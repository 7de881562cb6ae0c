"""The batch page (批量签署), linked from the inbox: choose cases with their key figures, confirm exactly those, sign each as if alone, see what was signed and what refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from .deps import Door, Poster, Reader
from .messages import language, say
from .render import render

router = APIRouter(include_in_schema=False)


def chosen(values: list[str]) -> dict[str, int]:
    """The form's `case` values, each `REF:VERSION` (the version the case was shown at);
    anything else is left out (a hand-made form chooses nothing by it)."""
    out: dict[str, int] = {}
    for value in values:
        ref, _, version = value.rpartition(":")
        if ref and version.isdigit():
            out[ref] = int(version)
    return out


@router.get("/batch")
def batch_page(request: Request, app: Door, who: Reader) -> Response:
    """Every case the reader may sign now, each with a checkbox."""
    return render(request, "batch.html", who=who, stage="choose",
                  rows=app.batches.desk(who.login))


@router.post("/batch/confirm")
def batch_confirm(request: Request, app: Door, who: Poster,
                  case: list[str] = Form(default=[]), comment: str = Form("")) -> Response:
    """Exactly the chosen cases, as they stand now: those the form carries on are signed only
    at the version shown here; a case that changed since it was chosen, or no longer awaits
    the reader, is shown apart and not carried on."""
    picked = chosen(case)
    rows = [r for r in app.batches.desk(who.login) if r["id"] in picked]
    ready = [r for r in rows if r["version"] == picked[r["id"]]]
    here = {r["id"] for r in ready}
    gone = [ref for ref in picked if ref not in here]
    return render(request, "batch.html", who=who, stage="confirm", rows=ready, gone=gone,
                  comment=comment)


@router.post("/batch/sign")
def batch_sign(request: Request, app: Door, who: Poster, case: list[str] = Form(default=[]),
               comment: str = Form("")) -> Response:
    """Sign the confirmed cases, each only at the version the confirmation showed (a case
    changed since is refused with exit code 4, 409: it was not what the reader saw)."""
    picked = chosen(case)
    if not picked:
        return render(request, "batch.html", 400, who=who, stage="choose",
                      rows=app.batches.desk(who.login), nothing=True)
    done = app.batches.approve(list(picked), who.login, comment or None, shown=picked)
    result: dict[str, Any] = done.as_json(say(language(request)))
    return render(request, "batch.html", who=who, stage="done", result=result)
