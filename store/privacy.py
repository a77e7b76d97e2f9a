"""Agents' and team leads' own logins to a shared PostgreSQL database.

On a shared database every agent's app could read every agent's calls. A
login made here holds no privilege on nextcall's tables (schema `nextcall`);
what it may see and change is decided by functions in the database
(migration 0006), not by the app:

- an agent's login reads, through views in `nextcall_scope` over
  SECURITY DEFINER functions, that agent's own evaluations and their results,
  goals, self-assessments, badges and points, and the team, scorecard and
  behaviour names; it writes only through functions that check each change:
  a goal starts now with the baseline the database computes and then only
  ends; a draft is its own; a submission is made now, for a session soon;
  the leaderboard opt-out is its own;
- badges and points are derived by the store's owner alone: an import
  derives them for the agents it touches, and `derive_recognition` (`nextcall
  db refresh`) for goals and self-assessments changed by agents' logins;
- a lead's login reads every row of one team's agents, drafts excepted, and
  writes nothing;
- both read the leaderboard of everyone, for named periods only, through
  functions that show an opted-out colleague as Anonymous, with no agent id,
  and withhold figures resting on fewer calls than the team's minimum
  (`board_rules`, the owner's to set).

Logins belong to the group roles `nextcall_agent` or `nextcall_lead`, which
hold the privileges; the mapping of login to agent or team lives in
`nextcall_access.agent_login`, which no login can read. Granting and revoking
take a role that may create roles (CREATEROLE, or a superuser) and owns the
tables, such as the one that created the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from .db import describe, unit_of_work
from .errors import LoginError, NextcallError
from .models import Agent
from .recognition import refresh_recognition

if TYPE_CHECKING:
    from psycopg import sql

# psycopg is imported by the functions that manage logins, which run on PostgreSQL only: the
# goals and self-assessments that import this module open on SQLite without it (7 MiB, 0.1 s).

AGENT_GROUP = "nextcall_agent"
LEAD_GROUP = "nextcall_lead"

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}$")
"""Login names people can type in a URL: letters, digits and . _ - @, at most 63 characters."""

INSUFFICIENT_PRIVILEGE = "42501"
DEPENDENT_OBJECTS = "2BP01"


@dataclass(frozen=True, slots=True)
class LoginView:
    """One login and whose rows it reads."""

    login: str
    kind: str
    """"agent" (reads one agent's own rows) or "lead" (reads a team's)."""
    agent_id: str | None
    team_id: str
    """The agent's team, or the team the lead sees."""
    name: str
    """The agent's name, or the team's."""
    granted_at: datetime


def require_shared(url: str) -> None:
    """Refuse a database that is not PostgreSQL, before anything is opened or created.

    Raises:
        LoginError: `url` is a SQLite file (or anything but PostgreSQL).
    """
    if make_url(url).get_backend_name() != "postgresql":
        raise LoginError(
            f"{describe(url)} is not a shared database: logins need a shared PostgreSQL database. "
            "Anyone who can open a SQLite file can read all of it; give --db postgresql://USER@HOST/DB."
        )


def login_url(url: str, login: str) -> str:
    """The URL a login connects with: the admin's server and database, the login's name, no password."""
    parsed = make_url(url)
    # Made afresh, not with .set(): .set(password=None) keeps the admin's password.
    return URL.create(
        parsed.get_backend_name(), username=login, host=parsed.host, port=parsed.port,
        database=parsed.database, query=parsed.query,
    ).render_as_string(hide_password=False)


def grant_agent(db: Engine, agent_id: str, *, login: str | None = None, password: str | None = None) -> str:
    """Give an agent a login that reads only their own rows; returns its name.

    Granting again is harmless: the same login is returned, with its password
    changed only when `password` is given. A new login without a password can
    connect only where the server trusts it otherwise (peer, certificate).

    Args:
        login: its name; default the agent's existing login, else the agent id.
        password: set as the login's password (sent to the server already hashed).

    Raises:
        LoginError: SQLite, an unknown agent, a name taken by another role or
            login, or a connection that may not create roles.
    """
    with _admin(db) as connection:
        exists = connection.execute(text("SELECT 1 FROM agent WHERE id = :id"), {"id": agent_id}).first()
        if exists is None:
            raise LoginError(f"There is no agent {agent_id!r} in {describe(str(db.url))}; import them first.")
        current = connection.execute(
            text("SELECT login FROM nextcall_access.agent_login WHERE kind = 'agent' AND agent_id = :id"),
            {"id": agent_id},
        ).scalar()
        login = login or current or agent_id
        if current is not None and current != login:
            raise LoginError(f"{agent_id} already has the login {current}; revoke it first to give them another.")
        _create_or_keep(connection, login, AGENT_GROUP, password, kind="agent", agent_id=agent_id, team_id=None)
        return login


