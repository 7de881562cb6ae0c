"""The seal keys: a key file kept outside the database, holding the HMAC keys the writer seals with.

A key file (a keyring) is JSON: every key ever used, by id, the newest active. Old keys stay so
links and checkpoints made with them still verify after a rotation. It also holds where the keyed
chain starts (`keyed_from`: the position and digest of the last link before the first keyed one;
0 and the genesis digest for a store born with keys), so a chain refilled with unkeyed links is
refused by the writer and by `verify` alike, and the Ed25519 signing key of checkpoints and
documents (`signing`), whose public half auditors verify with (`seal key public`). A key file
others may read is refused. Where it is:
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
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography (~10 MiB, ~8 ms): only checkpoints and `verify` sign or check
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                                   Ed25519PublicKey)

from ..domain.errors import BadInput, IntegrityFailure
from .store import Location

KEY_ENV = "BZR_WORKFLOW_SEAL_KEY"
FORMAT = "bzr-workflow seal keys 1"
KEY_ID = re.compile(r"[0-9a-f]{16}")
GENESIS = "0" * 64
PUBLIC = re.compile(r"[0-9a-f]{64}")


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
        """HMAC-SHA256 of `message` (RFC 2104), from the key's two padded states hashed once:
        each link copies them (two C calls each) instead of `hmac.digest` setting the key up
        again, ~0.8 µs a link against 2.4. tests/unit/test_sealkey_mac.py holds it to `hmac`."""
        inner, outer = self._pads
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()

    @cached_property
    def _pads(self) -> tuple[hashlib._Hash, hashlib._Hash]:
        key = self.secret if len(self.secret) <= 64 else hashlib.sha256(self.secret).digest()
        key = key.ljust(64, b"\0")
        return (hashlib.sha256(bytes(b ^ 0x36 for b in key)),
                hashlib.sha256(bytes(b ^ 0x5C for b in key)))



def public_hex(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def check_public(text: str, what: str = "--public-key") -> Ed25519PublicKey:
    """An Ed25519 public key as `seal key public` prints it (64 hex digits)."""
    value = text.strip().lower()
    if not PUBLIC.fullmatch(value):
        raise BadInput("{what} {text!r}: give the 64 hex digits `bzr-workflow seal key public` "
                       "prints", what=what, text=text)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))


def signed_by(public: Ed25519PublicKey, signature: str, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public.verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class Keyring:
    """The keys of one key file, oldest first; the last is the one new links are made with.
    `anchor`: (position, digest) after which every link is keyed (None: a key file from before
    anchors, given one by the next write); `signing`: the Ed25519 private key's 32 bytes."""

    path: str
    keys: list[SealKey]
    anchor: tuple[int, str] | None = None
    signing: bytes | None = field(default=None, repr=False)

    @property
    def active(self) -> SealKey:
        return self.keys[-1]

    def get(self, key_id: str) -> SealKey | None:
        return next((k for k in self.keys if k.id == key_id), None)

    def signer(self) -> Ed25519PrivateKey:
        if self.signing is None:
            raise BadInput("the seal key file {path} has no signing key: run `bzr-workflow seal "
                           "key rotate` to add one", path=self.path)
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.signing)

    def public(self) -> str:
        """The signing key's public half, 64 hex digits: what auditors verify with."""
        return public_hex(self.signer().public_key())

    def sign(self, data: bytes) -> str:
        return self.signer().sign(data).hex()


def _new_key() -> SealKey:
    return SealKey(secrets.token_hex(8), secrets.token_bytes(32),
                   datetime.now(UTC).isoformat(timespec="seconds"))


def _text(ring: Keyring) -> str:
    data: dict[str, object] = {"format": FORMAT, "keys": [
        {"id": k.id, "created": k.created, "secret": base64.b64encode(k.secret).decode()}
        for k in ring.keys]}
    if ring.anchor is not None:
        data["keyed_from"] = {"position": ring.anchor[0], "digest": ring.anchor[1]}
    if ring.signing is not None:
        data["signing"] = base64.b64encode(ring.signing).decode()
    return json.dumps(data, indent=2) + "\n"


