"""What a login is: its one canonical form (NFKC, case-folded) and its look-alike skeleton.

`Admin`, `ADMIN` and the full-width `ａｄｍｉｎ` are one login, `admin`: every login the engine
is given (`user add`, `import users`, `--as`, signing in on the web) is folded before it is
looked up or stored. A login that merely *looks* like another (`аdmin` with a Cyrillic а, `αdmin`
with a Greek alpha) has the same skeleton, which Unicode TR39 calls being confusable: a new login
is refused when its skeleton is an existing login's, and a login mixing Latin letters with
Cyrillic or Greek ones is refused outright (no real name is spelt so). Chinese logins (张三),
pinyin and digits mix freely. Latin look-alikes count too (TR39 again, for the letters and
digits a login may use): `sh1` and `shl`, `admin` and `adrnin`, `vvang` and `wang`, `0` and `o`
are one skeleton. (A capital `I`, TR39's look-alike of `l`, never reaches a stored login: it
folds to `i`, which is drawn with its dot.)"""

from __future__ import annotations

import unicodedata

from .errors import BadInput

# Cyrillic and Greek letters (after case folding) drawn like a Latin one: the part of Unicode's
# confusables.txt (TR39) that matters for logins of letters, digits, '.', '-' and '_'.
_LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ү": "y", "з": "3",
    "ь": "b", "п": "n", "и": "u",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "δ": "d", "ε": "e", "η": "n", "ι": "i", "ϳ": "j", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ζ": "z",
    "μ": "u", "σ": "o", "ς": "c",
}
# Latin (and digit) look-alikes, TR39's for what logins may hold: single characters first, then
# the letters drawn as two (`m` as `rn`), spelt out the long way so that `vvv` and `wv` agree.
_LATIN_SINGLE = {"0": "o", "1": "l", "ı": "i", "ɩ": "i", "ɑ": "a", "ǀ": "l", "ℓ": "l"}
_LATIN_PAIRS = (("m", "rn"), ("w", "vv"), ("d", "cl"))
_SKELETON = str.maketrans({**_LOOK_ALIKES, **_LATIN_SINGLE})


def fold(login: str) -> str:
    """The canonical form of a login: NFKC, case-folded (`Admin`, `ａｄｍｉｎ` → `admin`)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", login or "").casefold())


def skeleton(login: str) -> str:
    """What a login looks like: its folded form with Cyrillic and Greek look-alikes drawn as
    the Latin letters they imitate (`аdmin` with a Cyrillic а → `adrnin`), digits as the
    letters they imitate (`sh1` → `shl`), and `m`, `w`, `d` as the pairs drawn like them (`rn`,
    `vv`, `cl`). Only ever compared with another skeleton, never shown or stored."""
    drawn = fold(login).translate(_SKELETON)
    for letter, pair in _LATIN_PAIRS:
        drawn = drawn.replace(letter, pair)
    return drawn


def script(ch: str) -> str:
    """'latin', 'cyrillic', 'greek' for a letter of those scripts; '' for anything else."""
    if not ch.isalpha():
        return ""
    name = unicodedata.name(ch, "")
    for known in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(known):
            return known.lower()
    return ""


def check_single_script(login: str) -> None:
    """Refuse a login mixing Latin, Cyrillic and Greek letters (`аdmin`): only a spoof does."""
    scripts = sorted({script(ch) for ch in login} - {""})
    if len(scripts) > 1:
        odd = next(ch for ch in login if script(ch) == scripts[0])
        raise BadInput("user {login!r} mixes {scripts} letters (such as {odd!r}, U+{code:04X}): "
                       "write a login in one script", login=login, scripts=' and '.join(scripts),
                       odd=odd, code=ord(odd))
