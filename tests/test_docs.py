"""The documentation site: `mkdocs build --strict` passes (no broken link, missing image or page
left out of the navigation), and every relative link of the README reaches a file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_docs_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    if os.environ.get("CI", "").lower() != "true":  # CI installs the test extra: never skip
        pytest.importorskip("mkdocs")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
                            "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir",
                            str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr[-4000:]
    assert "WARNING" not in built.stderr, built.stderr[-4000:]
    assert (tmp_path / "site" / "guide" / "office" / "index.html").is_file()


def test_every_relative_link_of_the_readme_reaches_a_file() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    targets = [t for t in LINK.findall(readme) if "://" not in t]
    assert targets, "the README links into docs/"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, missing
