"""The console script's resident worker (launch.py, cli/resident.py): a command handed over
answers exactly as one run in its own process, in the caller's place; a signal or a kill of the
caller reaches the command; anything amiss runs the command in the caller's process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bzr_workflow import launch
from clirun import ok, organise

SCRIPT = Path(sys.prefix) / "bin" / "bzr-workflow"


@pytest.fixture
def sockets() -> Iterator[Path]:
    """A private folder of sockets (short: a Unix socket's path has ~100 bytes), and every
    worker started in it stopped afterwards."""
    base = Path(tempfile.mkdtemp(prefix="rs", dir="/tmp"))
    yield base
    for lock in base.rglob("*.lock"):
        text = lock.read_text().strip()
        if text:
            try:
                os.kill(int(text), signal.SIGTERM)
            except ProcessLookupError:
                pass
    shutil.rmtree(base, ignore_errors=True)


def env_for(sockets: Path, mode: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("BZR_WORKFLOW_") and k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    env.update({"BZR_WORKFLOW_RESIDENT": mode, "BZR_WORKFLOW_RESIDENT_DIR": str(sockets),
                "BZR_WORKFLOW_RESIDENT_TRACE": str(sockets / "trace"), **more})
    return env


def run(sockets: Path, mode: str, *args: str, cwd: Path | None = None, stdin: str = "",
        **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], env=env_for(sockets, mode, **env), cwd=cwd,
                          input=stdin, capture_output=True, text=True, timeout=120)


def traced(sockets: Path) -> list[str]:
    path = sockets / "trace"
    return path.read_text().splitlines() if path.exists() else []


def answer(done: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return done.returncode, done.stdout, done.stderr


def test_commands_handed_over_answer_as_those_run_here(tmp_path: Path, sockets: Path) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    commands = [("--db", db, "show", ref), ("--db", db, "--json", "show", ref),
                ("--db", db, "--as", "zhang", "inbox"), ("--db", db, "--as", "li", "inbox"),
                ("--db", db, "audit", ref),  # refused: exit 2 and one line
                ("--db", db, "show", "R-404"), ("--db", db, "--as", "huang", "approve", ref),
                ("--help",), ("show", "--help"), ("--db", db, "no-such-command")]
    for args in commands:
        here = run(sockets, "0", *args)
        there = run(sockets, "wait", *args)
        assert answer(there) == answer(here), args
    kinds = [line.split()[0] for line in traced(sockets)]
    assert kinds == ["here", "resident"] * len(commands)
    workers = {line.split()[1] for line in traced(sockets) if line.startswith("resident")}
    assert len(workers) == len(commands)  # a child each, forked from one worker
    assert len(list(sockets.glob("*/*.sock"))) == 1

    for lang in ("zh_CN.UTF-8", "en_US.UTF-8", "zh_CN.UTF-8"):  # the caller's language each time
        here = run(sockets, "0", "--db", db, "show", "R-404", LANG=lang)
        there = run(sockets, "wait", "--db", db, "show", "R-404", LANG=lang)
        assert answer(there) == answer(here) and there.returncode == 2
    chinese, english = (run(sockets, "wait", "--db", db, "show", "R-404", LANG=lang).stderr
                        for lang in ("zh_CN.UTF-8", "en_US.UTF-8"))
    assert chinese != english and not chinese.isascii() and english.isascii()

    approved = run(sockets, "wait", "--db", db, "--as", "zhang", "--json", "approve", ref)
    assert approved.returncode == 0 and '"college_approval"' in approved.stdout
    assert ok(db, "show", ref)["step"] == "college_approval"  # written before the exit status


def test_the_callers_folder_environment_and_stdin(tmp_path: Path, sockets: Path) -> None:
    organise(str(tmp_path / "advisors.db"))
    shown = run(sockets, "wait", "--json", "show", "R-404", cwd=tmp_path,
                BZR_WORKFLOW_DB="advisors.db")  # relative to the caller's folder
    assert shown.returncode == 2 and "R-404" in shown.stderr
    done = run(sockets, "wait", "user", "passwd", "zhang", cwd=tmp_path, stdin="long enough 1\n",
               BZR_WORKFLOW_DB="advisors.db", BZR_WORKFLOW_ACTOR="admin")
    assert done.returncode == 0 and "password" in done.stdout and "zhang" in done.stdout, done.stderr
    short = run(sockets, "wait", "user", "passwd", "zhang", cwd=tmp_path, stdin="short\n",
                BZR_WORKFLOW_DB="advisors.db", BZR_WORKFLOW_ACTOR="admin")
    assert short.returncode == 2 and short.stdout == ""
    assert [line.split()[0] for line in traced(sockets)] == ["resident"] * 3


def blocked(sockets: Path, tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str], int]:
    """`user passwd` waiting for its line on a pipe nobody writes; the pid running it. (A
    process group of its own, in this session: a stop signal is not dropped as it is for an
    orphaned group.)"""
    organise(str(tmp_path / "advisors.db"))
    proc = subprocess.Popen([str(SCRIPT), "user", "passwd", "zhang"], cwd=tmp_path,
                            process_group=0,
                            env=env_for(sockets, mode, BZR_WORKFLOW_DB="advisors.db",
                                        BZR_WORKFLOW_ACTOR="admin"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    for _ in range(600):
        lines = traced(sockets)
        if lines:
            break
        time.sleep(0.05)
    assert lines
    runner = int(lines[0].split()[1]) if lines[0].startswith("resident") else proc.pid
    time.sleep(1.5)  # the command reaches its read of stdin
    return proc, runner


@pytest.mark.parametrize("mode", ["wait", "0"])
def test_ctrl_c_reaches_the_command(tmp_path: Path, sockets: Path, mode: str) -> None:
    proc, _ = blocked(sockets, tmp_path, mode)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err.strip().splitlines()[-1]) == (1, "", "error: aborted")


@pytest.mark.parametrize("mode", ["wait", "0"])
def test_a_terminated_caller_ends_as_the_command_did(tmp_path: Path, sockets: Path,
                                                     mode: str) -> None:
    proc, _ = blocked(sockets, tmp_path, mode)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM


def ended(pid: int, seconds: float) -> bool:
    """Whether the process `pid` is gone within `seconds`."""
    for _ in range(int(seconds / 0.02)):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def state(pid: int) -> str:
    """A process's state letter (/proc/PID/stat): T stopped, S sleeping, R running."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def settles(pid: int, letters: str) -> bool:
    for _ in range(200):
        if state(pid) in letters:
            return True
        time.sleep(0.02)
    return False


def test_ctrl_z_stops_the_command_and_fg_resumes_it(tmp_path: Path, sockets: Path) -> None:
    proc, child = blocked(sockets, tmp_path, "wait")
    assert child != proc.pid and settles(child, "SR")
    proc.send_signal(signal.SIGTSTP)
    assert settles(proc.pid, "T") and settles(child, "T")
    proc.send_signal(signal.SIGCONT)
    assert settles(proc.pid, "SR") and settles(child, "SR")
    proc.send_signal(signal.SIGINT)  # and it still answers as ever
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.strip().splitlines()[-1]) == (1, "error: aborted")


