"""Real receivers on loopback for the notices' tests: an SMTP server (aiosmtpd) that keeps what it
receives, and an HTTP webhook receiver that fails a given number of times first."""

from __future__ import annotations

import email
import json
import threading
from collections.abc import Iterator
from email.message import Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


class LoopbackSMTP(Controller):
    """aiosmtpd on 127.0.0.1 and a port the system chose; `received` are (recipients, message)."""

    def __init__(self) -> None:
        self.keeper = _Keeper()
        super().__init__(self.keeper, hostname="127.0.0.1", port=0)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]  # port 0: the one it was given
        super()._trigger_server()

    @property
    def received(self) -> list[tuple[list[str], Message]]:
        return self.keeper.messages

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.received if address in rcpt]


def body(message: Message) -> str:
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


@pytest.fixture
def smtp() -> Iterator[LoopbackSMTP]:
    server = LoopbackSMTP()
    server.start()
    yield server
    server.stop()


class FlakyReceiver:
    """An HTTP receiver on 127.0.0.1 that answers 500 to the first `failures` POSTs, then 200
    with DingTalk's `{"errcode": 0}`; `bodies` are the JSON bodies it took (answered 200)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.requests, self.bodies = failures, 0, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests += 1
                if outer.requests <= outer.failures:
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.bodies.append(json.loads(raw))
                answer = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=t"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
