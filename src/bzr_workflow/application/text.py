"""Free text from users checked once at the boundary: length, control characters, invisible and direction marks."""

from __future__ import annotations

import re

from ..domain.errors import BadInput
from ..domain.logins import fold

MAX_TEXT = 4000
MAX_NAME = 200
# C0 controls but tab and newline, DEL, C1 controls; the zero-width characters and direction
# marks (U+200B-U+200F), the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069) and the byte-order mark, which make a record read differently from what it
# stores or hide a difference between two names; the line and paragraph separators (U+2028,
# U+2029), which split a line where no newline is seen; and the tag characters
# (U+E0000-U+E007F), which carry invisible text.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                       "\u2066-\u2069\ufeff\U000e0000-\U000e007f]")


def checked(value: str | None, what: str, limit: int = MAX_TEXT) -> str:
    bad = FORBIDDEN.search(value or "")  # before stripping: U+2028 at an end is refused too
    if bad:
        raise BadInput("{what} contains the control or invisible character U+{code:04X}; remove "
                       "it", what=what, code=ord(bad.group()))
    text = (value or "").strip()
    if len(text) > limit:
        raise BadInput("{what} is {length} characters long; at most {limit} are kept", what=what,
                       length=len(text), limit=limit)
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
