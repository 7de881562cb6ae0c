#!/usr/bin/env python3
"""Sets up ./.venv with the project and its test tools, then runs the demo or the test suite.

    python3 dev.py demo     # plays the demonstration on ./bzr-workflow.db, prints everybody's
                            # password, then serves it at http://127.0.0.1:8080 until Ctrl-C
    python3 dev.py demo --no-serve   # only plays (and prints the passwords)
    python3 dev.py test     # the whole test suite (PostgreSQL tests need BZR_WORKFLOW_TEST_PG)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def setup() -> None:
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".installed"
    sources = [ROOT / "pyproject.toml"]
    if not stamp.exists() or any(s.stat().st_mtime > stamp.stat().st_mtime for s in sources):
        print("Installing bzr-workflow and its test tools into .venv ...", flush=True)
        run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test,web]"])
        stamp.touch()
    warm()


def warm() -> None:
    """Writes the bytecode an installed wheel would carry (an editable install has none) and the
    dataclass-method cache, so that commands start fast even under PYTHONDONTWRITEBYTECODE."""
    marker = VENV / ".warm"
    sources = list((ROOT / "src").rglob("*.py"))
    if marker.exists() and all(s.stat().st_mtime <= marker.stat().st_mtime for s in sources):
        return
    if subprocess.call([str(BIN / "python"), "-c", "from bzr_workflow._codecache import warm;"
                        " warm()"], cwd=ROOT, stdout=subprocess.DEVNULL):
        return  # a cold start is slower, never wrong
    marker.touch()


def run(cmd: list[str]) -> None:
    code = subprocess.call(cmd, cwd=ROOT)
    if code:
        sys.exit(code)


def serve(cmd: list[str]) -> None:
    """Runs the server until Ctrl-C or SIGTERM, then exits with its code. The server has its own
    process group, so the one signal it gets is the one dev.py passes on (a second SIGINT would
    make uvicorn force its exit)."""
    server = subprocess.Popen(cmd, cwd=ROOT, process_group=0)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda caught, _: server.send_signal(caught))
    sys.exit(server.wait())


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what not in ("demo", "test", "setup"):
        sys.exit(__doc__)
    setup()
    if what == "demo":
        args = [arg for arg in sys.argv[2:] if arg != "--no-serve"]
        run([str(BIN / "bzr-workflow"), *args, "demo"])
        if "--no-serve" not in sys.argv[2:]:
            serve([str(BIN / "bzr-workflow"), *args, "serve", "--port", "8080"])
    elif what == "test":
        run([str(BIN / "python"), "-m", "pytest", *sys.argv[2:]])


if __name__ == "__main__":
    main()
