"""The compiled-dataclass-method cache: a hit runs what compile() would give; a bad file is ignored."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow import _codecache as cc


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "__pycache__" / "dataclass-fns.test.bin"
    monkeypatch.setattr(cc, "_FOLDER", str(path.parent))
    monkeypatch.setattr(cc, "PATH", str(path))
    monkeypatch.setattr(cc, "_cache", None)
    monkeypatch.setattr(cc, "_used", set())
    monkeypatch.setattr(cc, "_missed", False)
    monkeypatch.setattr(dataclasses, "exec", cc._exec, raising=False)  # as the CLI installs it
    return path


def make_class() -> Any:
    @dataclasses.dataclass(frozen=True)
    class Signed:
        actor: str
        step: str = "site_review"
    return Signed


def test_dataclasses_compile_through_the_cache_and_behave_the_same(cache_file: Path) -> None:
    assert dataclasses.exec is cc._exec  # type: ignore[attr-defined]  # installed by the CLI
    first = make_class()
    assert cc._missed and cc.save(force=True) and cache_file.exists()
    cc._cache, cc._missed = None, False
    second = make_class()  # every method's text found in the file just written
    assert not cc._missed
    for cls in (first, second):
        signed = cls("zhang")
        assert (signed.actor, signed.step) == ("zhang", "site_review")
        assert signed == cls("zhang", "site_review") and repr(signed).endswith(
            "(actor='zhang', step='site_review')")
        with pytest.raises(dataclasses.FrozenInstanceError):
            signed.actor = "li"  # type: ignore[misc]


@pytest.mark.parametrize("content", [b"", b"garbage", importlib.util.MAGIC_NUMBER + b"\x00\x01",
                                     b"\x00\x00\x00\x00" + b"x" * 20])
def test_an_unreadable_or_foreign_cache_file_is_ignored(cache_file: Path, content: bytes) -> None:
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(content)
    assert cc._load() == {}
    assert make_class()("li").actor == "li"


def test_nothing_is_written_under_dont_write_bytecode(cache_file: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    make_class()
    assert not cc.save() and not cache_file.exists()


def test_only_the_command_line_entry_point_installs_the_cache() -> None:
    import subprocess
    import sys

    probe = ("import dataclasses, bzr_workflow.application, bzr_workflow.cli as c;"
             " print(hasattr(dataclasses, 'exec'));"
             " c.install_speedups(); print(hasattr(dataclasses, 'exec'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
