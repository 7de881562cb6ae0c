"""Every refusal as WEB.md's `{"error", "code"}` (and its `message_id`) with its HTTP status, in
the reader's language (Chinese unless Accept-Language or the language cookie asks for English);
never a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import catalogue
from ..application.app import translate_storage_error
from .messages import language
from ..domain.errors import (AccountLocked, BadInput, Conflict, IntegrityFailure, NotFound,
                             NotPermitted, SignInFailed, TooLarge, WorkflowError)


class NotSignedIn(NotPermitted):
    """No session, a dead one, a bad API token, or a missing or wrong CSRF token (HTTP 401)."""


class TooManySignIns(NotPermitted):
    """Too many failed sign-ins from one address lately (HTTP 429, code 3)."""


class Forbidden(NotPermitted):
    """Signed in, but not permitted (HTTP 403)."""


def status_of(exc: WorkflowError) -> int:
    """WEB.md's table: the HTTP status for a refusal (its `code` is the CLI's exit code)."""
    if isinstance(exc, AccountLocked):
        return 423
    if isinstance(exc, TooManySignIns):
        return 429
    if isinstance(exc, (NotSignedIn, SignInFailed)):
        return 401
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, BadInput):
        return 400
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, IntegrityFailure):
        return 500
    return 422


def refusal(exc: WorkflowError, lang: str = catalogue.DEFAULT) -> JSONResponse:
    """The refusal's one line in `lang`, its exit code and its msgid (the same in every
    language: what a program matches on)."""
    return JSONResponse({"error": catalogue.say(exc, lang) or "refused", "code": exc.exit_code,
                         "message_id": exc.msgid}, status_code=status_of(exc))


def bad_input(text: str) -> JSONResponse:
    return JSONResponse({"error": _line(text), "code": BadInput.exit_code}, status_code=400)


def _line(text: str) -> str:
    return (text.strip().splitlines() or ["refused"])[0]


def install(app: FastAPI) -> None:
    """Refusals, validation failures and anything unexpected, each as one JSON line."""

    @app.exception_handler(WorkflowError)
    async def _refused(request: Request, exc: WorkflowError) -> JSONResponse:
        return refusal(exc, language(request))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return bad_input(f"{where}: {first.get('msg', 'invalid')}" if where else
                         str(first.get("msg", "invalid request")))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = BadInput.exit_code if exc.status_code < 500 else 1
        return JSONResponse({"error": _line(str(exc.detail)), "code": code},
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        translated = translate_storage_error(exc)
        if type(exc).__module__.startswith("eventsourcing"):
            return refusal(translated, language(request))
        return JSONResponse({"error": f"internal error: {type(exc).__name__}", "code": 1},
                            status_code=500)
