"""Children that take Ctrl-C as a person's terminal gives it."""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """For `preexec_fn`: SIGINT acted on as by default in the child.

    A child inherits an ignored SIGINT (a background job's, such as a CI runner's) and a blocked one (a
    test runner's worker thread's signal mask): a person's terminal gives it neither."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
