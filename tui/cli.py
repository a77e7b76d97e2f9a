"""The `nextcall` command: import and export data, load the demo, look after the database.

Textual is imported only by the commands that open the app, so that `import`
and `export` start fast in scripts and schedulers.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nextcall.store.errors import ImportRejected, NextcallError, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from nextcall.store.settings import Settings

# The store, SQLAlchemy and the settings load only inside the commands that use
# them: `nextcall --help` and a mistyped option answer at once.

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--db URL`, accepted before or after the subcommand."""
    return click.option(
        "--db",
        metavar="URL",
        # NEXTCALL_DB is read by the settings, so an error can name where a bad value came from.
        help="Database URL: sqlite:///PATH or postgresql://USER@HOST/DB. "
        "Default: nextcall.db in your data folder.  [env var: NEXTCALL_DB]",
    )(command)


def _team_store(ctx: click.Context, db: str | None, *, demo: bool, team: str | None) -> tuple[Settings, str, Engine]:
    """The settings, the store's URL and the store a team's screen opens (the demo's, made first if need be),
    with `--team` checked against it."""
    from nextcall.store.db import open_store
    from nextcall.store.leaderboard import teams

    settings = _settings(ctx, db)
    url = settings.demo_db_url if demo else settings.db_url
    if demo and not Path(url.removeprefix("sqlite:///")).exists():
        from nextcall.seed.load import load_demo

        load_demo(url, today=date.today(), now=datetime.now(UTC))
    engine = open_store(url)
    known = [t.id for t in teams(engine)]
    if team is not None and team not in known:
        raise NextcallError(f"--team: no team {team!r}; one of {', '.join(known) or '(none yet: import data first)'}")
    return settings, url, engine


def _settings(ctx: click.Context, db: str | None = None, **overrides: object) -> Settings:
    from nextcall.store.settings import load_settings

    root_db = ctx.find_root().params.get("db")
    return load_settings(db=db or root_db, **overrides)


def _fail(error: NextcallError) -> click.exceptions.Exit:
    # Data can hold anything, so messages go out as plain text, never as markup.
    sys.stderr.write(f"{error.message}\n" if isinstance(error, ImportRejected) else f"nextcall: {error.message}\n")
    return click.exceptions.Exit(2 if isinstance(error, SettingsError) else 1)


INTERRUPTED = 130
"""The exit code of a command stopped with Ctrl-C, as shells give it (128 + SIGINT)."""


def _interrupted() -> click.exceptions.Exit:
    from nextcall.store.faults import interrupted

    sys.stderr.write(f"nextcall: {interrupted()}\n")
    return click.exceptions.Exit(INTERRUPTED)


