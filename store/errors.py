"""Errors the store raises for people to read.

Every `NextcallError` carries a message that says what happened and what to
try; the CLI prints it to stderr, the app shows it in a dialog or a toast.
"""

from __future__ import annotations


class NextcallError(Exception):
    """A problem a person can act on."""

    title: str = "nextcall"

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class SettingsError(NextcallError):
    """A setting (flag, environment variable) has a value nextcall cannot use."""

    title = "Settings"


class StoreError(NextcallError):
    """The database cannot be opened or used."""

    title = "Database"


class LoginError(NextcallError):
    """An agent's or a lead's database login cannot be granted, listed or revoked as asked."""

    title = "Logins"


class ImportRejected(NextcallError):
    """An import batch had problems; nothing was written.

    Attributes:
        problems: one line per problem, `FILE:LINE: field.path: what is wrong (got VALUE)`.
    """

    title = "Import"

    def __init__(self, problems: list[str], *, total: int | None = None) -> None:
        self.problems = problems
        self.total = max(total or 0, len(problems))
        if self.total > len(problems):
            found = f"the first {len(problems):,} of {self.total:,} problems are listed"
        else:
            found = f"{len(problems):,} {'problem' if len(problems) == 1 else 'problems'} found"
        super().__init__("\n".join(problems) + f"\n{found}; nothing was imported.")
