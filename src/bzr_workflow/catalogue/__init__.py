"""Every message in zh-CN and English: one gettext catalogue (locale/*/LC_MESSAGES/bzr_workflow)
renders refusals (a msgid and its params) and the web's labels at the edges.

The msgid of a refusal is its English source text with `{named}` placeholders; a label's msgid
is a dotted key (`nav.inbox`, `action.approved`) whose English is in the en catalogue. The .mo
files are read with the standard library's gettext, once per language and only when a message
is shown, so a command that succeeds never loads them. docs/catalogue.md says how to add one."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

    from ..domain.errors import WorkflowError

DOMAIN = "bzr_workflow"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
LANGS = ("zh-CN", "en")
DEFAULT = "zh-CN"
_CODES = {"zh-CN": "zh_CN", "en": "en"}

# A param of these names holding a recorded word (`vetoed`, `closed`) is shown as its label.
LABELLED = {"state": "state.", "action": "action.", "last_action": "action.",
            "outcome": "outcome."}


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    import gettext  # on the message path only: a command that succeeds in English never needs it

    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[_CODES.get(lang, "en")],
                               fallback=True)


def text(msgid: str, lang: str) -> str:
    """The msgid in `lang`; the msgid itself where the catalogue has no translation."""
    return _catalogue(lang).gettext(msgid)


def known(msgid: str, lang: str = DEFAULT) -> bool:
    return _catalogue(lang).gettext(msgid) != msgid


def render(msgid: str, params: Mapping[str, object], lang: str) -> str:
    """The message in `lang` with its placeholders filled; a nested refusal is rendered in the
    same language, a labelled word (state, action) as its label. A translation that does not
    format falls back to the English source text."""
    from ..domain.errors import Phrase, WorkflowError

    translated = text(msgid, lang)
    if not params:
        return translated
    values: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, (WorkflowError, Phrase)):
            value = render(value.msgid, value.params, lang)
        elif key in LABELLED and isinstance(value, str) and lang != "en":
            label = LABELLED[key] + value
            value = text(label, lang) if known(label, lang) else value
        values[key] = value
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**values)


def say(exc: WorkflowError, lang: str) -> str:
    """A refusal as one line in `lang`."""
    line = render(exc.msgid, exc.params, lang) if exc.msgid else str(exc)
    return (line.strip().splitlines() or [""])[0]


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The command line's language: Chinese when LC_ALL, LC_MESSAGES or LANG (the first one
    set, POSIX's order) is zh_*, English otherwise."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    return "en"


def translator(lang: str) -> Callable[..., str]:
    """The web templates' `t(key, default)`: the label in `lang`, else `default` (else the key).
    Only a dotted key is looked up, so a login or a word shown through `t` (a user named `veto`)
    is never taken for a message."""
    catalogue = _catalogue(lang)

    def t(key: str, default: str | None = None) -> str:
        found = catalogue.gettext(key) if "." in key and "{" not in key else key
        if found != key:
            return found
        return key if default is None else default
    return t


def N_(msgid: str) -> str:  # noqa: N802 - gettext's name for "mark for extraction only"
    """Marks a msgid for `pybabel extract` where it is built at run time (`"action." + x`)."""
    return msgid