class _Nextcall(click.Group):
    """The `nextcall` group: Ctrl-C in any command is one line and exit code 130, the same for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # By now every transaction has rolled back and every half-written
            # output file is gone: the stack unwound through their `with` blocks.
            raise _interrupted() from None


@click.group(cls=_Nextcall, context_settings=CONTEXT, invoke_without_command=True)
@db_option
@click.option(
    "--agent", metavar="ID",
    help="Whose app this is (an agent id such as a.khan). Default: NEXTCALL_AGENT, "
    "else the agent chosen on first run.",
)
@click.version_option(package_name="nextcall", message="%(prog)s %(version)s")
@click.pass_context
def app(ctx: click.Context, db: str | None, agent: str | None) -> None:
    """Self-coaching for contact-center agents: every QA score turned into a
    better next call.

    Run without a command, it opens the app for your agent.

    \b
    Get started:
      nextcall demo                 the app on demo data
      nextcall import scores.jsonl  bring in your own evaluations
      nextcall --agent a.khan       the app for agent a.khan
    """
    if ctx.invoked_subcommand is not None:
        return

    def open_app_store() -> dict[str, Any]:
        """The settings read and the store opened (and migrated): what the app needs to show it."""
        from nextcall.store.db import open_store
        from nextcall.store.settings import remember_agent, remembered_agent

        settings = _settings(ctx, db, agent=agent)
        engine = open_store(settings.db_url)
        lead = False
        if settings.db_url.startswith("postgresql"):
            from nextcall.store.privacy import lead_login

            lead = lead_login(engine)
        return {
            "engine": engine,
            "lead": lead,
            "agent_id": settings.agent or remembered_agent(settings),
            "poll_seconds": settings.poll_seconds,
            "goal_target": _goal_target(settings),
            "on_agent_chosen": lambda chosen: remember_agent(settings, chosen),
            "zone": settings.zone,
            "min_calls": settings.leaderboard_min_calls,
        }

    try:
        if _paints_first():
            # The app's first frame is out before the settings, the store and their libraries
            # are loaded; a failure to open the store ends the app and is said here, as below.
            # Textual's modules and that frame are made with the garbage collector paused: all
            # of it lives as long as the app, and the app resumes the collector once Home shows.
            gc.disable()
            try:
                _run_app(open_store=open_app_store)
            finally:
                gc.enable()
        else:
            _run_app(**open_app_store())
    except NextcallError as error:
        raise _fail(error) from None


def _paints_first() -> bool:
    """Whether the app opens at a terminal, where painting before the store is open is worth it.

    Without one (output to a file or a pipe) nobody sees a first frame, so the
    store is opened before the app starts and a failure is the one line it
    always was, with no screen's escape codes before it.
    """
    return all(stream is not None and stream.isatty() for stream in (sys.__stdin__, sys.__stderr__))


def _goal_target(settings: Settings) -> Any:
    from nextcall.store.rules import Target

    return Target(settings.goal_target_met, settings.goal_target_window)


def _run_app(**options: Any) -> None:
    """Run the app until it is quit; a failure to open its store is raised here, once the terminal is restored."""
    from nextcall.tui.app import NextcallApp

    nextcall = NextcallApp(**options)
    nextcall.run()
    if nextcall.start_error is not None:
        raise nextcall.start_error


@app.group("db", context_settings=CONTEXT)
def db_app() -> None:
    """Look after the database: where it is, its schema, what it holds."""


@app.group("admin", context_settings=CONTEXT)
def admin_app() -> None:
    """Give agents and team leads their own logins to a shared PostgreSQL database.

    An agent's login reads only that agent's own calls, goals,
    self-assessments and badges, and the leaderboard with opted-out
    colleagues shown as Anonymous; a lead's login reads one team. Run these
    as the role that owns nextcall's tables, with CREATEROLE.
    """


QA_TOOLS = ("amazon-connect", "genesys")
"""What `import --from` reads (store.sources.reading.SOURCES, named here so that --help loads no store)."""


@app.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--from", "source", type=click.Choice(QA_TOOLS), metavar="|".join(QA_TOOLS),
    help="Also read this QA tool's .json exports (evaluations and form definitions) among FILES.",
)
@click.option(
    "--watch", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
    help="Keep running and import each file that lands in DIR as its own batch; refused files go to DIR/refused/.",
)
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@db_option
@click.pass_context
def import_command(
    ctx: click.Context, files: tuple[Path, ...], source: str | None, watch: Path | None, dry_run: bool, db: str | None
) -> None:
    """Import evaluations, call details, teams, agents and scorecards from FILES.

    FILES are JSON Lines (.jsonl) or CSV (.csv) files, or folders of them,
    taken as one batch: if any record has a problem, nothing is written and
    every problem is listed as FILE:LINE: field: what is wrong (got VALUE).

    With --from, .json files (and folders of them, as synced from the QA
    tool's storage or saved from its API) are that tool's evaluations and form
    definitions, turned into the same records: `--from amazon-connect` reads
    Contact Lens evaluation exports and DescribeEvaluationForm output,
    `--from genesys` Genesys Cloud quality evaluations and evaluation forms.
    An evaluation names its agent by the tool's user id: list it in the agent's
    "aliases".

    Importing the same file again changes nothing; a call id seen again with
    new content replaces that evaluation. The format is in docs/format.md.
    """
    if watch is not None:
        if files or dry_run:
            raise click.UsageError("--watch DIR imports what lands in DIR: give no FILES and no --dry-run with it.")
        _watch(ctx, watch, source, db)
        return
    if not files:
        raise click.UsageError("give the FILES (or folders) to import, or --watch DIR.")
    from nextcall.store.db import driver_errors_explained, open_store
    from nextcall.store.importer import import_files

    try:
        engine = open_store(_settings(ctx, db).db_url)
        with _progress(files) as advance, driver_errors_explained(engine):
            summary = import_files(engine, files, dry_run=dry_run, on_progress=advance, source=source)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(summary.line())


def _watch(ctx: click.Context, folder: Path, source: str | None, db: str | None) -> None:
    """Import each file that lands in `folder` as its own batch until Ctrl-C."""
    from nextcall.store.db import driver_errors_explained, open_store
    from nextcall.store.importer import form_files, import_files, importable_suffixes, is_form_file
    from nextcall.store.watching import Imported, Report, watch_folder

    # An evaluation is read with its form definition (Genesys Cloud's answer values are only there),
    # so the folder's form files go with every file it imports.
    forms = set(form_files(folder, source)) if source else set()

    def import_file(path: Path) -> str:
        with driver_errors_explained(engine):
            summary = import_files(
                engine, [path, *sorted(form for form in forms if form != path and form.exists())], source=source
            )
        if source and is_form_file(path, source):
            forms.add(path)
        summary.files = [str(path)]  # the file that landed (its forms come along unchanged)
        return summary.line()

    def report(event: Report) -> None:
        if isinstance(event, str):
            click.echo(event)
        else:
            # Names and problems come from files: written as plain text, never as markup.
            stream = sys.stdout if isinstance(event, Imported) else sys.stderr
            stream.write(f"{event.line()}\n")
            stream.flush()

    try:
        engine = open_store(_settings(ctx, db).db_url)
        watch_folder(folder, import_file, suffixes=importable_suffixes(source), report=report)
    except NextcallError as error:
        raise _fail(error) from None


@contextmanager
def _progress(files: tuple[Path, ...]) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for large batches read at a terminal; nothing otherwise."""
    total = sum(path.stat().st_size for path in files if path.is_file())
    if total < 4 << 20 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Reading"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:
        task = progress.add_task("import", total=total)
        yield lambda size: progress.advance(task, size)


@app.command("disputes", context_settings=CONTEXT)
@click.option("--team", metavar="TEAM", help="Only this team's agents' disputes.")
@click.option("--open", "open_only", is_flag=True, help="Only disputes still open (under review).")
@click.option("--format", "output", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="JSON Lines, or CSV with a header.")
@db_option
@click.pass_context
def disputes_command(ctx: click.Context, team: str | None, open_only: bool, output: str, db: str | None) -> None:
    """List agents' disputes ("I see it differently") for the QA team's tool, on standard output.

    One per line, oldest raised first: call id, agent, behaviour, the scored
    outcome, the outcome the agent proposes, their reason, when raised, status
    (open, withdrawn, changed, upheld), when closed, QA's decided outcome and
    note. Close one without a re-score by importing a dispute_resolution record.
    """
    import csv

    from nextcall.store.db import open_existing_store
    from nextcall.store.talkback import DISPUTE_COLUMNS, disputes_for_qa

    try:
        rows = disputes_for_qa(open_existing_store(_settings(ctx, db).db_url), team=team, open_only=open_only)
    except NextcallError as error:
        raise _fail(error) from None
    if output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=DISPUTE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            sys.stdout.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False) + "\n")
    if not rows:
        click.echo("No disputes" + (" open" if open_only else "") + (f" in team {team}" if team else "") + ".", err=True)


