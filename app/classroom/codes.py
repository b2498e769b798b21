"""Join codes (short, read aloud, typed by learners) and teacher keys (secret capabilities).

A code is 6 symbols from 31 that cannot be mistaken for one another (no 0/O, no 1/I/L):
31⁶ ≈ 887 million codes, so guessing one takes many attempts, which ``access`` limits per
address. A key is 192 random bits; the server keeps only its SHA-256 and compares
digests with ``hmac.compare_digest``, whose time does not depend on where they differ,
so a wrong key answers as fast as a right one whatever it shares with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
KEY_BYTES = 24  # 192 bits (the contract asks for at least 128)
SEPARATORS = str.maketrans("", "", " -_.")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """What a learner typed (``abc 234``, ``ABC-234``) as a code, or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    code = text.translate(SEPARATORS).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_matches(given: str | None, digest: str) -> bool:
    """Whether ``given`` is the key of ``digest``; a missing key is hashed all the same, so
    no answer comes sooner than another."""
    return hmac.compare_digest(key_digest(given or ""), digest)


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer KEY`` header, if it is one."""
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    return key.strip() or None if scheme.lower() == "bearer" else None
