"""The resident worker behind the console script (`launch.py`): imports the engine once, then
forks a child per command handed over, which runs it as `bzr-workflow` would in its caller's
place (its arguments, environment, working directory, umask and standard streams) and answers
its exit status.

No store is opened and no thread started before a fork: each child opens what its command needs,
as a fresh process does, and ends with it. The worker ends after `BZR_WORKFLOW_RESIDENT_IDLE`
seconds (300) without a command, or when its socket is taken away, removing the socket.
"""

from __future__ import annotations

import os
import sys
from typing import Any

IDLE_ENV = "BZR_WORKFLOW_RESIDENT_IDLE"
PRELOAD = ("bzr_workflow.application", "bzr_workflow.application.reads",
           "bzr_workflow.application.caseview", "bzr_workflow.application.cases",
           "bzr_workflow.application.effects", "bzr_workflow.application.hooks",
           "bzr_workflow.adapters.eventlog", "bzr_workflow.projections.views",
           "bzr_workflow.projections.catchup", "bzr_workflow.projections.rawrebuild",
           "bzr_workflow.projections.deadlines", "bzr_workflow.projections.lite",
           "bzr_workflow.catalogue", "sqlalchemy.dialects.sqlite",
           "cryptography.hazmat.primitives.ciphers.aead", "getpass")
OPTIONAL = ("eventsourcing.postgres",)
"""What the commands people run most use, beyond every command module: the engine and its
views. Anything else a command needs it imports itself, as it would in a process of its own."""


def serve(path: str) -> None:
    """Serve commands on the Unix socket `path` until idle; returns at once if another worker
    holds this key's lock."""
    import fcntl
    import gc
    import signal
    import socket

    lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())  # which process serves: `kill` it to stop it
    preload()
    try:
        os.unlink(path)  # a worker that died left it
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)
    made = os.stat(path).st_ino
    listener.settimeout(float(os.environ.get(IDLE_ENV) or 300))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    gc.collect()
    gc.freeze()  # what was imported stays shared with the children, not copied on write
    try:
        while _ours(path, made):
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                return
            if _peer_uid(conn) not in (None, os.getuid()):
                conn.close()
                continue
            if os.fork() == 0:
                status = 0
                try:
                    os.close(lock)
                    listener.close()
                    _child(conn)
                except BaseException as exc:  # noqa: BLE001 - a child never returns into the loop
                    first = (str(exc).strip().splitlines() or [""])[0]
                    os.write(2, f"error: resident worker: {type(exc).__name__}: {first}\n"
                             .encode("utf-8", "replace"))  # the caller's stderr, once taken
                    status = 1
                os._exit(status)
            conn.close()
    finally:
        if _ours(path, made):
            os.unlink(path)


def preload() -> None:
    """Every command module, the compiled-dataclass cache, `PRELOAD` and what of `OPTIONAL` is
    installed, imported (nothing opened, no thread started)."""
    import importlib

    from . import _register, install_speedups

    install_speedups()
    _register()
    for name in PRELOAD:
        importlib.import_module(name)
    for name in OPTIONAL:  # PostgreSQL's driver, where it is installed
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _ours(path: str, made: int) -> bool:
    try:
        return os.stat(path).st_ino == made
    except OSError:
        return False


def _peer_uid(conn: Any) -> int | None:
    import socket
    import struct

    if not hasattr(socket, "SO_PEERCRED"):
        return None  # the folder's mode keeps others out
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _child(conn: Any) -> None:
    import marshal
    import signal
    import socket

    from ..launch import PROTOCOL, read_exactly

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    conn.settimeout(30.0)
    head, fds, _, _ = socket.recv_fds(conn, 4, 3)
    head += read_exactly(conn, 4 - len(head))
    request = marshal.loads(read_exactly(conn, int.from_bytes(head, "big")))
    protocol, argv, env, cwd, umask, streams = request
    if protocol != PROTOCOL or len(fds) != 3:
        return
    conn.sendall(os.getpid().to_bytes(4, "big"))
    if conn.recv(1) != b"g":
        return  # the caller runs it itself
    conn.settimeout(None)
    _take_place(fds, argv, env, cwd, umask, streams)
    _die_with_caller(conn)
    status = _run()
    conn.sendall(status.to_bytes(4, "big", signed=True))


def _take_place(fds: list[int], argv: list[str], env: dict[str, str], cwd: str, umask: int,
                streams: tuple[tuple[str, str, bool, bool], ...]) -> None:
    """This process becomes the caller's: its streams, environment, folder and umask."""
    import io
    import locale
    import time

    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
    for fd in fds:
        os.close(fd)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    try:
        locale.setlocale(locale.LC_CTYPE, "")  # as the interpreter does at its start
    except locale.Error:
        pass
    os.chdir(cwd)
    os.umask(umask)
    sys.argv = list(argv)
    made = []
    for fd, (encoding, errors, line_buffering, write_through) in enumerate(streams):
        binary = io.open(fd, "rb" if fd == 0 else "wb", closefd=False)
        stream = io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="\n",
                                  line_buffering=line_buffering,
                                  write_through=bool(fd and write_through))
        made.append(stream)
    sys.stdin, sys.stdout, sys.stderr = made
    for name, stream in zip(("__stdin__", "__stdout__", "__stderr__"), made):
        setattr(sys, name, stream)  # what the interpreter would have made them


def _die_with_caller(conn: Any) -> None:
    """If the caller goes (killed, even by SIGKILL), so does this command. On Linux the kernel
    sends SIGKILL the moment the caller's end of the socket closes (the socket set to signal
    its owner, with SIGKILL for SIGIO: the caller sends nothing more), before anyone can have
    reaped the caller; elsewhere a thread waits for the socket's end and kills this process."""
    import fcntl
    import signal

    if hasattr(fcntl, "F_SETSIG") and hasattr(os, "O_ASYNC"):
        fd = conn.fileno()
        fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGKILL)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
        return
    import select
    import threading

    def watch() -> None:
        poll = select.poll()
        poll.register(conn.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
        while not poll.poll():
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="caller-watch", daemon=True).start()


def _run() -> int:
    """The command as `bzr-workflow` runs it, to its exit status (negative: the signal that
    ended it), with what the interpreter does at its end (exit functions, streams flushed)."""
    import atexit
    import signal
    import traceback

    from . import main

    status = 0
    try:
        main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            status = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            status = 1
    except KeyboardInterrupt:
        traceback.print_exc()
        status = -signal.SIGINT
    except BaseException:  # noqa: BLE001 - what the interpreter would print
        traceback.print_exc()
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120  # as the interpreter answers a failed flush at exit
    return status