@app.command("export", context_settings=CONTEXT)
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", metavar="TEAM", help="Only this team, its agents and their calls.")
@db_option
@click.pass_context
def export_command(ctx: click.Context, file: Path | None, team: str | None, db: str | None) -> None:
    """Export the store as JSON Lines to FILE (default: standard output).

    The records are in the format `nextcall import` reads: exporting and then
    importing into an empty database gives the same data back.
    """
    from sqlmodel import Session

    from nextcall.store.db import open_existing_store
    from nextcall.store.exporter import export_records

    if file is not None and file.suffix.lower() != ".jsonl":
        raise _fail(NextcallError(f"{file}: export writes JSON Lines; name the file .jsonl"))
    try:
        settings = _settings(ctx, db)
        engine = open_existing_store(settings.db_url)
        with Session(engine) as session:
            records = export_records(session, team=team)
            if file is None:
                count = _write_lines(records, sys.stdout)
            else:
                count = _write_file_atomically(records, file)
    except NextcallError as error:
        raise _fail(error) from None
    if count == 0:
        # Standard output stays empty (valid, empty JSON Lines); the person is told why.
        from nextcall.store.db import describe

        click.echo(
            f"Nothing to export: {describe(settings.db_url)} holds no records yet. "
            "Bring some in with `nextcall import FILE.jsonl`.",
            err=True,
        )
    elif file is not None:
        click.echo(f"Exported {count:,} records to {file}.", err=True)


def _write_lines(records: Iterator[dict], out) -> int:  # noqa: ANN001 (a text stream)
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _write_file_atomically(records: Iterator[dict], file: Path) -> int:
    # Write beside the target and rename, so a failed export never leaves half a file.
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            count = _write_lines(records, out)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


