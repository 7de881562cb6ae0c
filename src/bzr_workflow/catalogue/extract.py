"""Babel extractors (babel.cfg): refusal msgids from Python, `t("key")` labels from templates.

A refusal is a call of a domain error class whose first argument is a string literal; `N_("key")`
and `t("key")` mark labels. Used only by `pybabel extract` and the catalogue's tests."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import IO, Any

REFUSALS = {"WorkflowError", "RuleRefused", "StepNotAllowed", "AlreadySigned",
            "SeparationOfDuties", "LimitReached", "AlreadyExists", "BadInput", "NotFound",
            "NotPermitted", "SignInFailed", "AccountLocked", "Conflict", "IntegrityFailure",
            "StoreMissing", "StoreUnavailable", "NotEligible", "PolicyInvalid", "NotSignedIn",
            "Forbidden", "ViewsUnavailable", "TooManySignIns", "TooLarge", "Phrase", "type()",
            "__init__"}
MARKS = {"N_", "t"}
Found = tuple[int, str | None, str, list[str]]  # (line, function: None, msgid, comments)


def callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "type":
        return "type()"  # type(exc)("...", ...): a refusal of the same class as the one caught
    return func.attr if isinstance(func, ast.Attribute) else None


def messages_of(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, function, msgid) for every refusal and marked label in a Python source."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = callee(node)
        first = node.args[0]
        if (name in REFUSALS or name in MARKS) and isinstance(first, ast.Constant) \
                and isinstance(first.value, str) and first.value:
            yield node.lineno, str(name), first.value


def extract_python(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                   options: Any) -> Iterator[Found]:
    for line, name, msgid in sorted(messages_of(fileobj.read().decode("utf-8"))):
        yield line, None, msgid, []


TEMPLATE_KEY = re.compile(r"""\bt\(\s*(["'])([A-Za-z_][\w.]*)\1\s*[,)]""")


def extract_templates(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                      options: Any) -> Iterator[Found]:
    for number, line in enumerate(fileobj.read().decode("utf-8").splitlines(), 1):
        for match in TEMPLATE_KEY.finditer(line):
            yield number, None, match.group(2), []
