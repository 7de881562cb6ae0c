"""The CLI as an API client (`--server URL` with BZR_WORKFLOW_TOKEN): requests to /api/v1, answers and refusals as the CLI's own."""

from __future__ import annotations

import json
from typing import Any

from ..domain.errors import BadInput

TOKEN_ENV = "BZR_WORKFLOW_TOKEN"
TIMEOUT = 60.0


class Remote:
    """One server's /api/v1, acting as the owner of `token` (never a name the CLI states).
    Standard library only: the client adds no dependency to the installed tool."""

    def __init__(self, server: str, token: str) -> None:
        import urllib.parse  # here: a command that opens the store never parses a URL

        parts = urllib.parse.urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadInput("--server {server} must be the web server's address, like "
                           "https://bzr.example.edu.cn", server=server)
        if not token:
            raise BadInput("--server needs the API token in {TOKEN_ENV}: the server acts as the "
                           "token's owner (an administrator issues one with `user token`)",
                           TOKEN_ENV=TOKEN_ENV)
        self.base = server.rstrip("/") + "/api/v1"
        self.token = token

    def get(self, path: str, **query: Any) -> Any:
        return self.call("GET", path, query)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.call("POST", path, body=body)

    def call(self, method: str, path: str, query: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None) -> Any:
        """The answer's JSON; a refusal is raised as the CLI's one line with the exit code the
        API's `code` carries."""
        import urllib.parse
        import urllib.error  # urllib.request (http.client, ssl, email): only a remote command's
        import urllib.request

        from . import Refusal

        asked = {k: str(v) for k, v in (query or {}).items() if v is not None}
        url = self.base + path + (f"?{urllib.parse.urlencode(asked)}" if asked else "")
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   **({"Content-Type": "application/json"} if data is not None else {})}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
                raw = answer.read()
        except urllib.error.HTTPError as refused:
            raise _refusal(refused.code, refused.read(), url) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Refusal(f"cannot reach the server {self.base}: {reason}", 4) from None
        try:
            return json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            raise Refusal(f"the server answered {url} with something not JSON", 1) from None


def _refusal(status: int, raw: bytes, url: str) -> Exception:
    """The API's {error, code} as the CLI's refusal; anything else named by its status."""
    from . import Refusal

    try:
        body = json.loads(raw.decode("utf-8"))
        error, code = str(body["error"]), int(body["code"])
    except (ValueError, KeyError, TypeError):
        return Refusal(f"the server refused {url} with HTTP {status}", 3 if status in (401, 403)
                       else 4 if status >= 500 else 1)
    return Refusal(" ".join(error.split()), code if 1 <= code <= 5 else 1)


def quoted(ref: str) -> str:
    """A case reference as one path segment."""
    import urllib.parse

    return urllib.parse.quote(ref, safe="")
