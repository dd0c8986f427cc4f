"""The user's settings file: which scheduler plans the reviews, and FSRS's desired retention.

The file is ``config.toml`` in the config folder (``~/.config/flashdl`` on Linux, or
``$FLASHDL_HOME``). flashdl reads it with ``tomllib`` and writes it whole on ``flashdl config set``
(to a temporary file that then replaces the old one, so a crash never leaves half a file):

    scheduler = "fsrs"          # sm2 (the default) or fsrs
    desired_retention = 0.9     # FSRS only: the share of reviews you want to recall, 0.7–0.99

A missing file means the defaults. An unknown key or a bad value is an error naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from flashdl.core.errors import ConfigError, UsageError
from flashdl.core.leeches import (
    DEFAULT_LEECH_ACTION,
    DEFAULT_LEECH_LAPSES,
    LEECH_ACTIONS,
    LeechRule,
)
from flashdl.core.schedulers import DEFAULT_SCHEDULER, SCHEDULERS, make_scheduler
from flashdl.core.scheduling import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION, Scheduler

CONFIG_FILENAME = "config.toml"
MAX_CONFIG_BYTES = 1 << 20
HELP = {
    "scheduler": f"which scheduler plans the reviews: {' or '.join(SCHEDULERS)}",
    "desired_retention": (
        f"FSRS's target share of reviews recalled, {MIN_RETENTION} to {MAX_RETENTION}"
    ),
    "leech_lapses": "lapses after which a card is a leech (again every half as many after)",
    "leech_action": f"what marking a leech does: {' or '.join(LEECH_ACTIONS)}",
}
KEYS = tuple(HELP)
MAX_LEECH_LAPSES = 1000


@dataclass(frozen=True)
class Config:
    scheduler: str = DEFAULT_SCHEDULER
    desired_retention: float = DEFAULT_RETENTION
    leech_lapses: int = DEFAULT_LEECH_LAPSES
    leech_action: str = DEFAULT_LEECH_ACTION

    def make_scheduler(self) -> Scheduler:
        return make_scheduler(self.scheduler, desired_retention=self.desired_retention)

    def leech_rule(self) -> LeechRule:
        return LeechRule(self.leech_lapses, suspend=self.leech_action == "suspend")


def config_path(config_dir: Path) -> Path:
    return Path(config_dir) / CONFIG_FILENAME


def _unknown(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown setting '{key}'{hint}; the settings are: {', '.join(KEYS)}"


def _check_leech(key: str, value: object) -> str | int:
    if key == "leech_action":
        action = value.strip().lower() if isinstance(value, str) else value
        if action not in LEECH_ACTIONS:
            raise ConfigError(
                f"leech_action must be one of {', '.join(LEECH_ACTIONS)}, not {_show(value)}"
            )
        return str(action)
    number = value.strip() if isinstance(value, str) else value
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if (
        not isinstance(number, int)
        or isinstance(number, bool)
        or not 1 <= number <= MAX_LEECH_LAPSES
    ):
        raise ConfigError(
            f"leech_lapses must be a whole number from 1 to {MAX_LEECH_LAPSES} (e.g. 8),"
            f" not {_show(value)}"
        )
    return number


def check_value(key: str, value: object) -> str | float:
    """``value`` for ``key`` if it is valid (strings are parsed); a ConfigError saying why if not."""
    if key not in HELP:
        raise ConfigError(_unknown(key))
    if key in ("leech_lapses", "leech_action"):
        return _check_leech(key, value)
    if key == "scheduler":
        name = value.strip().lower() if isinstance(value, str) else value
        if name not in SCHEDULERS:
            raise ConfigError(
                f"scheduler must be one of {', '.join(SCHEDULERS)}, not {_show(value)}"
            )
        return str(name)
    number: float | None = None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    if number is None or not MIN_RETENTION <= number <= MAX_RETENTION:
        raise ConfigError(
            f"desired_retention must be a number from {MIN_RETENTION} to {MAX_RETENTION}"
            f" (e.g. 0.9), not {_show(value)}"
        )
    return number


def _show(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def load_config(path: Path) -> Config:
    """The settings in ``path``; the defaults if it does not exist."""
    from flashdl.files import read_regular_file

    try:
        text = read_regular_file(Path(path), limit=MAX_CONFIG_BYTES, what="a settings file")
        text = text.decode("utf-8")
    except FileNotFoundError:
        return Config()
    except UsageError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"cannot read the settings file {path}: not UTF-8 text") from None
    try:
        import tomllib  # only when there is a settings file to read

        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML ({exc}); fix or delete the file, or use `flashdl config set`"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be flashdl's settings file") from None
    values: dict[str, str | float] = {}
    for key, value in raw.items():
        try:
            values[key] = check_value(key, value)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return Config(**values)  # type: ignore[arg-type]


def with_value(config: Config, key: str, text: str) -> Config:
    """``config`` with ``key`` set from the command-line text ``text``."""
    return replace(config, **{key: check_value(key, text)})


def dumps(config: Config) -> str:
    return (
        "# flashdl settings; change them with `flashdl config set KEY VALUE`\n"
        f'scheduler = "{config.scheduler}"  # {HELP["scheduler"]}\n'
        f"desired_retention = {config.desired_retention!r}  # {HELP['desired_retention']}\n"
        f"leech_lapses = {config.leech_lapses}  # {HELP['leech_lapses']}\n"
        f'leech_action = "{config.leech_action}"  # {HELP["leech_action"]}\n'
    )


def save_config(path: Path, config: Config) -> None:
    """Write ``config`` to ``path`` atomically (a temporary file renamed over the old one)."""
    path = Path(path)
    partial = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(dumps(config), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"cannot write the settings file {path}: {exc.strerror}") from None