@app.command("prep", context_settings=CONTEXT)
@click.argument("agent")
@click.option(
    "--out", "file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the brief to FILE (default: standard output).",
)
@click.option("--demo", is_flag=True, help="Brief a demo agent, from the database `nextcall demo` made.")
@db_option
@click.pass_context
def prep_command(ctx: click.Context, agent: str, file: Path | None, demo: bool, db: str | None) -> None:
    """Write a Markdown brief for a coach's 1:1 with AGENT (an agent id such as a.khan).

    Their own words first, then where their view and the scores differ, their
    goal, three calls worth listening to together and what they earned since
    the last session.
    """
    from nextcall.store.db import describe, open_existing_store
    from nextcall.store.prep import PrepError, prep_brief

    try:
        settings = _settings(ctx, db)
        url = settings.demo_db_url if demo else settings.db_url
        engine = open_existing_store(url)
        try:
            brief = prep_brief(engine, agent_id=agent)
        except PrepError:  # no such agent: say in which database, and whether the demo has them
            raise PrepError(_no_such_agent(agent, describe(url), settings.demo_db_url if not demo else None)) from None
        if file is None:
            sys.stdout.write(brief)
        else:
            _write_text_atomically(brief, file)
    except NextcallError as error:
        raise _fail(error) from None
    if file is not None:
        click.echo(f"Wrote the 1:1 brief for {agent} to {file}.", err=True)


def _no_such_agent(agent: str, database: str, demo_url: str | None) -> str:
    """Which database lacks the agent, and, when the demo has them, the flag that briefs the demo's."""
    said = f"There is no agent {agent!r} in {database}; check the id (such as a.khan)."
    if demo_url is not None and Path(demo_url.removeprefix("sqlite:///")).exists():
        from nextcall.store.db import open_existing_store
        from nextcall.store.queries import list_agents

        demo_engine = open_existing_store(demo_url)
        try:
            in_demo = agent in {known.id for known in list_agents(demo_engine)}
        finally:
            demo_engine.dispose()
        said += f" {agent} is a demo agent: nextcall prep {agent} --demo" if in_demo else " For a demo agent, add --demo."
    return said


def _write_text_atomically(text: str, file: Path) -> None:
    # As for export: write beside the target and rename, so a failure never leaves half a brief.
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command("demo", context_settings=CONTEXT)
@click.option("--agent", metavar="ID", help="The demo agent to show (see --list).")
@click.option("--list", "list_agents", is_flag=True, help="List the demo agents and their stories.")
@click.option("--no-open", is_flag=True, help="Load the demo database and stop, without opening the app.")
@click.pass_context
def demo_command(ctx: click.Context, agent: str | None, list_agents: bool, no_open: bool) -> None:
    """Open the app on demo data, as a demo agent (press a to switch).

    The demo never touches your real database: it lives in its own file in
    your data folder and is made afresh, ending today, each time.
    """
    from nextcall.seed.demo import DEFAULT_DEMO_AGENT, DEMO_AGENTS

    if list_agents:
        for agent_id, story in DEMO_AGENTS.items():
            click.echo(f"{agent_id:<14} {story}")
        return
    chosen = agent or DEFAULT_DEMO_AGENT
    if chosen not in DEMO_AGENTS:
        raise _fail(
            NextcallError(f"--agent: no demo agent {chosen!r}; one of {', '.join(DEMO_AGENTS)} (see --list)")
        )
    try:
        settings = _settings(ctx)
        from nextcall.seed.load import load_demo

        summary = load_demo(settings.demo_db_url, today=date.today(), now=datetime.now(UTC))
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"Demo database: {settings.demo_db_url.removeprefix('sqlite:///')}")
    click.echo(summary.line())
    click.echo(f"Demo agent: {chosen} — {DEMO_AGENTS[chosen]}")
    if no_open:
        click.echo("Other demo agents: nextcall demo --list")
        return
    from nextcall.store.db import open_store

    _run_app(
        engine=open_store(settings.demo_db_url),
        agent_id=chosen,
        poll_seconds=settings.poll_seconds,
        goal_target=_goal_target(settings),
        demo_stories=DEMO_AGENTS,
        zone=settings.zone,
        min_calls=settings.leaderboard_min_calls,
    )


@app.command("lead", context_settings=CONTEXT)
@click.option("--team", metavar="ID", help="The team to show. Default: every agent the database lets you read.")
@click.option("--demo", is_flag=True, help="Show the demo database (made with `nextcall demo`).")
@db_option
@click.pass_context
def lead_command(ctx: click.Context, team: str | None, demo: bool, db: str | None) -> None:
    """Open the app on the Team screen, for a team lead.

    One row per agent, who needs attention first at the top: their goal and how
    it went since it started and since the last session, the last and next
    session, whether the self-assessment is in, check-ins due and open
    disputes. Enter opens an agent's brief; p plans a session, n notes the last.
    With a lead's login to a shared database it shows that lead's team.
    """
    try:
        settings, url, engine = _team_store(ctx, db, demo=demo, team=team)
    except NextcallError as error:
        raise _fail(error) from None
    _run_app(
        engine=engine,
        lead=True,
        team_id=team,
        poll_seconds=settings.poll_seconds,
        zone=settings.zone,
        min_calls=settings.leaderboard_min_calls,
    )


