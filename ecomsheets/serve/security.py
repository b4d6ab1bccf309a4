"""What keeps the page safe: the manager's password, CSRF tokens, the sign-in rate limit, and
the names of uploaded files (text from people, never a path)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import PurePosixPath
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost

CSRF_COOKIE = "ecomsheets_csrf"
SESSION_COOKIE = "ecomsheets_session"
LANG_COOKIE = "ecomsheets_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

NAME_LIMIT = 120  # characters of an uploaded file's name kept
# Control characters, bidirectional overrides and the characters no file system takes.
_UNSAFE_NAME = re.compile('[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069<>:"|?*]')


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_ok(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A password for the first start when none is given: 16 letters and digits, easy to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def csrf_token(secret: bytes, cookie: str) -> str:
    """The token a form carries: the browser's CSRF cookie signed with the server's secret (a
    page of another site can neither read the cookie nor make the signature)."""
    return hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, cookie: str | None, token: str | None) -> bool:
    if not cookie or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, cookie), token)


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class RateLimit:
    """At most `attempts` failures per `seconds` from one address; a success does not count."""

    def __init__(self, attempts: int = 5, seconds: float = 60.0):
        self.attempts, self.seconds = attempts, seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, who: str) -> int:
        """Seconds until `who` may try again (0: now)."""
        with self._lock:
            times = self._failures[who]
            cutoff = time.monotonic() - self.seconds
            while times and times[0] < cutoff:
                times.popleft()
            if len(times) < self.attempts:
                return 0
            return max(1, int(times[0] - cutoff) + 1)

    def failed(self, who: str) -> None:
        with self._lock:
            self._failures[who].append(time.monotonic())


def upload_name(raw: str | None, fallback: str) -> str:
    """An uploaded file's name as people gave it, made harmless: no folders (`../../x` is `x`),
    no control characters, at most NAME_LIMIT characters. It is only ever shown and written in
    a download's header; the stored file is named by its SHA-256."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name
    name = _UNSAFE_NAME.sub("", name).strip().lstrip(".")
    if len(name) > NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: NAME_LIMIT - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else name[:NAME_LIMIT]
    return name or fallback


def attachment(name: str) -> str:
    """A Content-Disposition header value that every browser reads, whatever the name holds."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def megabytes(n: int) -> str:
    """A size limit as people read it: 50, 0.5, 1.5 (MB)."""
    return f"{n / 2**20:.4g}"
