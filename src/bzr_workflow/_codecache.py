"""A bytecode cache for the methods `dataclasses` generates, so a command starts in milliseconds.

Every event class of every aggregate is a frozen dataclass; `dataclasses` writes its `__init__`,
`__eq__`, `__repr__`, `__setattr__`, ... as source text and compiles each with `exec`. For our
~150 event classes that compiling was about 70 ms of every command's start. The text of each
function is fully determined by the class, so, as `__pycache__` does for modules, we keep the
compiled code objects keyed by their exact source text in
`bzr_workflow/__pycache__/dataclass-fns.<cache_tag>.bin`. A hit executes the very code object
`compile` would have produced; anything unusual (an unreadable or foreign file, a non-text
argument) falls back to plain `exec`. Like Python's own bytecode the file is written only when
writing bytecode is allowed (not under PYTHONDONTWRITEBYTECODE), or by `warm()`,
which `dev.py setup` runs.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import importlib
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

# os.path, not pathlib, and tempfile only when writing: this module runs first in every command.
_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
_TAG = sys.implementation.cache_tag or "unknown"
PATH = os.path.join(_FOLDER, f"dataclass-fns.{_TAG}.bin")
_LIMIT = 5000  # entries; beyond this, stale texts from older code are dropped on the next save

_cache: dict[str, CodeType] | None = None
_used: set[str] = set()
_missed = False


def _load() -> dict[str, CodeType]:
    try:
        with open(PATH, "rb") as handle:
            if handle.read(len(importlib.util.MAGIC_NUMBER)) != importlib.util.MAGIC_NUMBER:
                return {}
            data = marshal.loads(handle.read())  # loads(bytes): load(file) reads in tiny pieces
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:
    global _cache, _missed
    if not isinstance(source, str):
        builtins.exec(source, globals, locals)
        return
    if _cache is None:
        _cache = _load()
    code = _cache.get(source)
    if code is None:
        code = compile(source, "<string>", "exec")
        _cache[source] = code
        _missed = True
    _used.add(source)
    builtins.exec(code, globals, locals)


def save(force: bool = False) -> bool:
    """Writes the cache if this process compiled anything new; True when a file was written."""
    if _cache is None or not (_missed or force) or (sys.dont_write_bytecode and not force):
        return False
    import tempfile

    keep = _cache if len(_cache) <= _LIMIT else {k: _cache[k] for k in _used}
    try:
        os.makedirs(_FOLDER, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=_FOLDER, prefix=".dataclass-fns.")
        os.chmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(importlib.util.MAGIC_NUMBER)
            marshal.dump(keep, handle)
        os.replace(temp, PATH)
    except OSError:
        return False
    return True


def install() -> None:
    """Routes `dataclasses`' own `exec` calls through the cache; idempotent."""
    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec  # type: ignore[attr-defined]
        atexit.register(save)


def warm() -> None:
    """Writes what an installed wheel carries and an editable install lacks: the package's
    bytecode, then this cache, after importing every module that defines dataclasses. Both are
    written whatever PYTHONDONTWRITEBYTECODE says (`dev.py setup` and the benchmarks run it)."""
    import compileall

    compileall.compile_dir(os.path.dirname(os.path.abspath(__file__)), quiet=1)
    install()
    for name in ("application", "cli", "projections"):
        importlib.import_module(f"bzr_workflow.{name}")

    print(f"dataclass cache: {PATH}" if save(force=True) else "dataclass cache: not writable")