PERIODS = ("this_week", "last_7_days", "last_30_days", "this_month")


@app.command("wallboard", context_settings=CONTEXT)
@click.option("--team", metavar="ID", help="The team to show first (t shows the next). Default: everyone.")
@click.option(
    "--period", type=click.Choice(PERIODS), default="last_7_days", show_default=True,
    help="Which calls count; calendar periods start at midnight in NEXTCALL_TIME_ZONE (default: this machine's).",
)
@click.option(
    "--rotate", "rotate_seconds", type=click.FloatRange(min=0), default=15.0, show_default=True, metavar="SECONDS",
    help="Show the next metric every SECONDS (0: stay on quality).",
)
@click.option(
    "--top", type=click.IntRange(min=1), default=None, metavar="N",
    help="Show at most the top N places of each board; the rest are counted, not shown. Default: as many as fit.",
)
@click.option("--demo", is_flag=True, help="Show the demo database (made with `nextcall demo`).")
@click.option("--serve", is_flag=True, help="Serve the wallboard to web browsers instead of this terminal.")
@click.option(
    "--host", default="127.0.0.1", show_default=True,
    help="With --serve: the address to listen on. The default, loopback, lets only this machine in. "
    "0.0.0.0 listens on every network this machine is on: anyone who reaches the port and has the "
    "link sees every name and score on the board, and the link travels unencrypted (plain HTTP).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="With --serve: the port.")
@click.option(
    "--token", metavar="TEXT",
    help="With --serve: the page opens only for links ending in ?token=TEXT; without it a browser is refused "
    "and sees no name. Made up and printed with the link when --host is not loopback.",
)
@click.option(
    "--public-url", metavar="URL",
    help="With --serve: the address browsers use, e.g. https://board.example.com behind a proxy. "
    "Default: whatever address each browser asked for.",
)
@db_option
@click.pass_context
def wallboard_command(
    ctx: click.Context,
    team: str | None,
    period: str,
    rotate_seconds: float,
    top: int | None,
    demo: bool,
    serve: bool,
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
    db: str | None,
) -> None:
    """The team's leaderboard full-screen in large type, for a wall TV.

    It rotates through quality, most improved, goal progress and points,
    refreshes as evaluations arrive, and celebrates mastered goals and new
    badges. Agents who chose to be anonymous show as Anonymous. Keys: m
    (or space) metric, p period, t team, q quit.

    With --serve it is served over HTTP for a TV with only a browser: open the
    link it prints (add &fontsize=48 for larger type, or ?fontsize=48 without
    a token). It listens on 127.0.0.1, this machine only, unless --host says
    otherwise; on any other address the link carries a token (--token, or one
    made up), and a browser without it sees no name.
    """
    from nextcall.store.leaderboard import Period
    from nextcall.tui.wallboard_serve import token_is_linkable

    try:
        settings, url, engine = _team_store(ctx, db, demo=demo, team=team)
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise NextcallError(f"--public-url: {public_url!r} is not an http:// or https:// address")
        if token is not None and not token_is_linkable(token):
            raise NextcallError("--token: use 8 or more letters, digits, - or _ (it goes into a link)")
    except NextcallError as error:
        raise _fail(error) from None
    if serve:
        import shlex

        from nextcall.tui.wallboard_serve import WallboardServer, is_loopback, make_token

        command = [sys.executable, "-m", "nextcall.tui.cli", "--db", url, "wallboard", "--period", period]
        command += ["--rotate", str(rotate_seconds)] + (["--team", team] if team else [])
        command += ["--top", str(top)] if top else []
        if token is None and not is_loopback(host):
            token = make_token()
        server = WallboardServer(
            shlex.join(command), host=host, port=port, title=f"nextcall wallboard: {team or 'everyone'}",
            token=token, public_url=public_url,
        )
        click.echo(f"Serving the wallboard: open {server.page_url()} on the TV  (Ctrl+C stops it)")
        if not is_loopback(host):
            click.echo(
                f"Listening on {host}: anyone on the network who has this link sees every name and score on the "
                "board; without the token a browser is refused."
            )
        server.serve()
        return
    from nextcall.tui.wallboard import WallboardApp

    WallboardApp(
        engine=engine,
        team_id=team,
        period=Period(period),
        rotate_seconds=rotate_seconds,
        poll_seconds=settings.poll_seconds,
        zone=settings.zone,
        min_calls=settings.leaderboard_min_calls,
        top=top,
    ).run()


@db_app.command("info", context_settings=CONTEXT)
@db_option
@click.pass_context
def db_info(ctx: click.Context, db: str | None) -> None:
    """Show which database is in use, its schema revision and what it holds."""
    from nextcall.store.db import describe, head_revision, open_existing_store, schema_revision
    from nextcall.store.queries import behaviours_without_words, store_counts

    try:
        settings = _settings(ctx, db)
        engine = open_existing_store(settings.db_url)
        counts = store_counts(engine)
        unworded = behaviours_without_words(engine)
        revision = schema_revision(engine)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"database     {describe(settings.db_url)}")
    click.echo(f"schema       {revision} (this nextcall: {head_revision()})")
    for noun, count in counts.items():
        click.echo(f"{noun:<12} {count:,}")
    if unworded:
        click.echo(
            f"\n{len(unworded):,} behaviours have no next-call words yet (the app says their name); "
            "import their scorecard again with next_call and lesson:"
        )
        for scorecard, key, name in unworded:
            click.echo(f"  {scorecard}  {key}  {name}")


