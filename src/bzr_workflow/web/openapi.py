"""The OpenAPI document of /api/v1 as the API answers: WEB.md's statuses, the `{error, code}` refusal, the bearer and cookie+CSRF schemes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object", "required": ["error", "code"], "additionalProperties": False,
    "properties": {
        "error": {"type": "string", "description": "One line saying why (never a traceback)."},
        "code": {"type": "integer", "enum": [1, 2, 3, 4],
                 "description": "The CLI's exit code for the same refusal (CLI.md)."}}}

SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API token (`user token USER`): no cookie, no CSRF token."},
    "session": {"type": "apiKey", "in": "cookie", "name": "bzr_session",
                "description": "The session cookie set by POST /api/v1/session."},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "The `csrf` of POST /api/v1/session: every write made with the"
                            " session cookie carries it."}}

REASONS = {
    "400": "Bad input (code 2): an unknown field or query value, a malformed value, a body"
           " that is not UTF-8.",
    "401": "Not signed in, a dead session or token, or a missing or wrong CSRF token (code 3).",
    "403": "Signed in but not permitted, or the case may not be read by the caller (code 3).",
    "404": "No such case, user or class (code 2).",
    "409": "Another writer changed the record first; nothing was written (code 4).",
    "422": "Refused by a rule of the policy or the workflow (code 1).",
    "413": "A body above 1 MiB, or attached files above their caps (10 MiB a file, 25 MiB a"
           " request) (code 2).",
    "423": "Too many failed sign-ins: the name is locked for a while (code 3).",
    "500": "The store failed its integrity check or could not be reached (code 5 or 1).",
}


READ_RULED = ("/api/v1/exports/",)
"""GET paths the reading rule may refuse (403) though they name no case: the documents."""
UPLOADS = {"/api/v1/cases/{ref}/summary"}  # multipart bodies with files: their own caps (413)
NAMING = {"/api/v1/appraisals", "/api/v1/delegations/{id}"}
"""Bodies (or ids) naming people, classes or delegations that may not exist (404)."""
FINDING = {"/api/v1/awards", "/api/v1/cases", "/api/v1/delegations"}
"""Paths whose writes name a person or class that may not exist (404)."""
OFFICE_READS = {"/api/v1/allowance", "/api/v1/notices"}
"""Reads refused to some signed-in callers (the allowance is the office's)."""


def _statuses(method: str, path: str) -> list[str]:
    """The refusals an operation can answer (WEB.md's table, by what the operation does)."""
    if path == "/api/v1/session" and method == "post":
        return ["400", "401", "423", "500"]
    found = ["400", "401", "500"]
    if "{ref}" in path or method != "get" or path.startswith(READ_RULED):
        found += ["403"]
    if "{ref}" in path or path in NAMING or (path in FINDING and method == "post"):
        found += ["404"]
    if path in OFFICE_READS and method == "get":
        found += ["403"]
    if method in ("post", "put", "patch", "delete") and path != "/api/v1/session":
        found += ["409", "422"]
    if method == "post" and path in UPLOADS:
        found += ["413"]
    return sorted(found)


def _security(method: str, path: str) -> list[dict[str, list[str]]]:
    if path == "/api/v1/session" and method == "post":
        return []  # signing in: nobody yet
    if method == "get":
        return [{"bearer": []}, {"session": []}]
    return [{"bearer": []}, {"session": [], "csrf": []}]


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with its 422 `{detail}` (which the API never sends: a validation
    failure is a 400 refusal) replaced by what the API does answer."""
    doc = get_openapi(title=app.title, version=app.version, routes=app.routes,
                      description="The JSON API of WEB.md: refusals are `{error, code}`.")
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas[ERROR] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {}).update(SCHEMES)
    refusal = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = operation["responses"]
            answers.pop("422", None)
            for status in _statuses(method, path):
                answers[status] = {"description": REASONS[status], "content": refusal}
            operation["security"] = _security(method, path)
    return doc


def install(app: FastAPI) -> None:
    """Serve `document(app)` (made once) at the app's openapi_url."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
