"""The seal key's HMAC is the standard library's HMAC-SHA256, whatever the key's length."""

from __future__ import annotations

import hmac
import os

from hypothesis import given, strategies as st

from bzr_workflow.adapters.sealkey import SealKey


@given(secret=st.binary(min_size=0, max_size=200), message=st.binary(max_size=2000))
def test_mac_is_hmac_sha256(secret: bytes, message: bytes) -> None:
    key = SealKey("0123456789abcdef", secret, "2026-12-07T00:00:00+00:00")
    assert key.mac(message) == hmac.digest(secret, message, "sha256").hex()


def test_mac_of_one_key_stays_the_same_across_links_and_keys_do_not_share_state() -> None:
    one = SealKey("0000000000000001", os.urandom(32), "2026-12-07T00:00:00+00:00")
    two = SealKey("0000000000000002", os.urandom(32), "2026-12-07T00:00:00+00:00")
    first = one.mac(b"a link")
    assert two.mac(b"a link") != first
    assert one.mac(b"another link") == hmac.digest(one.secret, b"another link", "sha256").hex()
    assert one.mac(b"a link") == first
    assert one == SealKey(one.id, one.secret, one.created)  # the cached pads are not a field
