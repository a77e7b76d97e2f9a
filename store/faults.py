"""What can go wrong with a database, in words written once.

The store raises these, the command prints them after `nextcall: `, and the
app shows them: each names the cause, says that nothing was written, and where
there is something to try, what.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import StoreError

NOTHING_WRITTEN = "nothing was written"
"""One wording for 'the database is as it was' (a batch refused by the importer says 'nothing was imported')."""


def interrupted() -> str:
    """Ctrl-C (SIGINT) during a command: its transaction rolled back, its output file was never put in place."""
    return f"interrupted; {NOTHING_WRITTEN}."


def lost(reason: str) -> str:
    """The database went away mid-command (a restart, a network cut): the transaction never committed."""
    return f"lost the database ({reason}); {NOTHING_WRITTEN}. Run the command again once it is back."


def cannot_open(where: str, reason: str) -> StoreError:
    return StoreError(f"cannot open the database {where}: {reason}")


def not_nextcall(where: str, reason: str) -> StoreError:
    return StoreError(f"{where} is not a nextcall database ({reason}); {NOTHING_WRITTEN}; give --db a new file or an empty database.")


def foreign_tables(where: str, tables: Iterable[str]) -> StoreError:
    shown = ", ".join(sorted(tables)[:5])
    return StoreError(
        f"{where} already holds tables that are not nextcall's ({shown}); {NOTHING_WRITTEN}; "
        "give --db a new file or an empty database."
    )


def damaged(where: str, reason: str) -> StoreError:
    return StoreError(f"{where} is damaged ({reason}); {NOTHING_WRITTEN}; restore it from a backup, or give --db a new file.")


def read_only(path: Path, reason: str, *, folder: bool) -> StoreError:
    """A SQLite file nextcall may not write: the file itself, or the folder its journal files go in."""
    if folder:
        return StoreError(f"{path} is in a read-only folder, {path.parent} ({reason}); {NOTHING_WRITTEN}.")
    return StoreError(f"{path} is read-only ({reason}); {NOTHING_WRITTEN}.")


def disk_full(path: Path, reason: str) -> StoreError:
    return StoreError(f"the disk holding {path} is full ({reason}); {NOTHING_WRITTEN}.")


def wrong_encoding(where: str, encoding: str) -> StoreError:
    return StoreError(
        f"{where} uses encoding {encoding}; nextcall needs a UTF-8 database "
        f"(CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0); {NOTHING_WRITTEN}."
    )


def no_database_yet(path: Path) -> StoreError:
    return StoreError(
        f"no database at {path} yet; {NOTHING_WRITTEN}. "
        "`nextcall import FILE` makes one; `nextcall demo` shows the app on demo data."
    )
