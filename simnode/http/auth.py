"""RPC credentials as the node checks them, and the cookie file it writes.

src/httprpc.cpp @ PAI 3.0.0 (RPCAuthorized, multiUserAuthorized) and src/rpc/protocol.cpp
(GenerateAuthCookie, DeleteAuthCookie).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

COOKIE_USER = "__cookie__"
COOKIE_FILE = ".cookie"
MAX_VERIFIED = 64


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who may call: ``user:password`` pairs (rpcuser/rpcpassword, the cookie) and rpcauth lines."""

    user_passwords: tuple[str, ...] = ()
    rpcauth: tuple[str, ...] = field(default=())  # "user:salt$hmac_sha256_hex"
    # Header values already found valid, and their user: a client sends the same one on every
    # call, and the full check (base64, constant-time compares, HMACs) costs more than the
    # lookup. Only valid ones are kept, at most MAX_VERIFIED; new credentials start empty.
    _verified: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def authorized(self, authorization: str) -> str | None:
        """The user name if the ``Authorization`` header value is valid, else None."""
        user = self._verified.get(authorization)
        if user is None:
            user = self._check(authorization)
            if user is not None and len(self._verified) < MAX_VERIFIED:
                self._verified[authorization] = user
        return user

    def _check(self, authorization: str) -> str | None:
        if not authorization.startswith("Basic "):
            return None
        try:
            # WSGI hands headers over as latin-1 text; DecodeBase64 skips what is not base64.
            encoded = authorization[6:].strip().encode("latin-1")
            user_pass = base64.b64decode(encoded, validate=False).decode("utf-8")
        except (binascii.Error, ValueError):  # UnicodeError is a ValueError
            return None
        user = user_pass.split(":", 1)[0]
        # Every candidate is compared in full, in constant time (TimingResistantEqual).
        matched = False
        for expected in self.user_passwords:
            matched |= hmac.compare_digest(user_pass.encode(), expected.encode())
        matched |= self._rpcauth_matches(user_pass)
        return user if matched else None

    def _rpcauth_matches(self, user_pass: str) -> bool:
        if ":" not in user_pass:
            return False
        user, password = user_pass.split(":", 1)
        matched = False
        for entry in self.rpcauth:
            name, _, rest = entry.partition(":")
            salt, dollar, expected_hash = rest.partition("$")
            if not dollar or "$" in expected_hash or name != user:
                continue  # PAI splits on ":$" and needs exactly three fields
            digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
            matched |= hmac.compare_digest(digest, expected_hash)
        return matched


def rpcauth_line(user: str, password: str, salt: str | None = None) -> str:
    """An ``-rpcauth`` value, as share/rpcauth/rpcauth.py makes it."""
    salt = secrets.token_hex(16) if salt is None else salt
    digest = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return f"{user}:{salt}${digest}"


class CookieFile:
    """``__cookie__:<64 hex>`` written to ``.cookie.tmp`` and renamed, owner-only, no newline;
    removed again by ``delete`` (the node deletes it on shutdown)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.password = secrets.token_hex(32)

    @property
    def user_pass(self) -> str:
        return f"{COOKIE_USER}:{self.password}"

    def write(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.user_pass)
        os.replace(tmp, self.path)

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
