"""The user's settings file: the scheduler, the grading keys, daily limits, language and decks.

The file is ``config.toml`` in the config folder (``~/.config/flashdl`` on Linux, or
``$FLASHDL_HOME``). flashdl reads it with ``tomllib`` and writes it whole on ``flashdl config set``
(to a temporary file that then replaces the old one, so a crash never leaves half a file):

    scheduler = "fsrs"          # sm2 (the default) or fsrs
    desired_retention = 0.9     # FSRS only: the share of reviews you want to recall, 0.7–0.99
    grading = "anki"            # sm2 (keys 0–5) or anki (keys 1–4); default: anki under FSRS
    new_per_day = 15
    max_reviews_per_day = 200   # or "none"
    lang = "en"
    group = "knowledge"         # the decks study, quiz, export and stats use: interview (the
                                # default), knowledge, all, or a group of your own decks
    decks = ["gan", "nlp"]      # or name the decks (this wins over group)
    learning_delay = 10         # minutes before a failed card is asked again
    leech_lapses = 8            # lapses that make a card a leech (then every half as many)
    leech_action = "suspend"    # or "keep": only mark it

Only the keys the user set are written, so the others keep following their defaults (``grading``
follows the scheduler). A missing file means the defaults. An unknown key or a bad value is an
error naming the file and the key. Command-line flags override the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from pathlib import Path

from flashdl.core.errors import ConfigError, UsageError
from flashdl.core.grades import GRADING_MODES, default_grading
from flashdl.core.leeches import (
    DEFAULT_LEECH_ACTION,
    DEFAULT_LEECH_LAPSES,
    LEECH_ACTIONS,
    LeechRule,
)
from flashdl.core.model import EVERY_GROUP, INTERVIEW_GROUP, KNOWLEDGE_GROUP
from flashdl.core.planning import LEARNING_DELAY
from flashdl.core.schedulers import DEFAULT_SCHEDULER, SCHEDULERS, make_scheduler
from flashdl.core.scheduling import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION, Scheduler

CONFIG_FILENAME = "config.toml"
MAX_CONFIG_BYTES = 1 << 20
LANGS = ("zh", "en", "both")
MAX_NEW_PER_DAY = 9999
MAX_REVIEWS_PER_DAY = 99_999
MAX_LEARNING_DELAY = 24 * 60  # minutes
MAX_DECKS = 200
MAX_LEECH_LAPSES = 1000
DECK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")  # as the deck loader requires
NO_LIMIT = ("none", "off", "unlimited")
HELP = {
    "scheduler": f"which scheduler plans the reviews: {' or '.join(SCHEDULERS)}",
    "desired_retention": (
        f"FSRS's target share of reviews recalled, {MIN_RETENTION} to {MAX_RETENTION}"
    ),
    "grading": "grading keys: sm2 (0–5) or anki (1–4 Again/Hard/Good/Easy)",
    "new_per_day": f"new cards a day, 0 to {MAX_NEW_PER_DAY} (study --new overrides)",
    "max_reviews_per_day": "due cards a day, most overdue first; none for no limit",
    "lang": "language of cards and sessions: zh, en or both (--lang overrides)",
    "group": "default deck group: interview, knowledge or all (--group overrides)",
    "decks": "default deck selection, comma-separated, wins over group; empty for the group",
    "learning_delay": f"minutes before a failed card comes back, 1 to {MAX_LEARNING_DELAY}",
    "leech_lapses": "lapses after which a card is a leech (again every half as many after)",
    "leech_action": f"what marking a leech does: {' or '.join(LEECH_ACTIONS)}",
}
KEYS = tuple(HELP)


@dataclass(frozen=True)
class Config:
    scheduler: str = DEFAULT_SCHEDULER
    desired_retention: float = DEFAULT_RETENTION
    grading: str | None = None  # None: follow the scheduler (``grading_mode``)
    new_per_day: int = 10
    max_reviews_per_day: int | None = None
    lang: str = "zh"
    group: str = INTERVIEW_GROUP
    decks: tuple[str, ...] = ()
    learning_delay: int = LEARNING_DELAY // timedelta(minutes=1)
    leech_lapses: int = DEFAULT_LEECH_LAPSES
    leech_action: str = DEFAULT_LEECH_ACTION
    # The keys the settings file (or ``config set``) gave; the rest are defaults.
    explicit: frozenset[str] = field(default=frozenset(), compare=False)

    def make_scheduler(self) -> Scheduler:
        return make_scheduler(self.scheduler, desired_retention=self.desired_retention)

    @property
    def grading_mode(self) -> str:
        return self.grading or default_grading(self.scheduler)

    def leech_rule(self) -> LeechRule:
        return LeechRule(self.leech_lapses, suspend=self.leech_action == "suspend")

    @property
    def learning_delta(self) -> timedelta:
        return timedelta(minutes=self.learning_delay)

    def display(self, key: str) -> str:
        """The value of ``key`` as ``config show`` prints it (and ``config set`` reads it)."""
        if key == "grading":
            return self.grading_mode
        value = getattr(self, key)
        if key == "max_reviews_per_day" and value is None:
            return "none"
        if key == "decks":
            return ",".join(value) if value else "(by group)"
        return str(value)


def config_path(config_dir: Path) -> Path:
    return Path(config_dir) / CONFIG_FILENAME


def _unknown(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown setting '{key}'{hint}; the settings are: {', '.join(KEYS)}"


def check_value(key: str, value: object) -> object:
    """``value`` for ``key`` if it is valid (strings are parsed); a ConfigError saying why if not."""
    if key not in HELP:
        raise ConfigError(_unknown(key))
    return _CHECKS[key](value)


def _choice(key: str, choices: tuple[str, ...]):
    def check(value: object) -> str:
        name = value.strip().lower() if isinstance(value, str) else value
        if name not in choices:
            raise ConfigError(f"{key} must be one of {', '.join(choices)}, not {_show(value)}")
        return str(name)

    return check


def _retention(value: object) -> float:
    number = _number(value, float)
    if number is None or not MIN_RETENTION <= number <= MAX_RETENTION:
        raise ConfigError(
            f"desired_retention must be a number from {MIN_RETENTION} to {MAX_RETENTION}"
            f" (e.g. 0.9), not {_show(value)}"
        )
    return float(number)


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number(value: object, kind: type) -> float | int | None:
    """``value`` as a number of ``kind`` (int or float), from TOML or command-line text; None if
    it is not one (booleans, fractions for an int, nan)."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 40 or not (_INT if kind is int else _FLOAT).fullmatch(text):
            return None  # (int() and float() also take ١٠, 1_0 and "infinity")
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind is int and not isinstance(value, int):
        return None
    if value != value:  # nan
        return None
    return value


