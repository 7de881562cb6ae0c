"""The `bzr-workflow` console script: a command handed to a resident worker that has the engine
already imported (`cli/resident.py`), or run in this process.

Most of a command's time is Python importing the engine (its ~150 event classes, SQLAlchemy for
the views): ~0.1-0.5 s before any work. As Mercurial's `chg` does, the first command starts a
worker in the background that imports it all once and then forks a child per command; later
commands pass their arguments, environment, working directory and standard streams (the file
descriptors themselves) over a Unix socket, and the child runs the command exactly as this
process would, writing to this process's own stdout and stderr, and answers its exit status.
This module imports nothing but `os`, `sys` and C modules, so handing a command over costs a
bare interpreter's start.

- The socket lives in `$BZR_WORKFLOW_RESIDENT_DIR` (or /tmp) under `bzr-workflow-<uid>`, a folder
  only this account may enter (checked: owner and mode); the worker also checks its peer's uid.
- Its name is a digest of the interpreter, its flags, `sys.path` and the size and time of every
  file of this package: change the code or the environment's packages and the next command
  starts a new worker; the old one goes when it has been idle `BZR_WORKFLOW_RESIDENT_IDLE`
  seconds (300). Its lock file beside the socket holds its process id.
- `serve` and `demo` run here, and so does `user passwd` at a terminal (it asks there).
- `BZR_WORKFLOW_RESIDENT=0` runs every command here; `=wait` waits for a starting worker rather
  than running the command here (the benchmark and the tests use it).
- Ctrl-Z stops the child with this process, and `fg` resumes both.
- Anything wrong before the command is handed over (no socket, a folder not ours, a stream
  closed) runs the command here: the worker only ever makes a command faster. Once handed over,
  the command is the child's: a signal this process gets (Ctrl-C, TERM, HUP) is passed on, and
  if this process dies the child is killed as its socket closes, so killing a command kills it
  wherever it runs.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _socket import socket

PROTOCOL = 1
RESIDENT_ENV = "BZR_WORKFLOW_RESIDENT"
DIR_ENV = "BZR_WORKFLOW_RESIDENT_DIR"
TRACE_ENV = "BZR_WORKFLOW_RESIDENT_TRACE"
"""A file to which each command appends `resident <worker pid>` or `here` (for tests)."""
HERE_ONLY = frozenset({"serve", "demo"})
"""Commands that run in this process: long-running ones, and `user passwd` at a terminal (it
asks there, unseen: only this process has the terminal)."""
OFF = frozenset({"0", "off", "no", "false"})
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def main() -> None:
    mode = os.environ.get(RESIDENT_ENV, "").strip().lower()
    if mode not in OFF and _eligible(sys.argv[1:]):
        code = _through_resident(wait=mode == "wait")
        if code is not None:
            sys.exit(code)
    _trace("here")
    from .cli import main as run_here

    run_here()


def _eligible(args: list[str]) -> bool:
    return (os.name == "posix" and hasattr(os, "fork") and not HERE_ONLY.intersection(args)
            and not ("passwd" in args and os.isatty(0))
            and all(stream is not None for stream in (sys.stdin, sys.stdout, sys.stderr)))


def folder() -> str:
    """This account's folder of sockets, made if missing; OSError when it is not safely ours."""
    import stat

    base = os.environ.get(DIR_ENV) or "/tmp"
    path = os.path.join(base, f"bzr-workflow-{os.getuid()}")
    try:
        os.makedirs(path, 0o700)  # the base too, where $BZR_WORKFLOW_RESIDENT_DIR names a new one
    except FileExistsError:
        pass
    info = os.lstat(path)
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or info.st_mode & 0o077):
        raise OSError(f"{path} is not a private folder of this account")
    return path


def key(package: str | None = None) -> str:
    """What the worker's code and interpreter are: equal keys, the same code imported alike
    (`package`: the folder of the code, this package's by default)."""
    here = package or os.path.dirname(os.path.abspath(__file__))
    parts = [str(PROTOCOL), sys.executable, sys.version, repr(sys.flags), repr(sys.path)]
    for entry in sys.path:  # a package installed or removed changes its folder's time
        try:
            parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}:-")
    for top, folders, files in os.walk(here):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            info = os.stat(os.path.join(top, name))
            parts.append(f"{top}/{name}:{info.st_size}:{info.st_mtime_ns}")
    data = "\n".join(parts).encode("utf-8", "surrogateescape")
    try:
        from _sha256 import sha256  # type: ignore[import-not-found] # C, without OpenSSL's start
    except ImportError:  # pragma: no cover - an interpreter built without it
        from hashlib import sha256
    return str(sha256(data).hexdigest())[:20]


