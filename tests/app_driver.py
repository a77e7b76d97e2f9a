"""Run the app in a process of its own and use it as an agent would, for tests that need several at once.

    python tests/app_driver.py DB_URL AGENT ROLE STOP_FILE EXPECTED_EVALUATIONS

ROLE is `goal` (start a goal, set it aside, again and again) or `draft` (type
into the self-assessment and let it autosave, again and again). The driver
prints READY once it has written to the store, keeps writing until STOP_FILE
exists, then waits for the app's poller to have seen EXPECTED_EVALUATIONS
evaluations and prints one JSON line of what it did. Any error the app showed
is printed to stderr and the exit code is 1.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.widgets import OptionList  # noqa: E402

from nextcall.store.db import make_engine  # noqa: E402
from tests.tui.conftest import make_app  # noqa: E402
from tests.tui.conftest import settle  # noqa: E402

DEADLINE_S = 90


async def until(condition, pilot, what: str) -> None:  # noqa: ANN001
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > DEADLINE_S:
            raise TimeoutError(f"waited {DEADLINE_S} s for {what}")
        await pilot.pause(0.1)


async def goal_cycle(app, pilot, done: list[str]) -> None:  # noqa: ANN001
    """Start the first suggested goal, then set it aside with a reason."""
    await pilot.press("n")
    await until(lambda: bool(app.screen.query(OptionList)), pilot, "the goal picker")
    options = app.screen.query_one(OptionList)
    options.highlighted = 0
    key = options.get_option_at_index(0).id
    await pilot.press("enter")
    await settle(app, pilot)

    def started() -> bool:
        if type(app.screen).__name__ == "AlreadyLandedDialog":
            app.screen.dismiss(True)  # a behaviour already landed: start it anyway
            return False
        return getattr(getattr(app.screen, "view", None), "current", None) is not None

    await until(started, pilot, "the goal to start")
    await pilot.press("d")
    await until(lambda: bool(app.screen.query("#drop-reason")), pilot, "the drop dialog")
    reason = f"cycle {len(done)}"
    await pilot.press(*reason, "enter")
    await settle(app, pilot)
    await until(lambda: getattr(app.screen.view, "current", 1) is None, pilot, "the goal to be set aside")
    done.append(f"{key}:{reason}")


async def draft_cycle(app, pilot, done: list[str]) -> None:  # noqa: ANN001
    """Type a few words into the strengths and wait for the autosave."""
    chunk = f"w{len(done)} "
    await pilot.press(*chunk)
    await pilot.pause(1.2)  # past the one-second autosave
    await settle(app, pilot)
    status = app.screen.query_one("#sa-status")
    await until(lambda: "saved" in str(status.render()).lower(), pilot, "the draft to save")
    done.append(chunk)


async def main(db_url: str, agent: str, role: str, stop_file: Path, expected: int) -> int:
    engine = make_engine(db_url)
    app = make_app(engine, agent)
    done: list[str] = []
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        if role == "goal":
            await pilot.press("g")
            await settle(app, pilot)
            cycle = goal_cycle
        else:
            await pilot.press("w")
            await settle(app, pilot)
            app.screen.query_one("#sa-strengths").focus()
            await pilot.pause()
            cycle = draft_cycle
        await cycle(app, pilot, done)
        print("READY", flush=True)
        while not stop_file.exists():
            await cycle(app, pilot, done)
        await until(lambda: app._marker is not None and app._marker[1] == expected, pilot, "the poller to see every import")
        await settle(app, pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        warnings = [n for n in app._notifications if n.severity == "warning"]
    engine.dispose()
    for notification in [*errors, *warnings]:
        print(f"app showed: {notification.title}: {notification.message}", file=sys.stderr)
    print(json.dumps({"role": role, "agent": agent, "done": done}), flush=True)
    return 1 if errors or warnings else 0


if __name__ == "__main__":
    url, agent_id, role_name, stop, count = sys.argv[1:6]
    sys.exit(asyncio.run(main(url, agent_id, role_name, Path(stop), int(count))))
