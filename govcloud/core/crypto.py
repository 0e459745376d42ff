"""National-standard cryptography: SM3 (GB/T 32905) hashes and HMACs, SM4 (GB/T 32907) encryption.

`cryptography` provides both primitives; this module only fixes how GovCloud uses them.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


# Ciphertext format: "sm4gcm1:" + base64(nonce(12) | ciphertext | tag(16)). The prefix names the
# scheme so that a future key rotation or scheme can coexist with old rows.
_PREFIX = "sm4gcm1:"
_NONCE = 12
_TAG = 16


class DecryptionError(ValueError):
    pass


def _field_key() -> bytes:
    try:
        key = bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be 32 hex digits (16 bytes).") from exc
    if len(key) != 16:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be 32 hex digits (16 bytes).")
    return key


def sm4_encrypt(plaintext: str) -> str:
    """Encrypt with SM4-GCM under the settings key; authenticated, so tampering is detected."""
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return _PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")


def sm4_decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise DecryptionError("not an SM4 ciphertext")
    raw = base64.b64decode(token[len(_PREFIX) :])
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(_field_key()), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or the key is wrong") from exc


def is_ciphertext(value: str) -> bool:
    return value.startswith(_PREFIX)