@db_app.command("upgrade", context_settings=CONTEXT)
@db_option
@click.pass_context
def db_upgrade(ctx: click.Context, db: str | None) -> None:
    """Create the schema or bring it up to date. Upgrades only add; they never drop data.

    nextcall upgrades on its own when it opens a database; on a shared
    PostgreSQL server a team lead may prefer to run this once by hand.
    """
    from nextcall.store.db import describe, head_revision, open_store

    try:
        settings = _settings(ctx, db)
        open_store(settings.db_url)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"{describe(settings.db_url)} is at schema {head_revision()}.")


@db_app.command("refresh", context_settings=CONTEXT)
@click.argument("agents", nargs=-1, metavar="[AGENT]...")
@db_option
@click.pass_context
def db_refresh(ctx: click.Context, agents: tuple[str, ...], db: str | None) -> None:
    """Derive badges and points afresh for AGENTs (default: everyone).

    On a shared PostgreSQL database agents' logins start goals and submit
    self-assessments but derive no badges or points: run this as the
    database's owner after imports, or on a schedule, to bring theirs up to date.
    """
    from nextcall.store.db import open_store
    from nextcall.store.privacy import derive_recognition
    from nextcall.store.rules import plural

    try:
        engine = open_store(_settings(ctx, db).db_url)
        derived, new_badges = derive_recognition(engine, agent_ids=agents)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(
        f"Badges and points derived for {plural(derived, 'agent')}; {plural(new_badges, 'new badge')}."
    )


def _admin_engine(ctx: click.Context, db: str | None) -> tuple[Any, str]:
    """The shared database for `nextcall admin`, opened as its owner; SQLite is refused before anything is created."""
    from nextcall.store.db import open_store
    from nextcall.store.privacy import require_shared

    settings = _settings(ctx, db)
    require_shared(settings.db_url)
    return open_store(settings.db_url), settings.db_url


def _password_from_stdin(wanted: bool) -> str | None:
    if not wanted:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("--password-stdin: standard input held no password.")
    return password


@admin_app.command("grant", context_settings=CONTEXT)
@click.argument("agent")
@click.option("--login", metavar="NAME", help="The login's name. Default: the agent's login if they have one, else the agent id.")
@click.option(
    "--password-stdin", is_flag=True,
    help="Read the login's password from the first line of standard input. "
    "Without it a new login has no password, and an existing one keeps its own.",
)
@db_option
@click.pass_context
def admin_grant(ctx: click.Context, agent: str, login: str | None, password_stdin: bool, db: str | None) -> None:
    """Give AGENT a login that reads only their own rows, and print the URL they open nextcall with."""
    from nextcall.store.privacy import grant_agent, login_url

    try:
        password = _password_from_stdin(password_stdin)
        engine, url = _admin_engine(ctx, db)
        granted = grant_agent(engine, agent, login=login, password=password)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"{granted} reads only {agent}'s own rows. On {agent}'s computer:")
    click.echo(f"  nextcall --db {login_url(url, granted)} --agent {agent}")


@admin_app.command("grant-lead", context_settings=CONTEXT)
@click.argument("team")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the login's password from the first line of standard input.")
@db_option
@click.pass_context
def admin_grant_lead(ctx: click.Context, team: str, login: str, password_stdin: bool, db: str | None) -> None:
    """Give a team lead the login LOGIN, which reads every row of TEAM's agents and writes nothing."""
    from nextcall.store.privacy import grant_lead, login_url

    try:
        password = _password_from_stdin(password_stdin)
        engine, url = _admin_engine(ctx, db)
        granted = grant_lead(engine, team, login, password=password)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"{granted} reads team {team}. The lead connects with:")
    click.echo(f"  nextcall --db {login_url(url, granted)} wallboard --team {team}")