def test_killing_the_caller_kills_the_command(tmp_path: Path, sockets: Path) -> None:
    proc, child = blocked(sockets, tmp_path, "wait")
    assert child != proc.pid
    os.kill(child, 0)  # it runs
    proc.kill()
    proc.communicate(timeout=60)
    assert ended(child, 4.0), "the command outlived its caller"


def test_anything_amiss_runs_the_command_here(tmp_path: Path, sockets: Path) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    not_a_folder = sockets / "file"
    not_a_folder.write_text("")
    done = run(sockets, "wait", "--db", db, "show", "R-404",
               BZR_WORKFLOW_RESIDENT_DIR=str(not_a_folder))
    assert done.returncode == 2
    shared = sockets / "shared"
    (shared / f"bzr-workflow-{os.getuid()}").mkdir(parents=True, mode=0o777)
    os.chmod(shared / f"bzr-workflow-{os.getuid()}", 0o777)  # others could plant a socket
    done = run(sockets, "wait", "--db", db, "show", "R-404", BZR_WORKFLOW_RESIDENT_DIR=str(shared))
    assert done.returncode == 2
    assert not list(shared.glob("*/*.sock"))
    assert run(sockets, "wait", "serve", "--help").returncode == 0  # serve: always here
    assert traced(sockets) == ["here", "here", "here"]
    new = sockets / "new" / "base"  # a base folder not made yet is made
    done = run(sockets, "wait", "--db", db, "show", "R-404", BZR_WORKFLOW_RESIDENT_DIR=str(new))
    assert done.returncode == 2 and traced(sockets)[-1].startswith("resident ")
    assert len(list(new.glob("*/*.sock"))) == 1


def test_the_worker_leaves_when_idle(tmp_path: Path, sockets: Path) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    assert run(sockets, "wait", "--db", db, "show", "R-404",
               BZR_WORKFLOW_RESIDENT_IDLE="1").returncode == 2
    lock = next(sockets.glob("*/*.lock"))
    worker = int(lock.read_text())
    for _ in range(300):
        if not list(sockets.glob("*/*.sock")):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the idle worker kept its socket")
    assert ended(worker, 5.0), "the idle worker did not end"


def test_the_key_follows_the_code_and_the_interpreter(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.json").write_text("{}")
    first = launch.key(str(package))
    assert launch.key(str(package)) == first
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.pyc").write_bytes(b"")  # bytecode is not the code
    assert launch.key(str(package)) == first
    os.utime(package / "sub" / "b.json", ns=(1, 1))
    changed = launch.key(str(package))
    assert changed != first
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path)])
    assert launch.key(str(package)) != changed
