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
NAME_BYTES = 200  # and bytes of it in UTF-8 (a file system takes 255 a name)
# Control characters, bidirectional overrides and the characters no file system takes.
_UNSAFE_NAME = re.compile('[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069<>:"|?*/\\\\]')


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


class RateLimit:
    """At most `attempts` sign-in attempts that fail per `seconds` from one address. An attempt
    counts from the moment it starts (attempts sent all at once cannot all pass the check before
    the first failure is written down); a success takes its own back."""

    def __init__(self, attempts: int = 5, seconds: float = 60.0):
        self.attempts, self.seconds = attempts, seconds
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def attempt(self, who: str) -> tuple[int, float | None]:
        """(seconds to wait, 0 when `who` may try now; the attempt's mark, to give back on success)."""
        with self._lock:
            times = self._times[who]
            cutoff = time.monotonic() - self.seconds
            while times and times[0] < cutoff:
                times.popleft()
            if len(times) >= self.attempts:
                return max(1, int(times[0] - cutoff) + 1), None
            mark = time.monotonic()
            times.append(mark)
            return 0, mark

    def succeeded(self, who: str, mark: float | None) -> None:
        with self._lock:
            if mark is not None and mark in self._times[who]:
                self._times[who].remove(mark)


def upload_name(raw: str | None, fallback: str) -> str:
    """An uploaded file's name as people gave it, made harmless: no folders (`../../x` is `x`),
    no control characters or characters a file system refuses, at most NAME_LIMIT characters
    and NAME_BYTES bytes, its extension kept. It is shown, written in a download's header and
    used as a file name in a work folder; the stored file is named by its SHA-256."""
    name = safe_name(PurePosixPath((raw or "").replace("\\", "/")).name)
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 8:
        stem, dot, suffix = name, "", ""
    while stem and (len(stem + dot + suffix) > NAME_LIMIT or len((stem + dot + suffix).encode()) > NAME_BYTES):
        stem = stem[:-1]
    name = (stem + dot + suffix) if stem else ""
    return name or fallback


def safe_name(text: str) -> str:
    """`text` as one file or folder name: no control, bidi or reserved characters, no leading dot."""
    return _UNSAFE_NAME.sub("", text).strip().lstrip(".")


def attachment(name: str) -> str:
    """A Content-Disposition header value that every browser reads, whatever the name holds."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def megabytes(n: int) -> str:
    """A size limit as people read it: 50, 0.5, 1.5 (MB)."""
    return f"{n / 2**20:.4g}"
