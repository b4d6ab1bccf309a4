"""The record of the month on disk: one SQLite database and the files, in the data folder.

    DIR/ecomsheets.db             links, submissions, summaries, sessions, settings
    DIR/files/ab/abcdef….xlsx     every upload, named by its SHA-256 (written once, never over)
    DIR/annotated/<id>.xlsx       a submission's annotated copy
    DIR/summaries/<id>.xlsx       a month's summary workbook
    DIR/templates/<bundle>-<month>-<lang>.xlsx   blank templates, made once
    DIR/tmp/                      uploads on their way in, work folders

Every call opens its own connection (the store is used from the request loop and from worker
threads); WAL lets readers go on while a check writes its result.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Submission states. CHECKING until its check ends; ACCEPTED: no errors (warnings allowed).
CHECKING, ACCEPTED, WITH_ERRORS, REFUSED, FAILED = "checking", "accepted", "with_errors", "refused", "failed"
# A link's state in a month: one of the above for its latest submission, or MISSING.
MISSING = "missing"

SESSION_HOURS = 12
_PLAIN_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    name TEXT PRIMARY KEY, bundle TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, revoked TEXT
);
CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, created TEXT NOT NULL, expires TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, link TEXT NOT NULL, month TEXT NOT NULL,
    file_name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, created TEXT NOT NULL,
    state TEXT NOT NULL, errors INTEGER NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0,
    seconds REAL, document TEXT, views TEXT, annotated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS submissions_by_month ON submissions (month, link);
CREATE TABLE IF NOT EXISTS summaries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, created TEXT NOT NULL,
    state TEXT NOT NULL, files INTEGER NOT NULL DEFAULT 0, document TEXT
);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    name: str
    bundle: str
    token: str
    created: str
    revoked: str | None

    def to_dict(self) -> dict:
        return {"name": self.name, "bundle": self.bundle, "created": self.created, "revoked": self.revoked}


@dataclass(frozen=True)
class Submission:
    id: int
    link: str
    month: str
    file_name: str
    sha256: str
    size: int
    created: str
    state: str
    errors: int
    warnings: int
    seconds: float | None
    annotated: bool

    def to_dict(self) -> dict:
        """The record the API lists (`GET /api/submissions`)."""
        return {
            "id": self.id,
            "link": self.link,
            "month": self.month,
            "file": self.file_name,
            "time": self.created,
            "sha256": self.sha256,
            "size": self.size,
            "errors": self.errors,
            "warnings": self.warnings,
            "status": self.state,
            "seconds": self.seconds,
            "annotated": self.annotated,
        }


_SUBMISSION_COLUMNS = "id, link, month, file_name, sha256, size, created, state, errors, warnings, seconds, annotated"


class Store:
    """The data folder: its database and its files."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)  # the department's files, link tokens, the password's hash: ours only
        shutil.rmtree(self.root / "tmp", ignore_errors=True)  # what a stop left half-made
        for sub in ("files", "annotated", "summaries", "templates", "tmp"):
            (self.root / sub).mkdir(exist_ok=True)
        self.path = self.root / "ecomsheets.db"
        self._secret: bytes | None = None
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        finally:
            db.close()
        # A summary cut short by a stop is said as not finished (a check cut short is checked
        # again: Service.resume).
        with self._db() as db:
            db.execute("UPDATE summaries SET state = ? WHERE state = ?", (FAILED, CHECKING))

    @contextmanager
    def _db(self, write: bool = True):
        """One transaction; a writing one takes the write lock at once (a read that turns into a
        write could otherwise fail on a busy database instead of waiting its turn)."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # --- settings ----------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        with self._db(write=False) as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def secret(self) -> bytes:
        """The key that signs CSRF tokens: made once, kept in the database."""
        if self._secret is not None:
            return self._secret
        with self._db() as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()
            if row is None:
                row = (secrets.token_hex(32),)
                db.execute("INSERT INTO settings (key, value) VALUES ('secret', ?)", row)
        self._secret = bytes.fromhex(row[0])
        return self._secret

    # --- manager sessions ----------------------------------------------------------------------

    def new_session(self) -> tuple[str, str]:
        """A manager's sign-in: (token, expiry time); only the token's hash is kept."""
        token = secrets.token_urlsafe(32)
        expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).isoformat(timespec="seconds")
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (hashed(token), now(), expires))
        return token, expires

    def session_valid(self, token: str) -> bool:
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT 1 FROM sessions WHERE token_hash = ? AND expires > ?", (hashed(token), now())
            ).fetchone()
        return row is not None

    def end_session(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (hashed(token),))

    def end_all_sessions(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions")

    # --- links -----------------------------------------------------------------------------------

    def add_link(self, name: str, bundle: str) -> Link:
        """A new link for `name` (a team or shop); an existing name gets a new token, the old one
        stops working."""
        token = secrets.token_urlsafe(24)
        with self._db() as db:
            db.execute(
                "INSERT INTO links (name, bundle, token, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET bundle = excluded.bundle, token = excluded.token, "
                "created = excluded.created, revoked = NULL",
                (name, bundle, token, now()),
            )
        link = self.link(name)
        assert link is not None
        return link

    def revoke_link(self, name: str) -> bool:
        with self._db() as db:
            cur = db.execute("UPDATE links SET revoked = ? WHERE name = ? AND revoked IS NULL", (now(), name))
        return cur.rowcount > 0

    def link(self, name: str) -> Link | None:
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT name, bundle, token, created, revoked FROM links WHERE name = ?", (name,)
            ).fetchone()
        return Link(*row) if row else None

    def link_by_token(self, token: str) -> Link | None:
        """The link a token opens (None: no such token, or revoked)."""
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT name, bundle, token, created, revoked FROM links WHERE token = ? AND revoked IS NULL", (token,)
            ).fetchone()
        return Link(*row) if row else None

    def links(self) -> list[Link]:
        with self._db(write=False) as db:
            rows = db.execute(
                "SELECT name, bundle, token, created, revoked FROM links ORDER BY created, name"
            ).fetchall()
        return [Link(*r) for r in rows]

    # --- files -----------------------------------------------------------------------------------

    def temp_path(self, suffix: str = "") -> Path:
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", suffix=suffix)
        os.close(fd)
        return Path(name)

    def work_dir(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.root / "tmp"))

    def keep_file(self, temp: Path, name: str) -> tuple[str, Path]:
        """Move an upload (named `name` by its sender) into the store under its SHA-256; the same
        content is kept once."""
        digest = hashlib.sha256()
        with open(temp, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        sha = digest.hexdigest()
        target = self.file_path(sha, name)
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            temp.unlink()
        else:
            os.replace(temp, target)  # atomic: a reader sees the whole file or none
        return sha, target

    def file_path(self, sha: str, name: str) -> Path:
        """Where the upload of content `sha` sent as `name` is kept: its own extension stays (the
        guard says "an old .xls" or "a CSV" for what it is), when it is a plain one."""
        suffix = Path(name).suffix.lower()
        if not _PLAIN_SUFFIX.fullmatch(suffix):
            suffix = ".bin"
        return self.root / "files" / sha[:2] / f"{sha}{suffix}"

    def file_size(self, sha: str, name: str) -> int:
        return self.file_path(sha, name).stat().st_size

    def annotated_path(self, submission_id: int) -> Path:
        return self.root / "annotated" / f"{submission_id}.xlsx"

    def summary_path(self, summary_id: int) -> Path:
        return self.root / "summaries" / f"{summary_id}.xlsx"

    def template_path(self, bundle: str, month: str, lang: str) -> Path:
        return self.root / "templates" / f"{bundle}-{month}-{lang}.xlsx"

    def remove_dir(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    # --- submissions -----------------------------------------------------------------------------

    def add_submission(self, link: str, month: str, file_name: str, sha: str, size: int) -> Submission:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO submissions (link, month, file_name, sha256, size, created, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (link, month, file_name, sha, size, now(), CHECKING),
            )
            row_id = cur.lastrowid
        found = self.submission(int(row_id or 0))
        assert found is not None
        return found

    def finish_submission(
        self, submission_id: int, state: str, errors: int, warnings: int, seconds: float, document, views, annotated
    ) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE submissions SET state = ?, errors = ?, warnings = ?, seconds = ?, document = ?, views = ?, "
                "annotated = ? WHERE id = ?",
                (
                    state,
                    errors,
                    warnings,
                    seconds,
                    json.dumps(document, ensure_ascii=False, default=str),
                    json.dumps(views, ensure_ascii=False, default=str),
                    int(annotated),
                    submission_id,
                ),
            )

    def submission(self, submission_id: int) -> Submission | None:
        with self._db(write=False) as db:
            row = db.execute(f"SELECT {_SUBMISSION_COLUMNS} FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return _submission(row) if row else None

    def submission_document(self, submission_id: int) -> tuple[dict | None, dict | None]:
        """(the validate document, the page views by language) of a finished submission."""
        with self._db(write=False) as db:
            row = db.execute("SELECT document, views FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        if not row:
            return None, None
        return (json.loads(row[0]) if row[0] else None), (json.loads(row[1]) if row[1] else None)

    def submissions(self, *, month: str | None = None, link: str | None = None) -> list[Submission]:
        """Newest first."""
        where, params = [], []
        if month:
            where.append("month = ?")
            params.append(month)
        if link is not None:
            where.append("link = ?")
            params.append(link)
        sql = f"SELECT {_SUBMISSION_COLUMNS} FROM submissions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._db(write=False) as db:
            rows = db.execute(sql + " ORDER BY id DESC", params).fetchall()
        return [_submission(r) for r in rows]

    # --- summaries -------------------------------------------------------------------------------

    def add_summary(self, month: str, files: int) -> int:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO summaries (month, created, state, files) VALUES (?, ?, ?, ?)",
                (month, now(), CHECKING, files),
            )
        return int(cur.lastrowid or 0)

    def finish_summary(self, summary_id: int, state: str, document) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE summaries SET state = ?, document = ? WHERE id = ?",
                (state, json.dumps(document, ensure_ascii=False, default=str), summary_id),
            )

    def summary(self, summary_id: int) -> dict | None:
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT id, month, created, state, files, document FROM summaries WHERE id = ?", (summary_id,)
            ).fetchone()
        return _summary(row) if row else None

    def summaries(self, month: str | None = None) -> list[dict]:
        sql = "SELECT id, month, created, state, files, document FROM summaries"
        params: tuple = ()
        if month:
            sql, params = sql + " WHERE month = ?", (month,)
        with self._db(write=False) as db:
            rows = db.execute(sql + " ORDER BY id DESC", params).fetchall()
        return [_summary(r) for r in rows]


def _submission(row) -> Submission:
    *head, annotated = row
    return Submission(*head, annotated=bool(annotated))


def _summary(row) -> dict:
    summary_id, month, created, state, files, document = row
    return {
        "id": summary_id,
        "month": month,
        "time": created,
        "state": state,
        "files": files,
        "document": json.loads(document) if document else None,
    }
