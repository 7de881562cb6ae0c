"""The one catalogue: every message id in both languages, the compiled .mo files as the .po says,
no refusal raised from a bare English string, and rendering in the reader's language."""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import bzr_workflow
from bzr_workflow import catalogue
from bzr_workflow.catalogue.extract import REFUSALS, callee, extract_templates, messages_of
from bzr_workflow.domain.errors import (BadInput, NotPermitted, Phrase, StepNotAllowed,
                                        WorkflowError)

SRC = Path(bzr_workflow.__file__).parent
LOCALE = Path(catalogue.LOCALE_DIR)
LANG_DIRS = ("zh_CN", "en")


def po(lang: str) -> Catalog:
    with open(LOCALE / lang / "LC_MESSAGES" / "bzr_workflow.po", "rb") as f:
        return read_po(f)


def template_ids() -> set[str]:
    with open(LOCALE / "bzr_workflow.pot", "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def is_label(msgid: str) -> bool:
    """A page label's msgid is a dotted key (`nav.inbox`); a refusal's is its English text."""
    return " " not in msgid and "." in msgid.strip(".") and "{" not in msgid


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def source_ids() -> dict[str, str]:
    """Every msgid the source raises, marks or a template asks for: msgid -> where."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for line, _, msgid in messages_of(path.read_text("utf-8")):
            found.setdefault(msgid, f"{path.relative_to(SRC)}:{line}")
    for path in sorted((SRC / "web" / "templates").rglob("*.html")):
        for line, _, msgid, _ in extract_templates(io.BytesIO(path.read_bytes()), {}, [], {}):
            found.setdefault(msgid, f"{path.relative_to(SRC)}:{line}")
    return found


def test_every_message_id_has_a_chinese_translation_and_an_english_rendering() -> None:
    zh, en = {m.id: m.string for m in po("zh_CN")}, {m.id: m.string for m in po("en")}
    for msgid in template_ids():
        assert zh.get(msgid), f"no zh_CN translation of {msgid!r}"
        assert zh[msgid] != msgid, f"the zh_CN translation of {msgid!r} is the English"
        assert msgid in en, f"{msgid!r} is missing from the en catalogue"
        if is_label(msgid):
            assert en[msgid], f"label {msgid!r} has no English text"
        assert catalogue.text(msgid, "zh-CN") == zh[msgid]
        assert catalogue.text(msgid, "en") == (en[msgid] or msgid)


def test_the_template_holds_every_message_the_source_uses_and_no_other() -> None:
    used, held = source_ids(), template_ids()
    assert not set(used) - held, {m: used[m] for m in set(used) - held}
    assert not held - set(used), held - set(used)


def test_each_language_catalogue_holds_exactly_the_template() -> None:
    for lang in LANG_DIRS:
        assert {m.id for m in po(lang) if m.id} == template_ids(), lang


def test_the_committed_mo_files_are_the_po_files_compiled() -> None:
    for lang in LANG_DIRS:
        source = po(lang)
        compiled = io.BytesIO()
        write_mo(compiled, source)
        with open(LOCALE / lang / "LC_MESSAGES" / "bzr_workflow.mo", "rb") as f:
            committed = read_mo(f)
        compiled.seek(0)
        fresh = read_mo(compiled)
        assert {m.id: m.string for m in committed if m.id} == \
            {m.id: m.string for m in fresh if m.id}, f"{lang}: run pybabel compile"


def test_placeholders_in_every_translation_are_those_of_its_message_id() -> None:
    for lang in LANG_DIRS:
        for message in po(lang):
            if message.id and message.string:
                assert fields(message.string) == fields(message.id), (lang, message.id)


def all_refusal_classes() -> set[type]:
    for info in pkgutil.walk_packages(bzr_workflow.__path__, "bzr_workflow."):
        importlib.import_module(info.name)
    seen: set[type] = set()
    todo: list[type] = [WorkflowError]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_the_extractor_knows_every_refusal_class() -> None:
    assert {cls.__name__ for cls in all_refusal_classes()} <= REFUSALS


def test_nothing_raises_a_refusal_from_a_bare_string_or_an_f_string() -> None:
    held = template_ids()
    names = {cls.__name__ for cls in all_refusal_classes()} | {"Phrase", "type()"}
    own_init = {"PolicyInvalid"}  # takes (source, problems); its __init__ passes a literal msgid
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or callee(node) not in names | {"__init__"}:
                continue
            if callee(node) in own_init or (callee(node) == "__init__" and not node.args):
                continue
            if callee(node) == "__init__" and path.name != "policy_file.py":
                continue
            first = node.args[0] if node.args else None
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                wrong.append(f"{where}: not a string literal")
            elif first.value not in held:
                wrong.append(f"{where}: {first.value!r} is not in the catalogue")
            elif any(k.arg is None for k in node.keywords):
                wrong.append(f"{where}: params as **mapping")
    assert not wrong, "\n".join(wrong)


def test_a_refusal_is_its_english_text_and_keeps_its_id_and_params() -> None:
    exc = StepNotAllowed("{ref} is {state} ({action} by {actor}); nothing is pending",
                         ref="R-1", state="vetoed", action="vetoed", actor="wang")
    assert str(exc) == "R-1 is vetoed (vetoed by wang); nothing is pending"
    assert exc.msgid.startswith("{ref} is {state}") and exc.params["actor"] == "wang"
    assert exc.exit_code == 1


def test_a_refusal_renders_in_chinese_with_its_recorded_words_as_labels() -> None:
    exc = StepNotAllowed("{ref} is {state} ({action} by {actor}); nothing is pending",
                         ref="R-1", state="vetoed", action="vetoed", actor="wang")
    assert catalogue.say(exc, "zh-CN") == "R-1 已否决（wang 否决），没有待办理的环节"
    assert catalogue.say(exc, "en") == str(exc)


def test_nested_refusals_and_phrases_render_in_the_same_language() -> None:
    inner = BadInput("total {text!r} is not a number", text="x")
    exc = BadInput("{where}: {exc}", where=Phrase("{path}: row {n}", path="a.csv", n=3), exc=inner)
    assert str(exc) == "a.csv: row 3: total 'x' is not a number"
    assert catalogue.say(exc, "zh-CN") == "a.csv：第 3 行：总分 'x' 不是数字"


def test_a_message_the_catalogue_does_not_hold_shows_as_its_english() -> None:
    exc = NotPermitted("{who} may not {what}", who="li", what="fly")
    assert catalogue.say(exc, "zh-CN") == "li may not fly"


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh-CN"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LANG": "C.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh-CN"),
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_TW.UTF-8"}, "zh-CN"), ({"LANG": "en_GB.UTF-8"}, "en")])
def test_the_command_line_speaks_chinese_when_the_locale_is_zh(env: dict[str, str],
                                                               lang: str) -> None:
    assert catalogue.cli_language(env) == lang


def test_page_labels_come_from_the_catalogue_with_their_defaults() -> None:
    zh, en = catalogue.translator("zh-CN"), catalogue.translator("en")
    assert (zh("nav.inbox"), en("nav.inbox")) == ("待办", "Inbox")
    assert (zh("action.upheld"), zh("action.rebuilt"), zh("action.result recorded")) == \
        ("异议成立", "重建视图", "记录考核结果")
    assert zh("action.someday", "someday") == "someday" and en("no.such") == "no.such"
    assert zh("veto", "veto") == "veto" and zh("none") == "none"  # logins are not messages
