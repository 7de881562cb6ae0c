"""The notices' settings as `notify set` takes them and `notify show` shows them, and the JSON a
group robot is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..domain.errors import BadInput

SECURITY = ("", "starttls", "ssl")


def webhook_payload(text: str) -> dict[str, Any]:
    """The JSON DingTalk's and WeCom's group robots both accept: a text message."""
    return {"msgtype": "text", "text": {"content": text}}


def check_settings(smtp: str, sender: str, security: str, user: str,
                   webhooks: Sequence[str], base_url: str) -> dict[str, Any]:
    """`notify set`'s options as settings, or BadInput saying which one is wrong."""
    host, port = "", 0
    if smtp:
        host, _, port_text = smtp.rpartition(":")
        if not host or not (port_text.isascii() and port_text.isdigit()) \
                or not 0 < int(port_text) < 65536:
            raise BadInput("--smtp {smtp!r} must be HOST:PORT", smtp=smtp)
        port = int(port_text)
        if "@" not in sender or any(c in sender for c in "\r\n<>"):
            raise BadInput("--from {sender!r} must be an e-mail address", sender=sender)
    if security not in SECURITY:
        raise BadInput("unknown security {security!r}: starttls or ssl", security=security)
    for url in [*webhooks, *([base_url] if base_url else [])]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInput("{url!r} must be an http(s) URL", url=url)
    if not smtp and not webhooks:
        raise BadInput("give --smtp HOST:PORT with --from, or --webhook URL, or both")
    return {"smtp_host": host, "smtp_port": port, "sender": sender if smtp else "",
            "security": security if smtp else "", "smtp_user": user if smtp else "",
            "webhooks": list(webhooks), "base_url": base_url.rstrip("/")}


def shown_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as shown: a webhook's query (its robot's token) hidden."""
    hooks = []
    for url in settings.get("webhooks", []):
        parts = urlsplit(url)
        hooks.append(parts._replace(query="…" if parts.query else "").geturl())
    return {**settings, "webhooks": hooks}