def _owner_only(path: str) -> None:
    """Refused when others may read the key file: whoever reads it can forge the seal."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return  # said by the open that follows
    if mode & 0o077:
        raise BadInput("the seal key file {path} may be read by others (mode {mode:04o}): run "
                       "`chmod 600 {path}`", path=path, mode=mode)


def load(path: str) -> Keyring:
    """The key file at `path`; a missing or unreadable one is refused naming the path."""
    _owner_only(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        keys = [SealKey(str(k["id"]), base64.b64decode(k["secret"], validate=True),
                        str(k.get("created", ""))) for k in data["keys"]]
        if data.get("format") != FORMAT or not keys or not all(
                KEY_ID.fullmatch(k.id) and len(k.secret) >= 16 for k in keys):
            raise ValueError("not a seal key file")
        anchor = None
        if "keyed_from" in data:
            anchor = (int(data["keyed_from"]["position"]), str(data["keyed_from"]["digest"]))
            if anchor[0] < 0 or not re.fullmatch(r"[0-9a-f]{64}", anchor[1]):
                raise ValueError("keyed_from is not a position and a digest")
        signing = None
        if "signing" in data:
            signing = base64.b64decode(data["signing"], validate=True)
            if len(signing) != 32:
                raise ValueError("the signing key is not 32 bytes")
    except FileNotFoundError:
        raise BadInput("no seal key file at {path}: set {KEY_ENV} to this store's key file (see "
                       "`bzr-workflow seal key --help`)", path=path, KEY_ENV=KEY_ENV) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("{path} is not a seal key file ({exc})", path=path, exc=exc) from None
    return Keyring(path, keys, anchor, signing)


def _replace(ring: Keyring) -> Keyring:
    """Write the key file anew (aside, then renamed over it: never half written), 0600."""
    temporary = f"{ring.path}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_text(ring))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, ring.path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return ring


def create(path: str, anchor: tuple[int, str] | None = (0, GENESIS)) -> Keyring:
    """A new key file with one key, readable by its owner only; refused if one is there. The
    file appears whole or not at all (written aside, then linked into place, which fails if
    another process made it first), so a writer never reads one half written."""
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    ring = Keyring(path, [_new_key()], anchor, secrets.token_bytes(32))
    temporary = f"{path}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_text(ring))
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
    return ring


def rotate(path: str) -> Keyring:
    """Add a new key, active from now; the old ones stay to verify what they sealed. A key file
    without a signing key gets one (the signing key itself is kept: auditors hold its public
    half)."""
    ring = load(path)
    return _replace(Keyring(path, [*ring.keys, _new_key()], ring.anchor,
                            ring.signing or secrets.token_bytes(32)))


def set_anchor(path: str, anchor: tuple[int, str]) -> Keyring:
    """Record where the keyed chain starts, once; a different one recorded already is refused."""
    ring = load(path)
    if ring.anchor is not None and ring.anchor != anchor:
        raise IntegrityFailure("the seal key file {path} says keys began at position {anchor}, "
                               "not {given}: the seal was rewritten", path=path,
                               anchor=ring.anchor[0], given=anchor[0])
    if ring.anchor == anchor:
        return ring
    ring.anchor = anchor
    return _replace(ring)


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
        """The ring; no key file is refused naming its path."""
        found = self.current()
        return found if found is not None else load(self.path)

    def current(self) -> Keyring | None:
        """The ring, read again when the file changed, or None when there is no key file: one
        stat for both questions (each write asks them)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        if self._ring is None or stamp != self._stamp:
            self._ring, self._stamp = load(self.path), stamp
        return self._ring

    def create(self, anchor: tuple[int, str]) -> Keyring:
        self._ring = create(self.path, anchor)
        return self._ring

    def anchored(self, anchor: tuple[int, str]) -> Keyring:
        self._ring = set_anchor(self.path, anchor)
        return self._ring
