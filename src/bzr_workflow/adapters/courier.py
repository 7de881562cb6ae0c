"""The notices' way out: e-mail through the institution's SMTP server (smtplib), and a group robot's
webhook (DingTalk, WeCom) POSTed with urllib; short timeouts, every failure raised as one line.

Secrets stay out of the event log: the SMTP password is read from BZR_WORKFLOW_SMTP_PASSWORD,
and a DingTalk robot's signing secret (加签) from BZR_WORKFLOW_DINGTALK_SECRET, when the robot
has one (the URL then gets its `timestamp` and `sign`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from ..application.notices import NotDelivered

TIMEOUT = 10.0  # seconds: a server that does not answer in this is a failure, tried again later
PASSWORD_ENV = "BZR_WORKFLOW_SMTP_PASSWORD"
DINGTALK_SECRET_ENV = "BZR_WORKFLOW_DINGTALK_SECRET"
DINGTALK_HOST = "oapi.dingtalk.com"


class Courier:
    """Sends over the network; the application knows it as `notices.Courier`."""

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout

    def mail(self, settings: Mapping[str, Any], to: str, subject: str, text: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = settings["sender"], to, subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=str(settings["sender"]).rpartition("@")[2] or None)
        msg.set_content(text, charset="utf-8")
        host, port = str(settings["smtp_host"]), int(settings["smtp_port"])
        try:
            self._mail(host, port, settings, msg)
        except smtplib.SMTPResponseException as exc:
            said = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
                else str(exc.smtp_error)
            raise NotDelivered(f"{host}:{port} answered {exc.smtp_code} {said}") from None
        except smtplib.SMTPRecipientsRefused:
            raise NotDelivered(f"{host}:{port} refused the recipient") from None
        except smtplib.SMTPException as exc:
            raise NotDelivered(f"{host}:{port}: {exc}") from None
        except OSError as exc:  # refused, unreachable, timed out, TLS
            raise NotDelivered(f"cannot reach {host}:{port}: {_reason(exc)}") from None

    def _mail(self, host: str, port: int, settings: Mapping[str, Any], msg: EmailMessage) -> None:
        security, user = settings.get("security", ""), settings.get("smtp_user", "")
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=self.timeout,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=self.timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if user:
                server.login(user, os.environ.get(PASSWORD_ENV, ""))
            server.send_message(msg)

    def post(self, url: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            signed(url), data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                raw = answer.read(65536)
        except urllib.error.HTTPError as exc:
            raise NotDelivered(f"{_host(url)} answered HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            raise NotDelivered(f"cannot reach {_host(url)}: {_reason(exc.reason)}") from None
        except OSError as exc:  # timed out while reading the answer
            raise NotDelivered(f"cannot reach {_host(url)}: {_reason(exc)}") from None
        try:
            answered = json.loads(raw or b"{}")
        except ValueError:
            return  # a receiver that answers 2xx without JSON took it
        code = answered.get("errcode", 0) if isinstance(answered, dict) else 0
        if code:  # DingTalk and WeCom answer 200 with errcode ≠ 0 when they refuse
            raise NotDelivered(f"{_host(url)} refused: errcode {code} "
                                 f"{answered.get('errmsg', '')}".strip())


def signed(url: str) -> str:
    """A DingTalk robot URL with `timestamp` and `sign` when a signing secret is set."""
    secret = os.environ.get(DINGTALK_SECRET_ENV, "")
    if not secret or urllib.parse.urlsplit(url).hostname != DINGTALK_HOST:
        return url
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}&timestamp={stamp}&sign={sign}"


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or "the webhook"


def _reason(exc: object) -> str:
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__)
