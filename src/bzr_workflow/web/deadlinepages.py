"""The overdue page: the open steps past their time limit that the reader may read (linked from 待办)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .deps import Door, Reader
from .render import render

router = APIRouter(include_in_schema=False)


@router.get("/overdue")
def overdue(request: Request, app: Door, who: Reader) -> Response:
    labels = {kind: wf.label for kind, wf in app.policy().workflows.items()}
    return render(request, "overdue.html", who=who, rows=app.reads.overdue(who.login),
                  labels=labels)
