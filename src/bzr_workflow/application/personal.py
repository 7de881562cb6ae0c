"""Personal data under a key per person, so erasing the key erases the data and not the history."""

from __future__ import annotations

import base64
import os
from typing import Any

from .rawdb import mark, missing_table, table, transaction
from .store import Location

PERSONAL = ("phone", "address", "id_number", "birth")
"""Profile fields stored only encrypted under the person's own key."""
ERASED = "（已删除）"
PREFIX = "enc1:"
KEYS_LOCK = 7_305_771_203


class PersonKeys:
    """The one mutable table: keys may be destroyed (person erase), events never are."""

    def __init__(self, location: Location) -> None:
        self.location, self.table = location, table(location, "bzr_person_keys")
        self.mark = mark(location)

    def create(self) -> None:
        with transaction(self.location, KEYS_LOCK) as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table}"
                         " (login VARCHAR(64) PRIMARY KEY, key_b64 TEXT NOT NULL)")

    def get(self, login: str) -> bytes | None:
        try:
            with transaction(self.location, KEYS_LOCK) as conn:
                row = conn.execute(f"SELECT key_b64 FROM {self.table} WHERE login = {self.mark}",
                                   (login,)).fetchone()
        except Exception as exc:
            if missing_table(exc):  # a store made before personal data: nobody has a key
                return None
            raise
        return base64.b64decode(row[0]) if row else None

    def ensure(self, login: str) -> bytes:
        self.create()
        with transaction(self.location, KEYS_LOCK) as conn:
            row = conn.execute(f"SELECT key_b64 FROM {self.table} WHERE login = {self.mark}",
                               (login,)).fetchone()
            if row:
                return base64.b64decode(row[0])
            key = os.urandom(32)
            conn.execute(f"INSERT INTO {self.table} (login, key_b64) VALUES"
                         f" ({self.mark}, {self.mark})", (login, base64.b64encode(key).decode()))
            return key

    def erase(self, login: str) -> bool:
        self.create()
        with transaction(self.location, KEYS_LOCK) as conn:
            cur = conn.execute(f"DELETE FROM {self.table} WHERE login = {self.mark}", (login,))
            return bool(cur.rowcount)


def seal_value(key: bytes, text: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return PREFIX + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, text.encode(), None)).decode()


def open_value(key: bytes | None, value: Any) -> str:
    """The clear text, or ERASED once the person's key is gone."""
    text = str(value or "")
    if not text.startswith(PREFIX):
        return text
    if key is None:
        return ERASED
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(text[len(PREFIX):])
    return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
