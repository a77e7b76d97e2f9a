"""Children that take Ctrl-C as a person's terminal gives it."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable


def default_sigint() -> None:
    """For `preexec_fn`: SIGINT acted on as by default in the child.

    A child inherits an ignored SIGINT (a background job's, such as a CI runner's) and a blocked one (a
    test runner's worker thread's signal mask): a person's terminal gives it neither."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


FAULTHANDLER = {"PYTHONFAULTHANDLER": "1"}
"""For a child's environment: aborted, it writes every thread's stack to its stderr (see `exit_after_ctrl_c`)."""


def exit_after_ctrl_c(child: subprocess.Popen, timeout: float, stderr: Callable[[], str]) -> int:
    """Ctrl-C to the child, and its exit code once it has ended.

    A child still running `timeout` seconds later has hung: it is aborted, and the
    failure shows what it wrote to stderr, every thread's stack among it when the
    child was started with `FAULTHANDLER` in its environment.
    """
    child.send_signal(signal.SIGINT)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGABRT)
        child.wait(timeout=timeout)
        raise AssertionError(f"still running {timeout:.0f} s after Ctrl-C; its stderr:\n{stderr()}") from None