@admin_app.command("revoke", context_settings=CONTEXT)
@click.argument("login")
@db_option
@click.pass_context
def admin_revoke(ctx: click.Context, login: str, db: str | None) -> None:
    """Remove LOGIN: its open sessions are ended, what it made in the database is dropped, and so is its role."""
    from nextcall.store.privacy import revoke

    try:
        engine, _url = _admin_engine(ctx, db)
        left = revoke(engine, login)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"{login} is revoked.")
    if left is not None:
        click.echo(f"nextcall: {left}", err=True)


@admin_app.command("board", context_settings=CONTEXT)
@click.option("--time-zone", "time_zone", metavar="ZONE", help="Where the board's periods start at midnight (an IANA name, Europe/London).")
@click.option("--min-calls", type=int, metavar="N", help="Calls in a period before an agent is ranked, and before anyone else sees their figure.")
@db_option
@click.pass_context
def admin_board(ctx: click.Context, time_zone: str | None, min_calls: int | None, db: str | None) -> None:
    """Show (or change) the leaderboard every login of the database reads: its time zone and minimum of calls."""
    from nextcall.store.privacy import board_rules, set_board_rules
    from nextcall.store.rules import plural

    try:
        engine, _url = _admin_engine(ctx, db)
        if time_zone is None and min_calls is None:
            rules = board_rules(engine)
        else:
            rules = set_board_rules(engine, time_zone=time_zone, min_calls=min_calls)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(
        f"The board logins read: periods start at midnight in {rules.time_zone}; "
        f"agents are ranked from {plural(rules.min_calls, 'call')}."
    )


@admin_app.command("logins", context_settings=CONTEXT)
@db_option
@click.pass_context
def admin_logins(ctx: click.Context, db: str | None) -> None:
    """List the agents' and leads' logins of the database."""
    from nextcall.store.privacy import list_logins

    from .text import literal

    try:
        engine, _url = _admin_engine(ctx, db)
        logins = list_logins(engine)
    except NextcallError as error:
        raise _fail(error) from None
    if not logins:
        click.echo("No logins yet: nextcall admin grant AGENT gives an agent one.")
    for found in logins:
        # Names are data: shown literally, never obeyed (an escape code in one cannot clear the screen).
        whose = f"agent {literal(found.agent_id or '')} ({literal(found.name)}), team {literal(found.team_id)}" if (
            found.kind == "agent"
        ) else f"lead of team {literal(found.team_id)} ({literal(found.name)})"
        click.echo(f"{found.login:<20} {whose}")


def main() -> None:
    """Entry point of the `nextcall` command."""
    try:
        app(prog_name="nextcall")
    except NextcallError as error:
        raise SystemExit(_fail(error).exit_code) from None
    except KeyboardInterrupt:
        raise SystemExit(_interrupted().exit_code) from None
    except Exception as error:
        if not _database_went_away(error):
            raise
        from nextcall.store.faults import lost
        from nextcall.store.sqlite_file import first_line

        sys.stderr.write(f"nextcall: {lost(first_line(error))}\n")
        raise SystemExit(1) from None


def _database_went_away(error: Exception) -> bool:
    """Whether a command stopped because the database went away (a restart, a network cut) mid-way."""
    # Only a command that loaded SQLAlchemy can meet its errors: nothing to import to find out.
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.OperationalError)


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------ sessions


@app.group("session", context_settings=CONTEXT)
def session_app() -> None:
    """Plan coaching sessions, move or cancel them before, note what was agreed after.

    Times are in this machine's zone (or the configured time_zone): DATE is
    2026-12-03 (09:00 that day) or "2026-12-03 14:30".
    """


