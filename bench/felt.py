"""What an agent feels in the app on a large store, driven by Textual's Pilot; run by bench/run.py in a process of its own.

    python bench/felt.py tour --db URL --agent ID --now ISO
        key press to the next screen painted with its data, for each screen in turn, twice round
    python bench/felt.py live --db URL --agent ID --now ISO --file ONE.jsonl --call CALL_ID
        an evaluation imported by another process (`nextcall import`) until the open app's Home shows it

Both print one JSON object. "Painted with its data" is the screen's own
`show` having run with the view its worker read, and the refresh after it
done: each screen's `show` is wrapped to note that moment. The clock of the
store's queries is set to `--now` (the bench's data ends months ago; a board
"of the last 30 days" must hold calls), as the tests freeze it.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

TOUR = ["scorecards", "goal", "badges", "leaderboard", "self-assessment", "home"]
SCREENS = {
    "home": ("home", "HomeScreen"),
    "scorecards": ("scorecards", "ScorecardsScreen"),
    "goal": ("goal", "GoalScreen"),
    "badges": ("badges", "BadgesScreen"),
    "leaderboard": ("leaderboard", "LeaderboardScreen"),
    "self-assessment": ("self_assessment", "SelfAssessmentScreen"),
}
DEADLINE_S = float(__import__("os").environ.get("FELT_DEADLINE", 120))


def freeze_clock(now: datetime) -> None:
    from nextcall.store import leaderboard, queries

    leaderboard.utc_now = lambda: now  # type: ignore[assignment]
    queries.utc_now = lambda: now  # type: ignore[assignment]


def _has_data(mode: str, args: tuple) -> bool:
    view = args[0] if args else None
    if view is None:
        return False
    if mode == "scorecards":
        return bool(view.rows)
    if mode == "leaderboard":
        return bool(view.ranked or view.unranked)
    if mode == "self-assessment":
        return bool(view.measured)
    return getattr(view, "evaluation_count", 1) > 0


def watch_paints() -> list[tuple[str, float, object]]:
    """Wrap every screen's `show`: (mode, when painted, view) for each show with data, after its refresh."""
    painted: list[tuple[str, float, object]] = []
    for mode, (module, name) in SCREENS.items():
        cls = getattr(import_module(f"nextcall.tui.screens.{module}"), name)
        show = cls.show

        def wrapped(self, *args, _show=show, _mode=mode, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            result = _show(self, *args, **kwargs)
            if _has_data(_mode, args):
                view = args[0]
                self.call_after_refresh(lambda: painted.append((_mode, time.perf_counter(), view)))
            return result

        cls.show = wrapped
    return painted


async def _wait(painted: list, count: int, mode: str, pilot) -> float:  # noqa: ANN001
    began = time.monotonic()
    while True:
        for entry in painted[count:]:
            if entry[0] == mode:
                return entry[1]
        if time.monotonic() - began > DEADLINE_S:
            shown = [(entry[0], type(pilot.app.screen).__name__) for entry in painted]
            raise TimeoutError(f"{mode} never painted its data (waited {DEADLINE_S} s); painted: {shown}")
        await asyncio.sleep(0.001)


def _app(db: str, agent: str, poll_seconds: float | None = None):  # noqa: ANN202
    """The app as `nextcall` runs it at a terminal: the store opened in the app's own worker, after its first frame."""
    from nextcall.store.db import make_engine
    from nextcall.store.settings import Settings
    from nextcall.tui.app import NextcallApp

    seconds = poll_seconds if poll_seconds is not None else Settings().poll_seconds

    def open_store() -> dict[str, object]:
        return {"engine": make_engine(db), "agent_id": agent}

    return NextcallApp(open_store=open_store, zone=UTC, poll_seconds=seconds), seconds


def _reloads_on_resume(screen: object) -> bool:
    """Whether showing the screen again reads the store again (else its data is on it already)."""
    resume = getattr(type(screen), "on_screen_resume", None)
    try:
        return resume is not None and "load(" in inspect.getsource(resume)
    except (OSError, TypeError):
        return True


async def _painted_now(app) -> float:  # noqa: ANN001
    """The moment the refresh after now has run: a screen whose data is already on it, painted."""
    done = asyncio.get_running_loop().create_future()
    app.screen.call_after_refresh(lambda: done.done() or done.set_result(time.perf_counter()))
    return await asyncio.wait_for(done, DEADLINE_S)


async def tour(db: str, agent: str, rounds: int) -> dict:
    painted = watch_paints()
    app, _ = _app(db, agent)
    keys = {mode: key for mode, (key, _, _) in import_module("nextcall.tui.screens.base").NAV.items()}
    transitions: list[dict] = []
    floor: list[float] = []
    seen: dict[str, object] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait(painted, 0, "home", pilot)
        seen["home"] = app.screen
        for round_ in range(rounds):
            for mode in TOUR:
                await pilot.pause()
                count = len(painted)
                began = time.perf_counter()
                await pilot.press(keys[mode])
                screen = seen.get(mode)
                if screen is None or _reloads_on_resume(screen):
                    done = await _wait(painted, count, mode, pilot)
                else:
                    while app.screen is not screen:
                        await asyncio.sleep(0.001)
                    done = await _painted_now(app)
                seen[mode] = app.screen
                transitions.append({"to": mode, "round": round_ + 1, "ms": (done - began) * 1000})
                # The floor: the same key again, the screen already shown with its data: a press and a refresh.
                await pilot.pause()
                began = time.perf_counter()
                await pilot.press(keys[mode])
                floor.append((await _painted_now(app) - began) * 1000)
        app.exit()
    return {
        "transitions": transitions, "median_ms": statistics.median(t["ms"] for t in transitions),
        "floor_ms": statistics.median(floor),
    }


async def live(db: str, agent: str, path: str, call_id: str) -> dict:
    painted = watch_paints()
    app, poll = _app(db, agent)
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait(painted, 0, "home", pilot)
        await pilot.pause(0.5)
        count = len(painted)
        command = [sys.executable, "-c", "from nextcall.tui.cli import main; main()", "--db", db, "import", path]
        process = await asyncio.create_subprocess_exec(
            *command, stdout=subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, error = await process.communicate()
        committed = time.perf_counter()  # the command has exited: its one transaction is committed
        if process.returncode != 0:
            raise SystemExit(error.decode())
        began = time.monotonic()
        while True:
            shown = [e for e in painted[count:] if e[0] == "home" and e[2].last_call.call_id == call_id]
            if shown:
                break
            if time.monotonic() - began > DEADLINE_S:
                raise TimeoutError(f"{call_id} never reached Home (waited {DEADLINE_S} s)")
            await asyncio.sleep(0.005)
        app.exit()
    return {"seconds": shown[0][1] - committed, "poll_seconds": poll}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["tour", "live"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--agent", required=True)
    parser.add_argument("--now", required=True, help="the store's clock, ISO 8601")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--file")
    parser.add_argument("--call")
    args = parser.parse_args()
    freeze_clock(datetime.fromisoformat(args.now))
    if args.what == "tour":
        result = asyncio.run(tour(args.db, args.agent, args.rounds))
    else:
        result = asyncio.run(live(args.db, args.agent, args.file, args.call))
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
