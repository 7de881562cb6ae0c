"""The seal keys: a key file kept outside the database, holding the HMAC keys the writer seals with.

A key file (a keyring) is JSON: every key ever used, by id, the newest active. Old keys stay so
links and checkpoints made with them still verify after a rotation. Where it is:
BZR_WORKFLOW_SEAL_KEY names it; otherwise beside an SQLite store (`<store>.sealkey`), or for
PostgreSQL under the user's config folder, named after host, port, database and schema. It is
made (mode 0600) by `init`, by `seal key create`, or by the first write to a store whose chain
holds no keyed link yet (a store sealed before keys); a store with keyed links and no key file is
refused, never given a fresh key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain.errors import BadInput
from .store import Location

KEY_ENV = "BZR_WORKFLOW_SEAL_KEY"
FORMAT = "bzr-workflow seal keys 1"
BLOCK = 64  # SHA-256's block size: the HMAC pads
KEY_ID = re.compile(r"[0-9a-f]{16}")


def key_path(location: Location) -> str:
    """Where this store's key file is (BZR_WORKFLOW_SEAL_KEY, or the default for the store)."""
    named = os.environ.get(KEY_ENV, "").strip()
    if named:
        return os.path.abspath(os.path.expanduser(named))
    if location.is_sqlite:
        return os.path.abspath(location.path) + ".sealkey"
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    name = "_".join(re.sub(r"[^A-Za-z0-9.-]", "-", part) for part in
                    (location.host, location.port, location.dbname, location.schema or "public"))
    return os.path.join(home, "bzr-workflow", "seal-keys", f"{name}.json")


@dataclass(frozen=True)
class SealKey:
    """One HMAC-SHA256 key: its id (recorded with every link it made) and its secret."""

    id: str
    secret: bytes
    created: str

    def mac(self, message: bytes) -> str:
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def pads(self) -> tuple[bytes, bytes]:
        """HMAC's inner and outer padded keys, for a database computing the same HMAC as
        sha256(outer || sha256(inner || message)) without being given the key itself."""
        padded = self.secret.ljust(BLOCK, b"\0")
        return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


class Keyring:
    """The keys of one key file, oldest first; the last is the one new links are made with."""

    def __init__(self, path: str, keys: list[SealKey]) -> None:
        self.path, self.keys = path, keys

    @property
    def active(self) -> SealKey:
        return self.keys[-1]

    def get(self, key_id: str) -> SealKey | None:
        return next((k for k in self.keys if k.id == key_id), None)


def _new_key() -> SealKey:
    return SealKey(secrets.token_hex(8), secrets.token_bytes(32),
                   datetime.now(UTC).isoformat(timespec="seconds"))


def _text(keys: list[SealKey]) -> str:
    return json.dumps({"format": FORMAT, "keys": [
        {"id": k.id, "created": k.created, "secret": base64.b64encode(k.secret).decode()}
        for k in keys]}, indent=2) + "\n"


def load(path: str) -> Keyring:
    """The key file at `path`; a missing or unreadable one is refused naming the path."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        keys = [SealKey(str(k["id"]), base64.b64decode(k["secret"], validate=True),
                        str(k.get("created", ""))) for k in data["keys"]]
        if data.get("format") != FORMAT or not keys or not all(
                KEY_ID.fullmatch(k.id) and len(k.secret) >= 16 for k in keys):
            raise ValueError("not a seal key file")
    except FileNotFoundError:
        raise BadInput("no seal key file at {path}: set {KEY_ENV} to this store's key file (see "
                       "`bzr-workflow seal key --help`)", path=path, KEY_ENV=KEY_ENV) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("{path} is not a seal key file ({exc})", path=path, exc=exc) from None
    return Keyring(path, keys)


def create(path: str) -> Keyring:
    """A new key file with one key, readable by its owner only; refused if one is there. The
    file appears whole or not at all (written aside, then linked into place, which fails if
    another process made it first), so a writer never reads one half written."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    key = _new_key()
    temporary = f"{path}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_text([key]))
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, path)
    except FileExistsError:
        raise BadInput("{path} exists already; `seal key rotate` adds a key to it",
                       path=path) from None
    except OSError as exc:
        raise BadInput("cannot create the seal key file {path}: {strerror}", path=path,
                       strerror=exc.strerror) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return Keyring(path, [key])


def rotate(path: str) -> Keyring:
    """Add a new key, active from now; the old ones stay to verify what they sealed."""
    ring = load(path)
    keys = [*ring.keys, _new_key()]
    temporary = f"{path}.{secrets.token_hex(4)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(_text(keys))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    return Keyring(path, keys)


class KeySource:
    """The key file as a long-running writer sees it: read once, read again when it changes
    (a rotation takes effect without a restart)."""

    def __init__(self, location: Location) -> None:
        self.path = key_path(location)
        self._ring: Keyring | None = None
        self._stamp: tuple[int, int] | None = None

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def ring(self) -> Keyring:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if self._ring is None or stamp != self._stamp:
            self._ring, self._stamp = load(self.path), stamp
        return self._ring

    def create(self) -> Keyring:
        self._ring = create(self.path)
        return self._ring