def _moment(text: str, zone: Any, *, default_hour: int = 9) -> datetime:
    """A session time from the command line: a day (at `default_hour`) or a day and time, in `zone`."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date such as 2026-12-03 or \"2026-12-03 14:30\"") from None
    if len(text.strip()) == 10:
        parsed = parsed.replace(hour=default_hour)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _day_option(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a day such as 2026-12-10") from None


@session_app.command("add", context_settings=CONTEXT)
@click.argument("agent")
@click.option("--on", "on", required=True, metavar="DATE", help='When: 2026-12-03 (09:00) or "2026-12-03 14:30".')
@click.option("--coach", metavar="NAME", default=lambda: os.environ.get("NEXTCALL_COACH") or os.environ.get("USER") or "",
              show_default="$NEXTCALL_COACH, else your user name", help="Who coaches.")
@click.option("--behaviour", metavar="KEY", help="The behaviour to work on (default: the agent's goal).")
@click.option("--follow-up", "follow_up", metavar="DATE", help="The day to check in on it.")
@click.option("--notes", metavar="TEXT", help="Notes for the session.")
@db_option
@click.pass_context
def session_add(ctx: click.Context, agent: str, on: str, coach: str, behaviour: str | None, follow_up: str | None,
                notes: str | None, db: str | None) -> None:
    """Plan a coaching session with AGENT; prints its id."""
    from nextcall.store.db import open_existing_store
    from nextcall.store.sessions import add_session

    try:
        settings = _settings(ctx, db)
        at = _moment(on, settings.zone)
        made = add_session(open_existing_store(settings.db_url), agent_id=agent, coach=coach, at=at, behaviour=behaviour,
                           follow_up_on=_day_option(follow_up), notes=notes)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"Planned session {made} with {agent}, {at:%a %d %b %Y %H:%M}.")


@session_app.command("list", context_settings=CONTEXT)
@click.argument("agent")
@db_option
@click.pass_context
def session_list(ctx: click.Context, agent: str, db: str | None) -> None:
    """List AGENT's coaching sessions, earliest first, with what was agreed."""
    from nextcall.store.db import open_existing_store
    from nextcall.store.sessions import sessions_of

    try:
        settings = _settings(ctx, db)
        found = sessions_of(open_existing_store(settings.db_url), agent_id=agent)
    except NextcallError as error:
        raise _fail(error) from None
    if not found:
        click.echo(f"No coaching sessions with {agent} yet: plan one with `nextcall session add {agent} --on DATE`.", err=True)
    for item in found:
        when = item.scheduled_at.astimezone(settings.zone).strftime("%a %d %b %Y %H:%M")
        parts = [item.id, when, f"with {item.coach}", item.status.value]
        if item.behaviour:
            parts.append(f"behaviour: {item.behaviour}")
        if item.will_do:
            parts.append(f"will do: {item.will_do}")
        if item.follow_up_on:
            parts.append(f"check in from {item.follow_up_on:%a %d %b}")
        if item.confirmed_at:
            parts.append("confirmed by the agent")
        elif item.heard_differently:
            parts.append(f"heard differently: {item.heard_differently}")
        sys.stdout.write(" · ".join(parts) + "\n")


@session_app.command("move", context_settings=CONTEXT)
@click.argument("session_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="DATE", help='The new time: 2026-12-04 or "2026-12-04 10:30".')
@db_option
@click.pass_context
def session_move(ctx: click.Context, session_id: str, to: str, db: str | None) -> None:
    """Move a planned session that has not happened yet."""
    from nextcall.store.db import open_existing_store
    from nextcall.store.sessions import move_session

    try:
        settings = _settings(ctx, db)
        at = _moment(to, settings.zone)
        move_session(open_existing_store(settings.db_url), session_id=session_id, to=at)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"Moved session {session_id} to {at:%a %d %b %Y %H:%M}.")


@session_app.command("cancel", context_settings=CONTEXT)
@click.argument("session_id", metavar="ID")
@db_option
@click.pass_context
def session_cancel(ctx: click.Context, session_id: str, db: str | None) -> None:
    """Cancel a planned session that has not happened yet."""
    from nextcall.store.db import open_existing_store
    from nextcall.store.sessions import cancel_session

    try:
        cancel_session(open_existing_store(_settings(ctx, db).db_url), session_id=session_id)
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"Cancelled session {session_id}.")


@session_app.command("note", context_settings=CONTEXT)
@click.argument("session_id", metavar="ID")
@click.option("--behaviour", metavar="KEY", help="The behaviour agreed on.")
@click.option("--will-do", "will_do", metavar="TEXT", help="What the agent will do, in a sentence.")
@click.option("--notes", metavar="TEXT", help="Notes of the session.")
@click.option("--follow-up", "follow_up", metavar="DATE", help="The day to check in on it.")
@db_option
@click.pass_context
def session_note(ctx: click.Context, session_id: str, behaviour: str | None, will_do: str | None, notes: str | None,
                 follow_up: str | None, db: str | None) -> None:
    """After a session: note what was agreed and when to check in (what is not given stays as it is)."""
    from nextcall.store.db import open_existing_store
    from nextcall.store.sessions import note_session

    try:
        note_session(open_existing_store(_settings(ctx, db).db_url), session_id=session_id, behaviour=behaviour,
                     will_do=will_do, notes=notes, follow_up_on=_day_option(follow_up))
    except NextcallError as error:
        raise _fail(error) from None
    click.echo(f"Noted session {session_id}.")
