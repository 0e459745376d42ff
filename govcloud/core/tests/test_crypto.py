import pytest

from govcloud.core import crypto


def test_sm3_standard_vector():
    # GB/T 32905-2016, example 1.
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_round_trip_and_randomized():
    a, b = crypto.sm4_encrypt("13800000000"), crypto.sm4_encrypt("13800000000")
    assert a != b  # a fresh nonce each time: equal values do not look equal at rest
    assert crypto.sm4_decrypt(a) == crypto.sm4_decrypt(b) == "13800000000"


def test_sm4_detects_tampering():
    token = crypto.sm4_encrypt("secret")
    body = token[len("sm4gcm1:") :]
    flipped = "sm4gcm1:" + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(crypto.DecryptionError):
        crypto.sm4_decrypt(flipped)


def test_sm4_wrong_key_fails(settings):
    token = crypto.sm4_encrypt("secret")
    settings.FIELD_ENCRYPTION_KEY = "ffeeddccbbaa99887766554433221100"
    with pytest.raises(crypto.DecryptionError):
        crypto.sm4_decrypt(token)
