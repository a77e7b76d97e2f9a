"""One cold start, measured from outside by bench/run.py: exits as soon as the first screen has painted.

    python bench/cold_start.py nextcall --db URL --agent ID   the real `nextcall` command, up to Home painted with data
    python bench/cold_start.py bare                           a bare Textual app that shows one Static
    python bench/cold_start.py measure [--frame TEXT] ARGV... runs ARGV in an 80×24 pseudo-terminal and prints
                                                              {"seconds", "first_frame", "peak_rss_kib", "cpu_seconds",
                                                              "exit"} as JSON

"first_frame" is the time until the terminal first received TEXT (the app's
frame: its header's title, the bare app's one Static), None if it never came.
"cpu_seconds" is the processor time the child used (user and system): on a
machine busy with other work it varies less than the time on the clock.

Both apps run in the same terminal driver; the first screen's data having
been shown and the next refresh having run, the app exits. `measure` is a
small process of its own, so the peak RSS it reads of its child is the
child's alone, not inherited from a large parent.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from types import ModuleType


def measure(argv: list[str]) -> None:
    marker = b""
    if argv[:1] == ["--frame"]:
        marker, argv = argv[1].encode(), argv[2:]
    import fcntl
    import pty
    import struct
    import subprocess
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = os.environ | {"TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}

    first_frame: list[float] = []
    seen = b""

    def drain() -> None:
        nonlocal seen
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            if marker and not first_frame:
                seen = seen[-len(marker):] + chunk
                if marker in seen:
                    first_frame.append(time.perf_counter() - began)

    reader = threading.Thread(target=drain, daemon=True)
    began = time.perf_counter()
    reader.start()
    # Textual draws on stderr: all three are the terminal.
    child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    os.close(slave)
    os.close(master)
    reader.join(timeout=2)
    print(json.dumps({
        "seconds": seconds, "first_frame": first_frame[0] if first_frame else None, "peak_rss_kib": usage.ru_maxrss,
        "cpu_seconds": usage.ru_utime + usage.ru_stime, "exit": child.returncode,
    }))


def bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

        def on_mount(self) -> None:
            self.call_after_refresh(self.exit)

    Bare().run()


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """Call `then(module)` once module `name` is imported, by whichever thread, without importing it here.

    The app loads Home's module after its first frame: importing it here, to
    wrap it, would load the store before the frame and skew what is measured.
    """
    import importlib.abc
    import importlib.util

    class Watch(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: object, target: object = None) -> object:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            assert spec is not None and spec.loader is not None
            execute = spec.loader.exec_module

            def execute_then(module: ModuleType) -> None:
                execute(module)
                then(module)

            spec.loader.exec_module = execute_then  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Watch())


def nextcall(argv: list[str]) -> None:
    from nextcall.tui.cli import main

    painted: list[bool] = []

    def wrap(module: ModuleType) -> None:
        show = module.HomeScreen.show

        def show_then_exit(self, view: object, *more: object) -> None:  # noqa: ANN001
            show(self, view, *more)
            if view is not None and getattr(view, "evaluation_count", 0) > 0 and not painted:
                painted.append(True)
                self.call_after_refresh(self.app.exit)

        module.HomeScreen.show = show_then_exit

    when_imported("nextcall.tui.screens.home", wrap)
    sys.argv = ["nextcall", *argv]
    try:
        main()
    except SystemExit as done:
        if done.code not in (0, None):
            raise
    if painted != [True]:
        sys.exit(3)  # Home never showed the agent's data: the figure would be meaningless


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare"]:
        bare()
    elif sys.argv[1:2] == ["measure"]:
        measure(sys.argv[2:])
    else:
        nextcall(sys.argv[2:])
