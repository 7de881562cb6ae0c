"""Free text from users checked once at the boundary: length, control characters, bidi overrides."""

from __future__ import annotations

import re

from ..domain.errors import BadInput
from ..domain.logins import fold

MAX_TEXT = 4000
MAX_NAME = 200
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
# that make a record read differently from what it stores.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def checked(value: str | None, what: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise BadInput("{what} is {length} characters long; at most {limit} are kept", what=what,
                       length=len(text), limit=limit)
    bad = FORBIDDEN.search(text)
    if bad:
        raise BadInput("{what} contains the control character U+{code:04X}; remove it", what=what,
                       code=ord(bad.group()))
    return text


def checked_name(value: str | None, what: str) -> str:
    text = checked(value, what, MAX_NAME)
    if not text or "\n" in text or "\t" in text:
        raise BadInput("{what} must be one line of 1-{MAX_NAME} characters", what=what,
                       MAX_NAME=MAX_NAME)
    return text


def typed_login(text: str) -> str:
    """A login as typed (`--as ADMIN`, `ａｄｍｉｎ`) in its one stored form: NFKC, case-folded
    (domain/logins); what the faces use before a store is open to ask (`app.user`)."""
    return fold(text)
