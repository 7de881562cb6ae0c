"""The advisor's page (/advisors/{login}): their record (考核登记表 / 业务档案) as the office files it, read by the advisor, those who appraise them, administrators and auditors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .deps import Door, Reader
from .render import render

router = APIRouter(include_in_schema=False)


@router.get("/advisors/{login}")
def advisor(login: str, request: Request, app: Door, who: Reader, as_of: str = "") -> Response:
    record = app.reads.advisor_record(login, as_of or None, reader=who.login)
    return render(request, "advisor.html", who=who, record=record, as_of=as_of)
