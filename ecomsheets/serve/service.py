"""What the page and the API do, over the store: check an upload, make a team's template, build
the month's summary, gather the annotated copies. The API and the pages are thin over this.

Checks and summaries run on a pool of worker threads (each file's parse in its own child
process, with the usual guard and limits), so a long check never holds up another person's
page; a request that waits for one awaits it without blocking the server.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ecomsheets import messages
from ecomsheets.months import Month
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits
from ecomsheets.schema import Catalog
from ecomsheets.serve import security
from ecomsheets.serve import store as st
from ecomsheets.serve.store import Link, Store, Submission

LINK_QUEUE = 3  # a link's files being checked at once (or waiting their turn)
POOL_THREADS = 16  # checks and summaries in progress or waiting for their team's turn


class Busy(Exception):
    """A link already has LINK_QUEUE files being checked."""

    def __init__(self, n: int):
        super().__init__(n)
        self.n = n


@dataclass
class Progress:
    """How far a summary has come: files checked of all."""

    done: int = 0
    total: int = 0


@dataclass
class Service:
    store: Store
    catalog: Catalog
    limits: Limits = Limits()
    process: ProcessLimits = ProcessLimits()
    lang: str = "zh"  # the language annotated copies and summaries are written in
    pool: ThreadPoolExecutor = field(init=False)
    progress: dict[int, Progress] = field(default_factory=dict)
    stopping: bool = False  # set when the server stops: what its readers then say is not a result
    _template_lock: threading.Lock = field(default_factory=threading.Lock)
    _admit: threading.Lock = field(default_factory=threading.Lock)
    _link_locks: dict[str, threading.Lock] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Threads enough for every team's turn (a thread may wait for its team's previous file);
        # the cores bound the work itself.
        self.pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="ecomsheets-work")
        self._cores = threading.BoundedSemaphore(max(1, self.process.workers))

    def warm_up(self) -> None:
        """Run a check, an annotated copy and a summary of a small example once, in the calling
        (main) thread, before any worker thread starts. Every module they import, and every
        library's lazy registration (pandera's backends), is then done: a check's child is
        forked from a worker thread, and a child forked while another thread is halfway through
        an import waits for that module's lock forever."""
        from ecomsheets.example import example_frames
        from ecomsheets.generate import generate_workbook
        from ecomsheets.months import parse_month
        from ecomsheets.report.annotate import write_annotated
        from ecomsheets.report.html import file_view
        from ecomsheets.summarize.consolidate import consolidate
        from ecomsheets.summarize.documents import consolidation_document
        from ecomsheets.summarize.writer import write_summary_workbook
        from ecomsheets.validate.run import inspect_many

        family = next((b for b in self.catalog.bundles.values() if not b.family and b.metrics), None)
        if family is None:  # a catalogue of one's own without a department: nothing to warm
            return
        work = self.store.work_dir()
        try:
            month = parse_month(self.month)
            path = work / "warm.xlsx"
            frames = example_frames(self.catalog, family.name, month, rows=3, seed=1)
            generate_workbook(self.catalog, family.name, path, month=month, data=frames)
            (inspection,) = inspect_many([path], catalog=self.catalog, month=month, keep="tables", isolate=False)
            report = inspection.report
            file_view(1, report, self.lang)
            write_annotated(path, report, work / "warm_annotated.xlsx", lang=self.lang, isolate=False)
            result = consolidate([inspection], self.catalog, month=month)
            if result.bundle is not None:
                write_summary_workbook(result, self.catalog, work / "warm_summary.xlsx", lang=self.lang)
                consolidation_document(result, "warm_summary.xlsx")
        finally:
            self.store.remove_dir(work)

    def close(self) -> None:
        """The server stops: checks cut short stay unchecked (and are checked on restart)."""
        from ecomsheets.process import lifeline

        self.stopping = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        lifeline.kill_all()  # the readers still running: their files are checked on restart

    # --- the month ------------------------------------------------------------------------------

    @property
    def month(self) -> str:
        """The month being collected: the manager's choice, else this calendar month."""
        chosen = self.store.setting("month")
        if chosen:
            return chosen
        today = time.localtime()
        return str(Month(today.tm_year, today.tm_mon))

    # --- templates ------------------------------------------------------------------------------

    def template(self, bundle: str, month: str, lang: str) -> Path:
        """The blank workbook of `bundle` for `month`, made once and kept."""
        from ecomsheets.generate import generate_workbook
        from ecomsheets.months import parse_month

        path = self.store.template_path(bundle, month, lang)
        with self._template_lock:  # two people asking at once get one file, made once
            if not path.exists():
                generate_workbook(self.catalog, bundle, path, month=parse_month(month), lang=lang)
        return path

    def template_name(self, bundle: str, month: str, lang: str, link: str | None = None) -> str:
        if link:
            return messages.text("w_team_template_file", lang, name=link, month=month)
        spec = self.catalog.bundle(bundle)
        return messages.text("w_template_file", lang, bundle=spec.label(lang), month=month)

    # --- a submission ---------------------------------------------------------------------------

    def checking(self, link: str) -> int:
        """How many of `link`'s files are being checked (or wait their turn)."""
        return sum(s.state == st.CHECKING for s in self.store.submissions(link=link)[: LINK_QUEUE * 4])

    def submit(self, link: Link, upload: Path, file_name: str) -> tuple[Submission, Future]:
        """Keep an upload (under its SHA-256) as `link`'s submission for the month and start its
        check; the future gives the validate document when the check ends. A link with
        LINK_QUEUE files still being checked is refused (Busy): one team's pile of uploads
        would otherwise hold up every other team's check."""
        with self._admit:
            busy = self.checking(link.name)
            if busy >= LINK_QUEUE:
                upload.unlink(missing_ok=True)
                raise Busy(busy)
            return self._submit(link, upload, file_name)

    def _submit(self, link: Link, upload: Path, file_name: str) -> tuple[Submission, Future]:
        sha, _ = self.store.keep_file(upload, file_name)
        submission = self.store.add_submission(
            link.name, self.month, file_name, sha, self.store.file_size(sha, file_name)
        )
        return submission, self.pool.submit(self._check, submission, link.bundle)

    def resume(self) -> int:
        """Check again what a stop left unchecked (the files are kept): the number restarted."""
        waiting = [s for s in self.store.submissions() if s.state == st.CHECKING]
        for s in reversed(waiting):  # oldest first
            link = self.store.link(s.link)
            self.pool.submit(self._check, s, link.bundle if link else "")
        return len(waiting)

    def _check(self, submission: Submission, bundle: str) -> dict | None:
        """One team's files are checked one after another, on at most `process.workers` cores
        at once: a team that sends three large files waits for itself, not everyone else."""
        with self._link_lock(submission.link), self._cores:
            return self._check_now(submission, bundle)

    def _link_lock(self, link: str) -> threading.Lock:
        with self._admit:
            return self._link_locks.setdefault(link, threading.Lock())

    def _check_now(self, submission: Submission, bundle: str) -> dict | None:
        from ecomsheets.report.html import file_view
        from ecomsheets.validate.run import inspect_many

        started = time.perf_counter()
        work = self.store.work_dir()
        try:
            # Checked under the name it was sent with: the findings and the annotated copy name
            # the file as its sender knows it, never the store's own path.
            path = work / submission.file_name
            _link_or_copy(self.store.file_path(submission.sha256, submission.file_name), path)
            (inspection,) = inspect_many(
                [path],
                catalog=self.catalog,
                bundle=bundle or None,
                month=submission.month,
                keep="report",
                limits=self.limits,
                process=self.process,
            )
            if self.stopping:  # its reader was stopped with the server: checked again on restart
                return None
            report = inspection.report
            report.file = report.label = submission.file_name
            report.findings = [replace(f, file=submission.file_name) for f in report.findings]
            self._wrong_bundle(report, bundle)
            annotated = False
            if report.findings and not report.unreadable:
                annotated = self._annotate(path, report, submission.id)
            document = report.to_dict()
            state = st.REFUSED if report.unreadable else st.WITH_ERRORS if report.errors else st.ACCEPTED
            views = {lang: file_view(1, report, lang) for lang in ("zh", "en")}
            errors, warnings = report.errors, report.warnings
        except Exception:  # our own bug: the submission says so instead of checking forever
            if not self.stopping:
                seconds = time.perf_counter() - started
                self.store.finish_submission(submission.id, st.FAILED, 0, 0, seconds, None, None, False)
            raise
        finally:
            self.store.remove_dir(work)
        seconds = time.perf_counter() - started
        self.store.finish_submission(submission.id, state, errors, warnings, seconds, document, views, annotated)
        return document

    def _wrong_bundle(self, report, bundle: str) -> None:
        """A readable file of another bundle than its link's (a team's workbook handed in on a
        shop's link): an error, or the month's summary would take a team's file for a shop's."""
        from ecomsheets.findings import ERROR, finding
        from ecomsheets.rules import Rule

        own = report.meta_bundle or report.bundle  # the template it was made from, else what it was read as
        if report.unreadable or not own or not bundle or own == bundle:
            return
        found, expected = self.catalog.bundles.get(own), self.catalog.bundles.get(bundle)
        if found is None or expected is None:
            return
        report.findings.insert(
            0,
            finding(
                Rule.WRONG_BUNDLE,
                ERROR,
                file=report.file,
                found=found.label("zh"),
                found_en=found.label("en"),
                expected=expected.label("zh"),
                expected_en=expected.label("en"),
            ),
        )

    def _annotate(self, source: Path, report, submission_id: int) -> bool:
        from ecomsheets.errors import EcomsheetsError
        from ecomsheets.report.annotate import write_annotated

        try:
            write_annotated(
                source, report, self.store.annotated_path(submission_id), lang=self.lang, process=self.process
            )
        except (EcomsheetsError, ValueError, KeyError):  # the findings still show; only the copy is missing
            return False
        return True

    def annotated_name(self, submission: Submission, lang: str) -> str:
        return Path(submission.file_name).stem + messages.text("annotated_suffix", lang)

    # --- the month's state ------------------------------------------------------------------------

    def latest(self, month: str) -> dict[str, Submission]:
        """Each link's newest submission of the month."""
        latest: dict[str, Submission] = {}
        for s in self.store.submissions(month=month):  # newest first
            latest.setdefault(s.link, s)
        return latest

    def status(self, month: str) -> list[dict]:
        """One record per link (live links, and revoked ones that handed in this month): its
        latest submission of the month and the state that gives it."""
        latest: dict[str, Submission] = {}
        counts: dict[str, int] = {}
        for s in self.store.submissions(month=month):  # newest first
            latest.setdefault(s.link, s)
            counts[s.link] = counts.get(s.link, 0) + 1
        out = []
        for link in self.store.links():
            if link.revoked and link.name not in latest:
                continue
            last = latest.get(link.name)
            out.append(
                {
                    "name": link.name,
                    "bundle": link.bundle,
                    "state": last.state if last else st.MISSING,
                    "submissions": counts.get(link.name, 0),
                    "latest": last.to_dict() if last else None,
                    "revoked": link.revoked,
                }
            )
        return out

    def accepted(self, month: str) -> list[Submission]:
        """The links whose latest submission of the month is accepted: those submissions."""
        return sorted((s for s in self.latest(month).values() if s.state == st.ACCEPTED), key=lambda s: s.link)

    def summed(self, month: str) -> list[Submission]:
        """What a summary reads: each link's latest checked submission of the month (one still
        being checked is not one yet). One with errors goes in too, so that the summary names it
        as left out: an older accepted copy is not summed behind the status's back, nor the
        team silently missing."""
        done = (st.ACCEPTED, st.WITH_ERRORS, st.REFUSED)
        latest: dict[str, Submission] = {}
        for s in self.store.submissions(month=month):  # newest first; one still being checked waits
            if s.state in done:
                latest.setdefault(s.link, s)
        return sorted(latest.values(), key=lambda s: s.link)

    # --- the summary ---------------------------------------------------------------------------------

    def start_summary(self, month: str) -> tuple[int, Future]:
        files = self.summed(month)
        summary_id = self.store.add_summary(month, len(files))
        self.progress[summary_id] = Progress(0, len(files))
        return summary_id, self.pool.submit(self._summarize, summary_id, month, files)

    def _summarize(self, summary_id: int, month: str, files: list[Submission]) -> dict | None:
        from ecomsheets.summarize.consolidate import consolidate
        from ecomsheets.summarize.documents import consolidation_document
        from ecomsheets.summarize.writer import write_summary_workbook
        from ecomsheets.validate.run import inspect_many

        work = self.store.work_dir()
        try:
            # Each file in a folder named by its link: the summary's lineage, status and side by
            # side name the team or shop (its link), and the file as it was sent.
            named = []
            for s in files:
                folder = work / str(s.id)
                folder.mkdir()
                copy = folder / s.file_name
                _link_or_copy(self.store.file_path(s.sha256, s.file_name), copy)
                named.append((copy, s))
            progress = self.progress[summary_id]

            def step(n: int) -> None:
                progress.done += n

            inspections = inspect_many(
                [p for p, _ in named],
                catalog=self.catalog,
                month=month,
                keep="tables",
                limits=self.limits,
                process=self.process,
                progress=step,
            )
            if self.stopping:
                return None
            for insp, (_, s) in zip(inspections, named):
                insp.report.file = insp.report.label = f"{s.link}/{s.file_name}"
                insp.report.shop = s.link
            catalog = self._links_as_roster(month)
            result = consolidate(inspections, catalog, month=month)
            if result.bundle is None:
                document = {
                    "error": messages.text("w_nothing_to_summarize", "zh", month=month),
                    "error_en": messages.text("w_nothing_to_summarize", "en", month=month),
                }
                self.store.finish_summary(summary_id, st.FAILED, document)
                return document
            out = self.store.summary_path(summary_id)
            write_summary_workbook(result, catalog, out, force=True, lang=self.lang, inputs=tuple(p for p, _ in named))
            document = consolidation_document(result, self.summary_name(month))
            self.store.finish_summary(summary_id, st.ACCEPTED, document)
            return document
        except Exception:
            if not self.stopping:
                self.store.finish_summary(summary_id, st.FAILED, None)
            raise
        finally:
            self.store.remove_dir(work)

    def _links_as_roster(self, month: str) -> Catalog:
        """The catalogue with the links as the roster of their family: who hands in is whom the
        manager gave a link, so the summary's 交表情况 and 横向对比 name the links (a link that
        handed in nothing is 未交 there) and two links of one bundle stay two."""
        from dataclasses import replace as renew

        from ecomsheets.schema.model import RosterEntry

        families: dict[str, list] = {}
        for row in self.status(month):
            spec = self.catalog.bundles.get(row["bundle"])
            if spec is not None:
                families.setdefault(spec.family or spec.name, []).append(RosterEntry(row["name"], spec.name))
        bundles = dict(self.catalog.bundles)
        for family, roster in families.items():
            if family in bundles:
                bundles[family] = renew(bundles[family], roster=tuple(roster))
        return renew(self.catalog, bundles=bundles)

    def summary_name(self, month: str, lang: str | None = None) -> str:
        return messages.text("w_summary_file", lang or self.lang, month=month)

    # --- the annotated copies of the month, in one zip ------------------------------------------------

    def annotated_zip(self, month: str, lang: str) -> Path:
        """Every link's latest annotated copy of the month, in folders by link name."""
        latest = self.latest(month)
        out = self.store.temp_path(".zip")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            used: set[str] = set()
            for s in sorted(latest.values(), key=lambda s: s.link):
                path = self.store.annotated_path(s.id)
                if s.annotated and path.exists():
                    entry = f"{_zip_part(s.link)}/{_zip_part(self.annotated_name(s, lang))}"
                    if entry in used:  # two links whose names clean to the same folder
                        entry = f"{_zip_part(s.link)}_{s.id}/{_zip_part(self.annotated_name(s, lang))}"
                    used.add(entry)
                    zf.write(path, entry)
        return out


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, target)


def _zip_part(name: str) -> str:
    """A name inside a zip that unpacks where it should, on any system (no folders, nothing
    hidden, no character Windows refuses)."""
    return security.safe_name(name) or "_"
