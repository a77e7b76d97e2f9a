"""Opening a call's recording with what the system chooses: the browser for a web recording, the player for a file.

`OPEN` is what "Listen from m:ss" calls; tests put a recorder in its place
(`monkeypatch.setattr(opener, "OPEN", recorder)`), so no browser or player
starts while they run.

Only what `store.talkback.recording_link` made is opened, and it is checked
again here: an `http(s)` URL (with its `#t=` media fragment) or a `file:` URL
naming a path on this computer. Nothing is run through a shell.
"""

from __future__ import annotations

import os
import subprocess
import sys
import webbrowser
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from textual.app import App

    from nextcall.store.talkback import RecordingLink


class CannotOpen(Exception):
    """The recording could not be handed to the system: the words say why."""


def _checked(link: RecordingLink) -> None:
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in link.url):
        raise CannotOpen("The recording's address has control characters in it: it is not opened.")
    try:
        parts = urlsplit(link.url)
    except ValueError:
        raise CannotOpen("The recording's address is not a URL: it is not opened.") from None
    scheme = parts.scheme.lower()
    if link.path is not None:
        if scheme != "file" or parts.netloc not in ("", "localhost") or not link.path.is_absolute():
            raise CannotOpen("Only a recording on this computer is opened as a file.")
    elif scheme not in ("http", "https") or not parts.netloc:
        raise CannotOpen("Only http, https and file recordings are opened.")


def file_opener_command(path: str) -> list[str] | None:
    """The platform's own "open with what the system chooses", as a command (None on Windows: `os.startfile`)."""
    if sys.platform == "win32":
        return None
    if sys.platform == "darwin":
        return ["open", "--", path]
    return ["xdg-open", path]


def system_open(app: App, link: RecordingLink) -> None:
    """Hand the recording to the system, without waiting for it.

    A web recording goes to the browser through Textual's `App.open_url` (which
    in a browser-served app opens it there); a file goes to the platform's opener.

    Raises:
        CannotOpen: not a recording that is opened, or the system has no way to open it.
    """
    _checked(link)
    if link.path is None:
        if app.is_web:
            app.open_url(link.url)
            return
        url = link.url

        def browse() -> None:
            if not webbrowser.open(url):
                app.call_from_thread(
                    app.notify, f"No browser was found to open it. The recording is at:\n{url}",
                    title="Could not open the recording", severity="warning", markup=False,
                )

        # In a worker thread: a text-mode browser (no display) would hold the event loop until it exits.
        app.run_worker(browse, thread=True, group="opener", exit_on_error=False)
        return
    path = str(link.path)
    if not link.path.exists():
        raise CannotOpen(f"There is no recording at {path} on this computer.")
    command = file_opener_command(path)
    try:
        if command is None:
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        else:
            subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
    except OSError as error:
        raise CannotOpen(f"No player could be started for {path}: {error.strerror or error}.") from None


OPEN: Callable[[App, RecordingLink], None] = system_open
"""What opens a recording; replaced by a recorder in tests."""


def open_recording(app: App, link: RecordingLink) -> None:
    """Open a recording at its moment with whatever `OPEN` is now."""
    OPEN(app, link)
