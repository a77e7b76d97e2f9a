"""A moment in a call: when it happened, what was said, what the evaluator noted."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from nextcall.store.views import MomentView

from ..text import call_time, literal, when


def moment_content(call_id: str, occurred: str, moment_s: int | None, quote: str | None, comment: str | None) -> Content:
    """The lines of a moment, data shown literally."""
    where = f"{call_id} · {occurred}" + (f" · at {call_time(moment_s)}" if moment_s is not None else "")
    parts: list[Content | str | tuple[str, str]] = [(where, "$text-muted")]
    if quote:
        parts += ["\n", ("“" + literal(quote) + "”", "italic")]
    if comment:
        parts += ["\n", ("Evaluator: ", "bold"), literal(comment)]
    return Content.assemble(*parts)


class MomentCard(Static):
    """The latest moment the focus behaviour was missed, to listen back to."""

    DEFAULT_CSS = """
    MomentCard { height: auto; }
    """

    def show(self, moment: MomentView | None) -> None:
        if moment is None:
            self.update(Content("Not missed lately: nothing to listen back to."))
            return
        self.update(moment_content(moment.call_id, when(moment.occurred_at), moment.moment_s, moment.quote, moment.comment))
