"""Serving the web application with uvicorn: one line when it listens, a clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import os
import socket
from types import FrameType

import click
import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from ..application import parse_location
from .app import create_app

DB_ENV = "BZR_WORKFLOW_SERVE_DB"  # how worker processes learn the store the parent was given
TICK_ENV = "BZR_WORKFLOW_SERVE_TICK"  # ... and how often to run the due work (0: never)


def factory() -> FastAPI:
    """The application a worker process serves (uvicorn imports this by name)."""
    return create_app(parse_location(os.environ[DB_ENV],
                                     os.environ.get("BZR_WORKFLOW_CIPHER_KEY")),
                      tick=float(os.environ.get(TICK_ENV) or 0))


class _Announcing(uvicorn.Server):
    """Says `serving http://HOST:PORT` once it accepts connections."""

    url = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            click.echo(f"serving {self.url}")

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """SIGINT and SIGTERM ask for a clean stop: exit 0, not the signal's death after the
        shutdown (uvicorn raises the caught signal again, which Python shows as a traceback)."""
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def run(db: str, host: str, port: int, workers: int, trusted_proxy: str | None = None,
        tick: float = 0) -> None:
    """Serve the store `db` until SIGINT or SIGTERM; with `workers` > 1, that many processes
    share the one listening socket. X-Forwarded-For is believed from `trusted_proxy` alone
    (uvicorn otherwise believes it from 127.0.0.1, so any local client could name any
    address); without one the address is the connection's peer."""
    os.environ[DB_ENV] = db
    os.environ[TICK_ENV] = str(tick)
    # HTTP is parsed by httptools (a dependency, so uvicorn's default http="auto" takes it):
    # h11's pure-Python parser cost a quarter of the event loop's time a request.
    config = uvicorn.Config("bzr_workflow.web.serve:factory", factory=True, host=host, port=port,
                            workers=workers, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5, proxy_headers=bool(trusted_proxy),
                            forwarded_allow_ips=trusted_proxy or "")
    sock = config.bind_socket()
    # uvicorn binds with proto 0, so asyncio skips TCP_NODELAY on what it accepts and every
    # answer after the first on a kept-alive connection waits ~40 ms for a delayed ACK (uvicorn
    # #3149); Linux gives accepted sockets the listener's TCP_NODELAY.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    bound = sock.getsockname()
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{bound[1]}"
    server = _Announcing(config)
    server.url = url
    if workers == 1:
        server.run(sockets=[sock])
        return
    sock.listen(config.backlog)  # connections queue from now on, until a worker takes them
    click.echo(f"serving {url}")
    Multiprocess(config, sockets=[sock]).run()
