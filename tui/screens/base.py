"""What every screen that reads the store shares: access to it, and failures put into words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine
from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from nextcall.store.errors import NextcallError

if TYPE_CHECKING:
    from ..app import NextcallApp


class StoreScreen(Screen[None]):
    """A screen whose data comes from store queries run in workers."""

    @property
    def nextcall(self) -> NextcallApp:
        return self.app  # type: ignore[return-value]

    @property
    def engine(self) -> Engine:
        return self.nextcall.engine

    @property
    def agent_id(self) -> str | None:
        return self.nextcall.agent_id

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, NextcallError):
            message = error.message
        else:
            message = f"{type(error).__name__}: {error}".strip()
        self.loading = False
        self.app.notify(
            f"{message}\nnextcall will try again when the store changes; check the database with `nextcall db info`.",
            title="Could not read the store",
            severity="error",
            markup=False,
        )