def _count(key: str, low: int, high: int, *, none: bool = False):
    def check(value: object) -> int | None:
        if none and isinstance(value, str) and value.strip().lower() in NO_LIMIT:
            return None
        number = _number(value, int)
        if number is None or not low <= number <= high:
            extra = ", or none" if none else ""
            raise ConfigError(
                f"{key} must be a whole number from {low} to {high}{extra}, not {_show(value)}"
            )
        return int(number)

    return check


def _decks(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        text = value.strip()
        names = [] if text.lower() in ("", "all") else [n.strip() for n in text.split(",")]
    elif isinstance(value, list) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value]
    else:
        raise ConfigError(
            f"decks must be deck names (a list, or text separated by commas), not {_show(value)}"
        )
    if len(names) > MAX_DECKS:
        raise ConfigError(f"decks names {len(names)} decks; at most {MAX_DECKS}")
    for name in names:
        if not DECK_NAME.fullmatch(name):
            raise ConfigError(
                f"decks: '{name[:60]}' is not a deck name (lowercase letters, digits, '-' or '_')"
            )
    return tuple(dict.fromkeys(names))


def _group(value: object) -> str:
    if not isinstance(value, str) or not DECK_NAME.fullmatch(value.strip()):
        raise ConfigError(
            f"group must be {INTERVIEW_GROUP}, {KNOWLEDGE_GROUP}, {EVERY_GROUP} or the name of a "
            f"group of your decks, not {_show(value)}"
        )
    return value.strip()


_CHECKS = {
    "scheduler": _choice("scheduler", SCHEDULERS),
    "desired_retention": _retention,
    "grading": _choice("grading", GRADING_MODES),
    "new_per_day": _count("new_per_day", 0, MAX_NEW_PER_DAY),
    "max_reviews_per_day": _count("max_reviews_per_day", 0, MAX_REVIEWS_PER_DAY, none=True),
    "lang": _choice("lang", LANGS),
    "group": _group,
    "decks": _decks,
    "learning_delay": _count("learning_delay", 1, MAX_LEARNING_DELAY),
    "leech_lapses": _count("leech_lapses", 1, MAX_LEECH_LAPSES),
    "leech_action": _choice("leech_action", LEECH_ACTIONS),
}