def _through_resident(wait: bool) -> int | None:
    """The command's exit status from a worker's child, or None to run it here (nothing of it
    has started anywhere)."""
    try:
        path = os.path.join(folder(), key() + ".sock")
        conn = _connect(path)
        if conn is None:
            if not _starting(path):
                _start(path)
            if not wait:
                return None
            conn = _await(path)
            if conn is None:
                return None
        return _hand_over(conn)
    except OSError:
        return None


def _connect(path: str) -> socket | None:
    import _socket

    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    return conn


def _await(path: str, seconds: float = 30.0) -> socket | None:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        conn = _connect(path)
        if conn is not None:
            return conn
        time.sleep(0.02)
    return None


def _starting(path: str) -> bool:
    """Whether a worker holds this key's lock (it is importing, or serving)."""
    import fcntl

    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing the only descriptor lets the lock go
    return False


def _start(path: str) -> None:
    """A worker for this key, detached (its own session, no streams of ours), in the background."""
    code = (f"import sys; sys.path[:] = {sys.path!r}; "
            f"from bzr_workflow.cli.resident import serve; serve({path!r})")
    env = {name: value for name, value in os.environ.items()  # no store, actor, key or token:
           if not name.startswith("BZR_WORKFLOW_") or name == "BZR_WORKFLOW_RESIDENT_IDLE"}
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child becomes the worker
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 65536)
                os.execve(sys.executable, [sys.executable, "-c", code], env)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _hand_over(sock: socket) -> int | None:
    import _signal  # type: ignore[import-not-found] # signal's enums cost a few ms
    import _socket
    import marshal

    sock.settimeout(30.0)  # a worker that stopped answering: run the command here
    streams = (sys.stdin, sys.stdout, sys.stderr)
    for fd in (0, 1, 2):
        os.fstat(fd)  # OSError (a closed stream): run here
    umask = os.umask(0o022)
    os.umask(umask)
    request = marshal.dumps((PROTOCOL, sys.argv, dict(os.environ), os.getcwd(), umask,
                             tuple((st.encoding, st.errors, st.line_buffering,
                                    getattr(st, "write_through", False)) for st in streams)))
    fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
    try:
        sock.sendmsg([len(request).to_bytes(4, "big"), request],
                     [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        child = int.from_bytes(read_exactly(sock, 4), "big")
        if not child:
            return None
        sock.sendall(b"g")
    except (OSError, EOFError):
        sock.close()
        return None
    # From here on the command is the child's: never run it here as well.
    forwarded: list[int] = []

    def forward(signum: int, frame: object) -> None:
        forwarded.append(signum)
        try:
            os.kill(child, signum)
        except OSError:
            pass

    def suspend(signum: int, frame: object) -> None:
        """Ctrl-Z: the child stops with this process and goes on with it. (SIGSTOP: the worker's
        session has no terminal, so the kernel would drop a SIGTSTP sent to the child.)"""
        try:
            os.kill(child, _signal.SIGSTOP)
        except OSError:
            pass
        _signal.signal(_signal.SIGTSTP, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGTSTP)  # stopped here until SIGCONT
        _signal.signal(_signal.SIGTSTP, suspend)
        try:
            os.kill(child, _signal.SIGCONT)
        except OSError:
            pass

    for name in FORWARDED:
        _signal.signal(getattr(_signal, name), forward)
    _signal.signal(_signal.SIGTSTP, suspend)
    _trace(f"resident {child}")
    sock.settimeout(None)
    try:
        status = int.from_bytes(read_exactly(sock, 4), "big", signed=True)
    except (OSError, EOFError):
        if forwarded:  # the child died of the signal we passed on: so do we
            _signal.signal(forwarded[-1], _signal.SIG_DFL)
            os.kill(os.getpid(), forwarded[-1])
        os.write(2, b"error: the resident worker's command ended without an exit status\n")
        return 1
    if status < 0:  # the child died of this signal: so do we
        _signal.signal(-status, _signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    return status


def read_exactly(sock: socket, size: int) -> bytes:
    """`size` bytes from a stream socket (EOFError when it ends first); the worker's too."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _trace(what: str) -> None:
    path = os.environ.get(TRACE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(what + "\n")