def grant_lead(db: Engine, team_id: str, login: str, *, password: str | None = None) -> str:
    """Give a team lead a login that reads every row of one team's agents; returns its name.

    Granting again is harmless; `password`, when given, replaces the old one.

    Raises:
        LoginError: SQLite, an unknown team, a login that is an agent's or
            leads another team, or a connection that may not create roles.
    """
    with _admin(db) as connection:
        exists = connection.execute(text("SELECT 1 FROM team WHERE id = :id"), {"id": team_id}).first()
        if exists is None:
            raise LoginError(f"There is no team {team_id!r} in {describe(str(db.url))}; import it first.")
        _create_or_keep(connection, login, LEAD_GROUP, password, kind="lead", agent_id=None, team_id=team_id)
        return login


def revoke(db: Engine, login: str) -> str | None:
    """Remove a login made by `grant_agent` or `grant_lead`: its sessions ended, what it made here dropped, its role dropped.

    Whatever the login created in this database (large objects, objects in a
    schema it could create in) is dropped with it, so nothing it made can keep
    it. Roles are shared by the server's databases: if it still owns something
    in another one, the role stays, unable to log in, and the returned note says so.

    Returns:
        None when the role is gone; else a sentence on what is left and what to do.

    Raises:
        LoginError: SQLite, a name that is not a login of this database, or a
            connection that may not drop roles.
    """
    import psycopg
    from psycopg import sql

    with _admin(db) as connection:
        found = connection.execute(
            text("SELECT login FROM nextcall_access.agent_login WHERE login = :login"), {"login": login}
        ).first()
        if found is None:
            raise LoginError(f"{login} is not a nextcall login of this database; `nextcall admin logins` lists them.")
        role = sql.Identifier(login)
        exists = _role_exists(connection, login)
        if exists:
            # First of all it may not log in again, whatever else happens.
            _ddl(connection, sql.SQL("ALTER ROLE {} NOLOGIN").format(role))
            may_signal = connection.execute(
                text("SELECT pg_catalog.pg_has_role(current_user, 'pg_signal_backend', 'USAGE')")
            ).scalar()
            if may_signal:
                # Sessions already open would otherwise go on with the role's last privileges, and
                # one in the middle of a write holds its mapping's row: ended, it lets go of it.
                connection.execute(
                    text(
                        "SELECT pg_catalog.pg_terminate_backend(pid, 10000)"
                        " FROM pg_catalog.pg_stat_activity WHERE usename = :login"
                    ),
                    {"login": login},
                )
        connection.execute(text("DELETE FROM nextcall_access.agent_login WHERE login = :login"), {"login": login})
        if not exists:
            return None
        superuser = connection.execute(
            text("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
        ).scalar()
        if not superuser:
            _ddl(connection, sql.SQL("GRANT {} TO CURRENT_USER").format(role))
        _ddl(connection, sql.SQL("DROP OWNED BY {}").format(role))
        if not superuser:
            _ddl(connection, sql.SQL("REVOKE {} FROM CURRENT_USER").format(role))
        try:
            with connection.begin_nested():
                _ddl(connection, sql.SQL("DROP ROLE {}").format(role))
        except (DBAPIError, psycopg.Error) as error:
            original = getattr(error, "orig", None) or error
            if getattr(original, "sqlstate", None) != DEPENDENT_OBJECTS:
                raise
            diagnosis = getattr(original, "diag", None)
            where = (getattr(diagnosis, "message_detail", None) or str(original)).strip().splitlines()[0]
            _ddl(connection, sql.SQL("REVOKE {}, {} FROM {}").format(
                sql.Identifier(AGENT_GROUP), sql.Identifier(LEAD_GROUP), role
            ))
            return (
                f"{login} can no longer log in or read anything here, but its role stays: it still owns "
                f"something in another database of the server ({where}). Run `DROP OWNED BY \"{login}\"` "
                f"there, then `DROP ROLE \"{login}\"`."
            )
        return None


def list_logins(db: Engine) -> list[LoginView]:
    """Every agent's and lead's login of this database, by name.

    Raises:
        LoginError: SQLite, or a connection that may not read the logins.
    """
    with _admin(db, creates_roles=False) as connection:
        rows = connection.execute(
            text(
                """
                SELECT l.login, l.kind, l.agent_id, coalesce(a.team_id, l.team_id),
                       coalesce(a.name, t.name, t.id), l.granted_at
                FROM nextcall_access.agent_login l
                LEFT JOIN agent a ON a.id = l.agent_id
                LEFT JOIN team t ON t.id = l.team_id
                ORDER BY l.login
                """
            )
        )
        return [LoginView(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class BoardRulesView:
    """How the board is kept for every login of a shared database (migration 0006)."""

    time_zone: str
    """Periods start at midnight here (the team's zone, not each app's)."""
    min_calls: int
    """Calls in a period before an agent is ranked, and before a colleague's figure is shown at all."""


def board_rules(db: Engine) -> BoardRulesView:
    """The board's time zone and minimum as the database keeps them for logins.

    Raises:
        LoginError: SQLite, or a database without logins yet.
    """
    with _admin(db, creates_roles=False) as connection:
        zone, min_calls = connection.execute(text("SELECT time_zone, min_calls FROM nextcall_access.board_rules")).one()
        return BoardRulesView(zone, min_calls)


def set_board_rules(db: Engine, *, time_zone: str | None = None, min_calls: int | None = None) -> BoardRulesView:
    """Change the board every login reads: the team's time zone, the minimum of calls (1 to 1,000).

    Raises:
        LoginError: an unknown zone, a minimum out of range, SQLite, or a role that may not manage logins.
    """
    if min_calls is not None and not 1 <= min_calls <= 1000:
        raise LoginError(f"The minimum of calls is a whole number from 1 to 1,000 (got {min_calls}).")
    with _admin(db, creates_roles=False, writes=True) as connection:
        if time_zone is not None:
            known = connection.execute(
                text("SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = :zone"), {"zone": time_zone}
            ).first()
            if known is None:
                raise LoginError(f"{time_zone!r} is not a time zone this server knows; use an IANA name such as Europe/London.")
        zone, calls = connection.execute(
            text(
                "UPDATE nextcall_access.board_rules SET time_zone = coalesce(:zone, time_zone),"
                " min_calls = coalesce(:min_calls, min_calls) RETURNING time_zone, min_calls"
            ),
            {"zone": time_zone, "min_calls": min_calls},
        ).one()
        return BoardRulesView(zone, calls)


def lead_login(db: Engine) -> bool:
    """Whether the store is opened with a team lead's own login (its app opens on the Team screen)."""
    from .db import through_login

    with Session(db) as session:
        if not through_login(session):
            return False
        found = session.connection().execute(text("SELECT pg_has_role(session_user, :group, 'MEMBER')"), {"group": LEAD_GROUP})
        return bool(found.scalar())


def can_derive_recognition(session: Session) -> bool:
    """Whether this session may write badges and points (the owner's may; an agent's login may not).

    One query on PostgreSQL, none on SQLite. A session that may not derives
    nothing: the owner's next import or `derive_recognition` does.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return True
    checks = " AND ".join(
        f"has_table_privilege('{table}', '{privilege}')"
        for table in ("badge_award", "points_entry")
        for privilege in ("INSERT", "UPDATE", "DELETE")
    )
    return bool(connection.exec_driver_sql(f"SELECT {checks}").scalar())


class RecognitionError(NextcallError):
    """Recognition cannot be derived as asked."""

    title = "Recognition"


def derive_recognition(db: Engine, *, agent_ids: Sequence[str] = ()) -> tuple[int, int]:
    """Derive badges and points afresh for these agents (default: everyone), as the store's owner.

    Agents' logins start goals and submit self-assessments but derive no
    recognition; this brings theirs up to date. Run after imports or on a schedule.

    Returns:
        How many agents were derived, and how many badges are new to the store.

    Raises:
        RecognitionError: an unknown agent, or a connection that may not write badges and points.
    """
    with unit_of_work(db) as session:
        if not can_derive_recognition(session):
            raise RecognitionError(
                f"{_user(db)} may not write badges and points in {describe(str(db.url))}: "
                "run this as the role that owns nextcall's tables."
            )
        query = select(Agent.id)
        if agent_ids:
            query = query.where(col(Agent.id).in_(agent_ids))
        known = set(session.exec(query))
        missing = sorted(set(agent_ids) - known)
        if missing:
            raise RecognitionError(f"There is no agent {', '.join(map(repr, missing))} in {describe(str(db.url))}.")
        awards = refresh_recognition(session, known)
        return len(known), len(awards)


# ------------------------------------------------------------------ helpers


@contextmanager
def _admin(db: Engine, *, creates_roles: bool = True, writes: bool | None = None) -> Iterator[Connection]:
    """One transaction on a PostgreSQL database with logins, as a role that may manage them."""
    writes = creates_roles if writes is None else writes
    where = describe(str(db.url))
    require_shared(str(db.url))
    import psycopg

    try:
        with db.begin() as connection:
            if connection.execute(text("SELECT to_regclass('nextcall_access.agent_login')")).scalar() is None:
                raise LoginError(f"{where} has no logins yet; run `nextcall db upgrade` first.")
            user, may_create, may_change = connection.execute(
                text(
                    "SELECT current_user, rolsuper OR rolcreaterole,"
                    " has_table_privilege('nextcall_access.agent_login', :privilege)"
                    " FROM pg_roles WHERE rolname = current_user"
                ),
                {"privilege": "INSERT" if writes else "SELECT"},
            ).one()
            if not may_change or (creates_roles and not may_create):
                raise LoginError(_not_allowed(user, where))
            if creates_roles and not connection.execute(text("SELECT nextcall_access.ensure_groups()")).scalar():
                raise LoginError(_not_allowed(user, where))
            yield connection
    except LoginError:
        raise
    except (DBAPIError, psycopg.Error) as error:
        original = getattr(error, "orig", None) or error
        first = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
        if getattr(original, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise LoginError(f"{_not_allowed(_user(db), where)} ({first})") from None
        raise LoginError(f"cannot manage logins in {where}: {first}") from None


def _user(db: Engine) -> str:
    return db.url.username or "this user"


def _not_allowed(user: str, where: str) -> str:
    return (
        f"{user} may not manage logins in {where}: connect as the role that owns nextcall's tables "
        "with CREATEROLE (or as a superuser)."
    )


def _role_exists(connection: Connection, login: str) -> bool:
    return connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :login"), {"login": login}).first() is not None


def _create_or_keep(
    connection: Connection,
    login: str,
    group: str,
    password: str | None,
    *,
    kind: str,
    agent_id: str | None,
    team_id: str | None,
) -> None:
    if not LOGIN_PATTERN.match(login) or login.startswith("pg_"):
        raise LoginError(
            f"{login!r} cannot be a login: use letters, digits and . _ - @ (at most 63, not starting with pg_)."
        )
    mapped = connection.execute(
        text("SELECT kind, agent_id, team_id FROM nextcall_access.agent_login WHERE login = :login"), {"login": login}
    ).first()
    if mapped is not None and tuple(mapped) != (kind, agent_id, team_id):
        whose = f"agent {mapped[1]}" if mapped[0] == "agent" else f"the lead of team {mapped[2]}"
        raise LoginError(f"{login} is already the login of {whose}; revoke it first or choose another name.")
    from psycopg import sql

    role = sql.Identifier(login)
    if not _role_exists(connection, login):
        _ddl(connection, sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT").format(role))
    elif mapped is None:
        raise LoginError(
            f"A database role named {login} already exists and is not a nextcall login of this database; "
            "choose another name."
        )
    if password is not None:
        _ddl(connection, sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(_hashed(connection, login, password))))
    _ddl(connection, sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), role))
    if mapped is None:
        connection.execute(
            text(
                "INSERT INTO nextcall_access.agent_login (login, kind, agent_id, team_id)"
                " VALUES (:login, :kind, :agent_id, :team_id)"
            ),
            {"login": login, "kind": kind, "agent_id": agent_id, "team_id": team_id},
        )


def _hashed(connection: Connection, login: str, password: str) -> str:
    """The password as the server stores it, made here so the plain text never reaches the server's logs."""
    if not password or "\x00" in password:
        raise LoginError("A password must not be empty or hold a NUL character.")
    import psycopg

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return driver.pgconn.encrypt_password(password.encode(), login.encode()).decode()


def _ddl(connection: Connection, statement: sql.Composed) -> None:
    # Role statements take no parameters; psycopg quotes the names and the literal.
    import psycopg

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        cursor.execute(statement)