def _show(value: object) -> str:
    """A bad value as the error shows it: quoted if text, and short (a hostile file may hold a
    4000-digit number or a megabyte of text)."""
    shown = f"'{value}'" if isinstance(value, str) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


_NUMBERS = ("desired_retention", "new_per_day", "max_reviews_per_day", "learning_delay",
            "leech_lapses")  # fmt: skip


def _no_number_as_text(key: str, value: object) -> None:
    """In the file, a number is a TOML number: ``new_per_day = "5"`` is text (a typo, or a
    file another program wrote) and is refused, not read as 5. (``config set`` parses text.)"""
    if key not in _NUMBERS or not isinstance(value, str):
        return
    if key == "max_reviews_per_day" and value.strip().lower() in NO_LIMIT:
        return  # "none": the one text a number setting takes
    check_value(key, value)  # text that is no number at all: the setting's own message
    raise ConfigError(
        f"{key} must be a number, not the text {_show(value)}; write it without quotes"
        f" ({key} = {value.strip()})"
    )


def load_config(path: Path) -> Config:
    """The settings in ``path``; the defaults if it does not exist."""
    from flashdl.files import read_regular_file

    if not Path(path).parent.is_dir():
        return Config()  # no folder, so no file: the data folder's own error comes when it is used
    try:
        text = read_regular_file(Path(path), limit=MAX_CONFIG_BYTES, what="a settings file")
        text = text.decode("utf-8-sig")  # an editor's byte-order mark (Notepad) is not TOML
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
            f"{path}: not valid TOML ({exc}); fix the file, or delete it and use"
            " `flashdl config set` (which cannot read it either)"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be flashdl's settings file") from None
    except ValueError as exc:  # a number of more than 4300 digits (Python's limit)
        why = "a number in it is too long for a setting" if "digits" in str(exc) else str(exc)
        raise ConfigError(f"{path}: not a settings file flashdl can read ({why})") from None
    values: dict[str, object] = {}
    for key, value in raw.items():
        try:
            _no_number_as_text(key, value)
            values[key] = check_value(key, value)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    return Config(**values, explicit=frozenset(values))  # type: ignore[arg-type]


def with_value(config: Config, key: str, text: str) -> Config:
    """``config`` with ``key`` set from the command-line text ``text``; ``default`` forgets the
    key, so it follows its default again."""
    if key in HELP and text.strip().lower() == "default":
        default = next(f.default for f in fields(Config) if f.name == key)
        return replace(config, **{key: default, "explicit": config.explicit - {key}})
    value = check_value(key, text)
    return replace(config, **{key: value, "explicit": config.explicit | {key}})


def _toml(value: object) -> str:
    """A checked setting as TOML (names and numbers only: every value passed ``check_value``)."""
    if value is None:
        return '"none"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{name}"' for name in value) + "]"
    return repr(value)


def dumps(config: Config) -> str:
    """The settings file: the keys the user set, then the others as comments with their defaults."""
    lines = ["# flashdl settings; change them with `flashdl config set KEY VALUE`"]
    unset = []
    for key in KEYS:
        if key in config.explicit:
            lines.append(f"{key} = {_toml(getattr(config, key))}  # {HELP[key]}")
        else:
            default = config.grading_mode if key == "grading" else getattr(Config(), key)
            unset.append(f"# {key} = {_toml(default)}  # {HELP[key]}")
    if unset:
        lines += ["", "# Not set (the defaults):", *unset]
    return "\n".join(lines) + "\n"


def source(config: Config, key: str, path: Path) -> str:
    """Where the value of ``key`` comes from: the settings file, or the default."""
    if key in config.explicit:
        return str(path)
    if key == "grading":
        return f"default for {config.scheduler}"
    return "default"


def save_config(path: Path, config: Config) -> None:
    """Write ``config`` to ``path`` atomically (a temporary file renamed over the old one); a
    symbolic link at ``path`` is replaced, not written through (``files.replace_own``)."""
    from flashdl.core.errors import FlashdlError
    from flashdl.files import replace_own

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the settings file {path}: {exc.strerror}") from None
    try:
        replace_own(path, dumps(config))
    except FlashdlError as exc:
        raise ConfigError(f"cannot write the settings file {path}: {exc}") from None
