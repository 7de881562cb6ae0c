"""Uploads on a real server (`bzr-workflow serve`): a file over its cap is refused 413 the moment
the cap is passed, while the client is still sending, and nothing is left in the folder."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from appraisalrun import guilin_appointed
from webrun import Served, issue_token

CAP = 10 * 1024 * 1024


def test_a_file_over_the_cap_is_refused_while_it_still_streams_in(tmp_path: Path) -> None:
    db = str(tmp_path / "guilin.db")
    app = guilin_appointed(db)
    ref = app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li",
                                         True)[0]["id"]
    app.close()
    token = issue_token(db, "chen")
    served = Served(db)
    try:
        prelude = (b"--b\r\nContent-Disposition: form-data; name=\"summary\"\r\n\r\n"
                   b"\xe6\x80\xbb\xe7\xbb\x93\r\n--b\r\nContent-Disposition: form-data; "
                   b"name=\"attachments\"; filename=\"big.pdf\"\r\n"
                   b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        piece = b"0" * 65536
        chunks = [prelude] + [piece] * (CAP // len(piece) + 2)  # the body never ends
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
            sock.sendall(f"POST /api/v1/cases/{ref}/summary HTTP/1.1\r\nHost: x\r\n"
                         f"Authorization: Bearer {token}\r\n"
                         "Content-Type: multipart/form-data; boundary=b\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n".encode())
            for chunk in chunks:
                sock.sendall(b"%x\r\n%b\r\n" % (len(chunk), chunk))
            received = b""
            while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
                more = sock.recv(65536)  # answered although the body has not ended
                if not more:
                    break
                received += more
        status = int(received.split(b" ", 2)[1])
        body: dict[str, Any] = json.loads(received.split(b"\r\n\r\n", 1)[1].split(b"\r\n")[-1]
                                          if b"chunked" in received.lower() else
                                          received.split(b"\r\n\r\n", 1)[1])
        assert status == 413 and body["code"] == 2, received[:400]
    finally:
        served.close()
    root = Path(db + ".files")
    assert not root.exists() or [p for p in root.rglob("*") if p.is_file()] == []
