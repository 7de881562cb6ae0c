"""The package as a user installs it: the CI's wheel check passes on this checkout, and `serve`
without the web stack says in one line how to install it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_environment_serves_the_sign_in_page_and_its_stylesheet(
) -> None:
    done = subprocess.run([str(ROOT / ".ci" / "wheel-check"), sys.executable],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "wheel-check: passed" in done.stdout
    assert "/login 200" in done.stdout and "site.css 200" in done.stdout


@pytest.mark.parametrize("hidden", ["uvicorn", "fastapi", "jinja2"])
def test_serve_without_the_web_stack_says_how_to_install_it_and_exits_2(
        tmp_path: Any, hidden: str) -> None:
    script = (f"import sys; sys.modules[{hidden!r}] = None\n"
              "from bzr_workflow.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", script, "--db", str(tmp_path / "s.db"),
                           "serve", "--port", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and hidden in lines[0] and "pip install" in lines[0], done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
