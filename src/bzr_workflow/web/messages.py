"""The reader's language (zh-CN by default) and the web's words for it, from the one catalogue
(bzr_workflow.catalogue: page labels as dotted keys, refusals by their msgid)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from .. import catalogue
from ..catalogue import LANGS
from ..domain.errors import WorkflowError

LANG_COOKIE = "bzr_lang"
__all__ = ["LANGS", "LANG_COOKIE", "headline", "language", "say", "translator"]


def headline(exc: Exception) -> str:
    """The message key of a refusal's headline: its own class's, or its nearest ancestor's."""
    for cls in type(exc).__mro__:
        if catalogue.known(f"err.{cls.__name__}"):
            return f"err.{cls.__name__}"
    return "err.WorkflowError"


def language(request: Request) -> str:
    """`?lang=`, then the switch's cookie, then the browser's Accept-Language; zh-CN by default."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGS:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


def translator(lang: str) -> Callable[..., str]:
    """The templates' `t(key, default)`."""
    return catalogue.translator(lang)


def say(lang: str) -> Callable[[WorkflowError], str]:
    """The templates' `say(refusal)`: the engine's refusal as one line in `lang`."""
    return lambda exc: catalogue.say(exc, lang)
