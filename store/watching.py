"""A watched folder: every file that lands in it is imported, each as its own batch.

`watch_folder` imports the files already in the folder, then each new or
changed file as it lands, for as long as it runs (`nextcall import --watch`).
Each file is one all-or-nothing import:

- imported: its summary line is reported;
- refused (`ImportRejected`): the file is moved into `DIR/refused/` with
  `<name>.problems.txt` beside it, which lists its problems one per line, and
  watching goes on;
- not imported because the store cannot be reached (any other
  `NextcallError`, such as `StoreError`): the file stays where it is and is
  tried again at the next change in the folder.

Subfolders are watched too (a synced bucket keeps `Evaluations/YYYY/MM/DD/…`),
except `DIR/refused/`. Hidden files and folders (`.*`), partial downloads and
backups (`*.tmp`, `*.part`, `*.crdownload`, `*~`) and other suffixes than
those asked for are left alone; so are deleted files.

When a file still being written is imported: never half-written when the
writer writes it elsewhere and renames it into the folder, as S3 sync tools
and browsers do (the rename is one change). A file written in place is taken
once the folder has been quiet for `STEP_MS` (watchfiles groups the changes
that come closer together than that) and the file itself has not changed for
`STEP_MS` either (by its modification time: one dated after this machine's
clock is taken at once); a file that changes while it is being read is not
refused but read again. A writer that stops for longer than that in the middle of a
file can still have the first part imported (and refused, if it ends in the
middle of a line): such writers should write elsewhere and rename in.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePath

from watchfiles import Change, watch

from . import rules
from .errors import ImportRejected, NextcallError
from .models import instant_text, utc_now

REFUSED = "refused"
"""The subfolder refused files are moved into, with their problems beside them."""
PROBLEMS_SUFFIX = ".problems.txt"

STEP_MS = 400
"""Quiet time, in milliseconds, after which a group of changes is taken (and a file counts as written)."""
DEBOUNCE_MS = 2_000
"""The longest a group of changes is gathered while changes keep coming, in milliseconds."""
TIMEOUT_MS = 1_000
"""With no change for this long the watcher wakes anyway, to take files that were still changing."""

_PARTIAL_ENDINGS = (".tmp", ".part", ".crdownload", "~")


@dataclass(frozen=True)
class Imported:
    """A file was imported."""

    path: Path
    summary: str
    """The import's one-line summary."""

    def line(self) -> str:
        return self.summary


@dataclass(frozen=True)
class Refused:
    """A file had problems: nothing of it was imported; it was moved into `refused/`."""

    path: Path
    """Where the file was."""
    moved_to: Path
    problems_file: Path
    problems: list[str]
    """The problems listed, one line each, as the import gave them."""
    total: int
    """Every problem found: more than are listed when there are very many."""

    def line(self) -> str:
        return (
            f"Refused {self.path}: {rules.plural(self.total, 'problem')}, nothing imported. "
            f"Moved to {self.moved_to}; the problems are in {self.problems_file}."
        )


@dataclass(frozen=True)
class Waiting:
    """A file could not be imported for now (the store is unreachable): it is kept and tried again."""

    path: Path
    reason: str

    def line(self) -> str:
        return (
            f"Not imported yet: {self.path}: {self.reason} "
            "The file stays where it is and is tried again at the next change in the folder."
        )


Report = Imported | Refused | Waiting | str
"""What `watch_folder` reports: a file's outcome, or a line about the watching itself."""


