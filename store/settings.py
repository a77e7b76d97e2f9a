"""Settings: command-line flags and `NEXTCALL_*` environment variables.

Flags win over the environment; both win over the defaults, which put a
SQLite file in the user's data directory.

The variables are read here rather than by pydantic-settings, which reads
them the same way for settings as plain as these (case-insensitive names, the
text as given, no `.env` file) but adds 1.7 MiB and a few dozen modules to
every start of the app.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_config_dir, user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import SettingsError

APP_NAME = "nextcall"
ENV_PREFIX = "NEXTCALL_"


class Settings(BaseModel):
    """Where nextcall keeps its data and whom it shows it to."""

    # The defaults are checked too: a data folder that cannot be one is said before anything is written.
    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, **values: object) -> None:
        """
        Args:
            values: settings given as flags; the others come from `NEXTCALL_*` variables, else the defaults.
        """
        super().__init__(**{**_from_environment(), **values})

    db: str | None = None
    """Database URL (`sqlite:///path.db`, `postgresql://user@host/db`); empty means the default file."""

    agent: str | None = None
    """The agent whose app this is (an id such as `a.khan`)."""

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir(APP_NAME)))
    """Folder for the default SQLite database and the demo database."""

    config_dir: Path = Field(default_factory=lambda: Path(user_config_dir(APP_NAME)))
    """Folder for choices the app remembers (the agent picked on first run)."""

    poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    """How often the app looks for newly imported evaluations."""

    goal_target_met: int = Field(default=8, ge=1, le=100)
    """A new goal's target: met on this many of the last `goal_target_window` applicable calls."""

    goal_target_window: int = Field(default=10, ge=1, le=100)
    """How many applicable calls a goal's target looks back over."""

    leaderboard_min_calls: int = Field(default=3, ge=1, le=1000)
    """Calls an agent needs in a period before the leaderboard ranks them."""

    min_sample: int = Field(default=5, ge=1, le=100)
    """The one sample rule: below this many applicable calls, no rate, comparison or claim is shown."""

    time_zone: str | None = None
    """IANA zone (`Europe/London`) where leaderboard periods start at midnight; empty means this machine's."""

    @field_validator("time_zone")
    @classmethod
    def _check_time_zone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a time zone; use an IANA name such as Europe/London or America/New_York") from None
        return value.strip()

    @property
    def zone(self) -> tzinfo:
        """The time zone periods are counted in."""
        if self.time_zone:
            return ZoneInfo(self.time_zone)
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local

    @model_validator(mode="after")
    def _target_fits_window(self) -> Settings:
        if self.goal_target_met > self.goal_target_window:
            raise ValueError(
                f"goal_target_met ({self.goal_target_met}) cannot be more than goal_target_window "
                f"({self.goal_target_window})"
            )
        return self

    @field_validator("data_dir", "config_dir")
    @classmethod
    def _check_folder(cls, value: Path) -> Path:
        problem = _folder_problem(value.expanduser())
        if problem:
            raise ValueError(f"{problem}; give a folder nextcall may create and write to")
        return value

    @field_validator("db")
    @classmethod
    def _check_db_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            url = make_url(normalise_db_url(value))
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite:///PATH or postgresql://USER@HOST/DB"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(
                f"{url.get_backend_name()} is not supported; use sqlite:///PATH or postgresql://USER@HOST/DB"
            )
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            path = Path(url.database).expanduser()
            problem = f"{path} is a folder" if path.is_dir() else _folder_problem(path.parent)
            if problem:
                raise ValueError(f"{problem}; use sqlite:///PATH with PATH a file in a folder")
        return value

    @property
    def db_url(self) -> str:
        """The database URL in use, with the driver nextcall talks to it through."""
        if self.db:
            return normalise_db_url(self.db)
        return f"sqlite:///{self.data_dir / 'nextcall.db'}"

    @property
    def demo_db_url(self) -> str:
        """The demo database: a file of its own, never the user's real data."""
        return f"sqlite:///{self.data_dir / 'demo.db'}"


def _from_environment() -> dict[str, str]:
    """Each setting given by a `NEXTCALL_*` variable, as text; the variable's name may be in any case."""
    environment = {variable.lower(): value for variable, value in os.environ.items()}
    prefix = ENV_PREFIX.lower()
    return {name: environment[prefix + name] for name in Settings.model_fields if prefix + name in environment}


def _folder_problem(path: Path) -> str | None:
    """Why `path` cannot be a folder (some part of it is a file), or None."""
    for part in (path, *path.parents):
        if part.exists():
            return None if part.is_dir() else f"{part} is a file, not a folder"
    return None


def normalise_db_url(url: str) -> str:
    """Pick psycopg 3 for PostgreSQL URLs that name no driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with flags given as keyword overrides.

    Raises:
        SettingsError: naming the flag or variable whose value is unusable.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        settings = Settings(**given)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "goal_target_met"
            source = f"--{field.replace('_', '-')}" if field in given else f"NEXTCALL_{field.upper()}"
            message = problem["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {message} (got {problem.get('input')!r})")
        raise SettingsError("\n".join(lines)) from None
    # One sample rule for every screen and brief this process shows.
    from .rules import use_min_sample  # here, not at the top: `nextcall --help` loads no models

    use_min_sample(settings.min_sample)
    return settings


def remembered_agent(settings: Settings) -> str | None:
    """The agent chosen on an earlier first run, if any."""
    try:
        chosen = (settings.config_dir / "agent").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return chosen or None


def remember_agent(settings: Settings, agent_id: str) -> None:
    """Keep the agent chosen in the picker for the next start."""
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    (settings.config_dir / "agent").write_text(agent_id + "\n", encoding="utf-8")