def watch_folder(
    folder: Path,
    import_file: Callable[[Path], str],
    *,
    suffixes: Collection[str],
    report: Callable[[Report], None],
    stop: threading.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Import the files in `folder`, then each file that lands in it, until stopped.

    Returns when `stop` is set or on Ctrl-C (a `KeyboardInterrupt`, in the
    watcher or in an import), after reporting "Stopped watching FOLDER.";
    a file being imported at that moment is not written (its transaction
    does not commit).

    Args:
        folder: the folder to watch, with its subfolders but `refused/`.
        import_file: imports one file as its own batch and returns the summary
            line; raises `ImportRejected` when the file is refused, another
            `NextcallError` when the store cannot be used.
        suffixes: the file suffixes to import, such as `{".jsonl", ".csv"}`.
        report: called with each file's outcome and with the lines about the
            watching itself ("Watching …", "Stopped watching …").
        stop: set it to stop watching (from another thread).
        ready: called once the files already there are done and the watcher
            listens for new ones.

    Raises:
        NextcallError: `folder` is not a folder.
    """
    if not folder.is_dir():
        raise NextcallError(
            f"{folder} is not a folder: watching imports the files that land in a folder; "
            "name one that exists, such as the folder a bucket is synced to.",
            title="Import",
        )
    run = _Run(folder, import_file, {_suffix(s) for s in suffixes}, report, stop or threading.Event())
    try:
        run.watch(ready)
    except KeyboardInterrupt:
        pass
    report(f"Stopped watching {folder}.")


def _suffix(suffix: str) -> str:
    suffix = suffix.lower()
    return suffix if suffix.startswith(".") else "." + suffix


class _Run:
    """One watching of a folder, and what it remembers between changes."""

    def __init__(
        self,
        folder: Path,
        import_file: Callable[[Path], str],
        suffixes: set[str],
        report: Callable[[Report], None],
        stop: threading.Event,
    ) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self.import_file = import_file
        self.suffixes = suffixes
        self.report = report
        self.stop = stop
        self.handled: dict[PurePath, tuple[int, int]] = {}
        """The size and modification time of each file when it was last imported or refused."""
        self.waiting: dict[PurePath, None] = {}
        """Files not imported because the store could not be used, in the order they came."""
        self.settling: set[PurePath] = set()
        """Files that changed too recently to be taken: looked at again when the watcher next wakes."""

    # ------------------------------------------------------------- the watch

    def watch(self, ready: Callable[[], None] | None) -> None:
        changes = watch(
            self.root,
            watch_filter=self._wanted,
            step=STEP_MS,
            debounce=DEBOUNCE_MS,
            rust_timeout=TIMEOUT_MS,
            yield_on_timeout=True,
            stop_event=self.stop,
            # Ctrl-C comes here as KeyboardInterrupt, caught by watch_folder:
            # watchfiles would otherwise log a warning of its own.
            raise_interrupt=True,
        )
        with closing(changes):
            first = True
            for batch in changes:
                if first:
                    # The watcher listens from its first wake on: the files
                    # already there are looked at only now, so that none landing
                    # meanwhile is missed (one seen twice is skipped, unchanged).
                    first = False
                    self._take(self._walk(self.root), retry_waiting=False)
                    if self.stop.is_set():
                        return
                    self.report(f"Watching {self.folder} for new files (Ctrl-C to stop).")
                    if ready is not None:
                        ready()
                    continue
                landed = [path for change, name in batch for path in self._landed(change, Path(name))]
                self._take(landed, retry_waiting=bool(batch))
                if self.stop.is_set():
                    return

    def _wanted(self, change: Change, name: str) -> bool:
        if change == Change.deleted:
            return False
        relative = self._relative(Path(name))
        if relative is None or not self._may_hold(relative):
            return False
        if change == Change.added and os.path.isdir(name):
            return True  # a folder moved in: its files raise no change of their own
        return self._importable(relative)

    def _landed(self, change: Change, path: Path) -> Iterator[PurePath]:
        relative = self._relative(path)
        if relative is None:
            return
        if change == Change.added and path.is_dir():
            yield from self._walk(path)
        elif self._importable(relative):
            yield relative

    def _walk(self, top: Path) -> Iterator[PurePath]:
        for where, folders, files in os.walk(top):
            here = self._relative(Path(where))
            if here is None:
                continue
            folders[:] = [name for name in folders if self._may_hold(here / name)]
            for name in files:
                if self._importable(here / name):
                    yield here / name

    def _relative(self, path: Path) -> PurePath | None:
        try:
            return PurePath(path).relative_to(self.root)
        except ValueError:
            return None

    def _may_hold(self, relative: PurePath) -> bool:
        parts = relative.parts
        if parts and parts[0] == REFUSED:
            return False
        return not any(part.startswith(".") for part in parts)

    def _importable(self, relative: PurePath) -> bool:
        if not relative.parts or not self._may_hold(relative):
            return False
        name = relative.name.lower()
        if name.endswith(_PARTIAL_ENDINGS):
            return False
        return PurePath(name).suffix in self.suffixes

    # ----------------------------------------------------------- the imports

    def _take(self, landed: Iterable[PurePath], *, retry_waiting: bool) -> None:
        """Import what landed, after the files waiting for the store when `retry_waiting`.

        Files that changed too recently (still settling) are looked at again at
        every wake, change or not; the files waiting for the store only at a
        change in the folder.
        """
        order = dict.fromkeys(self.waiting) if retry_waiting else {}
        order.update(dict.fromkeys(sorted(set(landed) | self.settling)))
        unreachable: str | None = None
        for relative in order:
            if self.stop.is_set():
                return
            path = self.root / relative
            signature = _signature(path)
            if signature is None:  # gone (or not a file any more)
                self.waiting.pop(relative, None)
                self.settling.discard(relative)
                continue
            if self.handled.get(relative) == signature:
                self.settling.discard(relative)
                continue
            if 0 <= time.time() - signature[1] / 1e9 < STEP_MS / 1000:
                # Changed a moment ago: watchfiles ends a group when no *new* path
                # changes, so a file still being written can come in one.
                self.settling.add(relative)
                continue
            self.settling.discard(relative)
            shown = self.folder / relative
            if unreachable is not None:
                # The store just failed: files are not each tried against it again.
                if relative not in self.waiting:
                    self.waiting[relative] = None
                    self.report(Waiting(shown, unreachable))
                continue
            try:
                summary = self.import_file(shown)
            except ImportRejected as rejected:
                if _signature(path) != signature:
                    self.settling.add(relative)  # written to while it was read: read again
                    continue
                self.waiting.pop(relative, None)
                self.handled[relative] = signature
                self._refuse(relative, rejected)
            except NextcallError as error:
                unreachable = " ".join(str(error).split())
                self.waiting[relative] = None
                self.report(Waiting(shown, unreachable))
            else:
                self.waiting.pop(relative, None)
                self.handled[relative] = signature
                self.report(Imported(shown, summary))

    def _refuse(self, relative: PurePath, rejected: ImportRejected) -> None:
        shown = self.folder / relative
        refused = self.root / REFUSED
        try:
            refused.mkdir(exist_ok=True)
            name = _free_name(refused, relative.name)
            problems_file = refused / (name + PROBLEMS_SUFFIX)
            problems_file.write_text(_problems_text(shown, rejected), encoding="utf-8", newline="\n")
            try:
                os.rename(self.root / relative, refused / name)
            except OSError:
                problems_file.unlink(missing_ok=True)
                raise
        except OSError as error:
            self.report(
                f"Refused {shown}: {rules.plural(rejected.total, 'problem')}, nothing imported, "
                f"but it could not be moved to {self.folder / REFUSED} ({error.strerror or error}); "
                "it stays where it is until it changes. Its problems:\n" + "\n".join(rejected.problems)
            )
            return
        self.report(
            Refused(
                shown, self.folder / REFUSED / name, self.folder / REFUSED / problems_file.name,
                list(rejected.problems), rejected.total,
            )
        )


def _signature(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (ns), or None when it is not a file."""
    try:
        found = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return found.st_size, found.st_mtime_ns


def _free_name(folder: Path, name: str) -> str:
    """`name`, or `name (2)`, `name (3)`…: the first that neither it nor its problems file takes in `folder`."""
    stem, suffix = os.path.splitext(name)
    candidate, number = name, 1
    while (folder / candidate).exists() or (folder / (candidate + PROBLEMS_SUFFIX)).exists():
        number += 1
        candidate = f"{stem} ({number}){suffix}"
    return candidate


def _problems_text(shown: Path, rejected: ImportRejected) -> str:
    """What `<name>.problems.txt` says: the file, when, how many problems, then each problem as given."""
    listed = len(rejected.problems)
    count = rules.plural(rejected.total, "problem")
    which = "listed below" if listed == rejected.total else f"the first {listed:,} listed below"
    head = [
        f"{shown} was refused at {instant_text(utc_now().replace(microsecond=0))}: "
        f"{count} ({which}); nothing in it was imported.",
        "Fix them and put the file back in the watched folder to import it.",
        "",
    ]
    return "\n".join(head + list(rejected.problems)) + "\n"
