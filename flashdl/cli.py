"""The ``flashdl`` command line: parse options, build collaborators, call one function.

Heavy modules (sqlite-utils, Markdown, the deck loader) are imported inside the commands so that
``flashdl --help`` and ``--version`` start fast. Every ``FlashdlError`` ends here as
``flashdl: <message>`` with exit code 1.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from typer.core import TyperGroup

from flashdl import __version__
from flashdl.core.days import MAX_UTC_OFFSET, study_day
from flashdl.core.errors import DeckError, FlashdlError, UsageError, one_line

if TYPE_CHECKING:
    from rich.console import Console

    from flashdl.app.config import Config
    from flashdl.core.model import Card, Deck, Overrides
    from flashdl.core.scheduling import Scheduler
    from flashdl.paths import Paths
    from flashdl.store import Store
    from flashdl.ui.study import SessionContext


class Lang(StrEnum):
    zh = "zh"
    en = "en"
    both = "both"


def _now() -> datetime:
    try:
        now = datetime.now().astimezone()
    except (ValueError, OverflowError):  # TZ='UTC+24': an offset Python's datetime refuses
        now = None
    offset = now.utcoffset() if now is not None else None
    if offset is None or abs(offset) > MAX_UTC_OFFSET:
        zone = os.environ.get("TZ", "")
        raise UsageError(
            f"the time zone TZ={zone!r} is more than 14 hours from UTC, as no place is; set TZ"
            " to a real zone such as Asia/Shanghai, or unset it"
        )
    return now


@dataclass
class Env:
    """What a command needs from the outside world; tests pass their own via ``obj=``."""

    clock: Callable[[], datetime] = _now
    stdin: TextIO | None = None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    decks_dirs: list[Path] = field(default_factory=list)  # from --decks-dir

    def console(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False)

    def keys(self):
        from flashdl.ui.keys import keys_for

        return keys_for(self.stdin or sys.stdin)

    def full_screen(self, plain: bool) -> bool:
        """The full-screen app when both ends are a terminal that can show it; piped input,
        ``TERM=dumb`` and ``--plain`` keep the line protocol."""
        if plain or self.environ.get("TERM", "dumb") in ("", "dumb"):
            return False
        try:
            return (self.stdin or sys.stdin).isatty() and sys.stdout.isatty()
        except (AttributeError, ValueError):
            return False


class _Group(TyperGroup):
    """Turns every error a command raises into one line on stderr and a non-zero exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's own error exits, made one line: a bad flag or value, an unknown command, and
        output that cannot be written (a closed pipe, a full disk, an encoding that cannot show
        the text)."""
        import importlib

        # Typer vendors click; its exception classes live beside BadParameter.
        click = importlib.import_module(typer.BadParameter.__module__)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
            _flush_stdout()
        except getattr(click, "NoArgsIsHelpError", ()) as exc:
            typer.echo(exc.format_message())  # `flashdl` alone: the help, as before
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "flashdl"
            _say(f"flashdl: {exc.format_message()} (see `{where} --help`)")
            sys.exit(exc.exit_code)
        except typer.Abort:
            _say("flashdl: aborted")
            sys.exit(1)
        except click.ClickException as exc:
            _say(f"flashdl: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(141)  # as a shell reports a pipe closed by the reader (128 + SIGPIPE)
        except OSError as exc:
            _quiet_stdout()
            _say(f"flashdl: cannot write the output: {exc.strerror or exc}")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            for problem in exc.problems:
                _say(problem)
            count = len(exc.problems)
            _say(f"flashdl: {count} problem{'s' if count != 1 else ''} in deck files")
            raise typer.Exit(1) from None
        except FlashdlError as exc:
            _say(f"flashdl: {exc}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _say("\nflashdl: interrupted; every grade given so far is saved")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException, BrokenPipeError):
            raise
        except UnicodeEncodeError as exc:
            _say(
                f"flashdl: the terminal's encoding ({exc.encoding}) cannot show flashdl's text; "
                "use a UTF-8 locale or set PYTHONIOENCODING=utf-8"
            )
            raise typer.Exit(1) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            _say(f"flashdl: {exc.strerror or exc}{where}")
            raise typer.Exit(1) from None
        except Exception as exc:
            if os.environ.get("FLASHDL_DEBUG"):
                raise
            _say(
                f"flashdl: unexpected {type(exc).__name__} ({exc}); please report it, with "
                "FLASHDL_DEBUG=1 for the details",
                code=2,
            )
            raise typer.Exit(2) from None


def _open_store(path: Path) -> Store:
    """``Store.open``, saying so first when it is about to upgrade a large history (seconds)."""
    from flashdl.store import Store

    return Store.open(path, upgrade_notice=_say_upgrading)


def _say_upgrading(path: Path) -> None:
    _say(f"flashdl: updating {path} for this version of flashdl (once; a few seconds)")


def _say(message: str, code: int = 1) -> None:
    """One line on stderr; text from files or options is shown with its control characters
    escaped, so nothing a user or a hostile file supplied can drive the terminal."""
    del code
    text = "\n".join(one_line(part, 2000) for part in message.split("\n"))
    try:
        typer.echo(text, err=True)
    except UnicodeEncodeError:
        typer.echo(text.encode("ascii", "backslashreplace").decode("ascii"), err=True)


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _quiet_stdout() -> None:
    """After a write to stdout failed, point it at /dev/null so that Python's own flush at exit
    does not print a second error."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    cls=_Group,
    name="flashdl",
    help="Flashcards and spaced repetition (SM-2) for deep-learning interviews.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file to use (default: FLASHDL_DB, else the data folder).",
        dir_okay=False,
    ),
]
DeckOption = Annotated[
    list[str] | None, typer.Option("--deck", "-d", help="Only this deck (repeatable).")
]
GroupOption = Annotated[
    str | None,
    typer.Option(
        "--group",
        "-g",
        metavar="NAME",
        help="Only the decks of this group: interview, knowledge or all (default: the group "
        "setting, interview).",
    ),
]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the cards.")]
SessionLangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang", help="Language of the cards and the session's words (default: the lang setting)."
    ),
]
PlainOption = Annotated[
    bool,
    typer.Option(
        "--plain",
        help="Plain output and one key a line, not the full-screen app (also with TERM=dumb "
        "or piped input).",
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="YYYY-MM-DD",
        help="Interview date: every learned card comes back once in its final days (see "
        "--final-days), spread over them, and none on the day itself. Remembered until changed; "
        "'off' forgets it.",
    ),
]
IncludeDayOption = Annotated[
    bool | None,
    typer.Option(
        "--include-day/--no-include-day",
        help="Let reviews fall on the interview day itself (remembered).",
        show_default=False,
    ),
]
FinalDaysOption = Annotated[
    int | None,
    typer.Option(
        "--final-days",
        min=1,
        max=90,
        metavar="N",
        help="Days before the interview over which the last reviews are spread (default 7; "
        "remembered).",
    ),
]


def _env(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env()
    return root.obj


def _remember_decks_dirs(ctx: typer.Context, value: list[Path] | None) -> list[Path] | None:
    """Keep ``--decks-dir`` on the Env, so every command that loads decks sees it."""
    if value:
        _env(ctx).decks_dirs = [Path(v).expanduser() for v in value]
    return value


DecksDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--decks-dir",
        metavar="PATH",
        help="Also load every *.yaml deck in this folder (repeatable).",
        callback=_remember_decks_dirs,
    ),
]


def _finite(value: float | None) -> float | None:
    """Typer's min/max let NaN through (every comparison with NaN is false)."""
    import math

    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number")
    return value


ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flashdl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Flashcards and spaced repetition (SM-2) for deep-learning interviews."""


# -- shared steps -----------------------------------------------------------------------------


def _paths(env: Env, db: Path | None) -> Paths:
    from flashdl.paths import resolve_paths

    return resolve_paths(db, env.environ)


def _labelled_deck_sources(paths: Paths, env: Env) -> list[tuple[str, Path]]:
    """Bundled decks, the user's decks folder, FLASHDL_DECKS (``:``-separated), --decks-dir."""
    from flashdl.paths import bundled_decks_dir

    sources = [("bundled", bundled_decks_dir()), ("user", paths.user_decks_dir)]
    extra = env.environ.get("FLASHDL_DECKS", "")
    sources += [("FLASHDL_DECKS", Path(p).expanduser()) for p in extra.split(os.pathsep) if p]
    sources += [("--decks-dir", path) for path in env.decks_dirs]
    return sources


def _deck_sources(paths: Paths, env: Env) -> list[Path]:
    """The folders and files decks are loaded from, each once; a missing user folder is skipped."""
    from flashdl.files import resolved

    sources: list[Path] = []
    seen: set[Path] = set()
    for label, path in _labelled_deck_sources(paths, env):
        if label == "user" and not path.is_dir():
            continue
        if label == "--decks-dir" and not path.is_dir():
            raise UsageError(f"--decks-dir {path}: no such folder")
        key = resolved(path)
        if key not in seen:
            seen.add(key)
            sources.append(path)
    return sources


def _load_decks(paths: Paths, env: Env, *, early: bool = False) -> list[Deck]:
    """All usable decks, through the parsed-deck cache; a broken file is skipped with one warning
    line per problem (``flashdl check`` bypasses the cache and fails instead). ``early`` (study
    and quiz): a large new deck file is read from its outline and parsed in the background."""
    from flashdl.decks.cache import load_usable_decks_cached
    from flashdl.decks.loader import is_harmless

    notes: list[str] = []
    decks, problems = load_usable_decks_cached(
        _deck_sources(paths, env), paths.cache_dir, notes=notes, early=early
    )
    for note in notes:
        _say(note)
    for problem in problems:
        _say(problem)
    left_out = [p for p in problems if not is_harmless(p)]
    if left_out:
        count = len(left_out)
        _say(
            f"flashdl: warning: {count} problem{'s' if count != 1 else ''} in deck files; "
            "those decks were left out (`flashdl check` lists them)"
        )
    if len(left_out) < len(problems):
        count = len(problems) - len(left_out)
        _say(
            f"flashdl: warning: {count} problem{'s' if count != 1 else ''} in deck files; "
            + (
                "links to cards that do not exist are"
                if count != 1
                else "a link that leads nowhere is"
            )
            + " not shown (the decks are in use)"
        )
    return decks


def _session_context(
    env: Env,
    store: Store,
    console: Console,
    decks: list[Deck],
    lang: Lang,
    interview: date | None,
    scheduler: Scheduler | None,
    config: Config | None = None,
) -> SessionContext:
    """What ``study`` and ``quiz`` share: the store, the terminal, the clock, the cards, and the
    grading keys and learning delay of the settings."""
    from flashdl.core.model import CardLookup
    from flashdl.store import StateLookup
    from flashdl.ui.study import SessionContext

    title_lang = "en" if lang == Lang.en else "zh"
    return SessionContext(
        store=store,
        console=console,
        keys=env.keys(),
        clock=env.clock,
        cards_by_id=CardLookup(decks),
        states=StateLookup(store),
        lang=lang.value,
        deck_titles={d.name: d.title.get(title_lang) for d in decks},
        until=interview,
        **({"scheduler": scheduler} if scheduler is not None else {}),
        **(
            {"grading": config.grading_mode, "learning_delay": config.learning_delta}
            if config is not None
            else {}
        ),
    )


def _find_card(decks: list[Deck], card_id: str) -> Card:
    from flashdl.core.model import CardLookup

    cards = CardLookup(decks)
    if card_id in cards:
        return cards[card_id]
    import difflib

    close = difflib.get_close_matches(card_id, list(cards), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else "; `flashdl search TEXT` finds ids"
    raise UsageError(f"no card with id '{card_id}'{hint}")


def _settings(paths: Paths) -> Config:
    """The settings file's values (the defaults where it is silent)."""
    from flashdl.app.config import config_path, load_config

    return load_config(config_path(paths.config_dir))


def _selected(
    decks: list[Deck],
    names: list[str] | None,
    paths: Paths,
    config: Config,
    group: str | None = None,
) -> list[Deck]:
    """``--deck`` if given, else ``--group``, else the ``decks`` setting, else the ``group``
    setting's decks. A name in the decks setting that no deck has (a deck removed, or left out
    as broken) is a warning, not a stop."""
    from flashdl.app.config import config_path

    if names and group is not None:
        raise UsageError("give --deck or --group, not both")
    if names:
        return _select(decks, names)
    if group is not None:
        return _in_group(decks, group.strip(), "--group")
    if not config.decks:
        return _in_group(decks, config.group, f"{config_path(paths.config_dir)}: group")

    known = {d.name for d in decks}
    missing = [n for n in config.decks if n not in known]
    if missing:
        path = config_path(paths.config_dir)
        if len(missing) == len(config.decks):
            raise UsageError(
                f"{path}: decks: no deck named {', '.join(missing)}; the decks are: "
                f"{', '.join(sorted(known))} (`flashdl config set decks default` leaves the "
                "choice to the group setting)"
            )
        _say(f"flashdl: warning: {path}: decks: no deck named {', '.join(missing)}; left out")
    return _select(decks, [n for n in config.decks if n in known])


def _in_group(decks: list[Deck], group: str, where: str) -> list[Deck]:
    """The decks of ``group``; an error naming the groups there are when it has none."""
    from flashdl.core.model import EVERY_GROUP, decks_in_group, group_names

    chosen = decks_in_group(decks, group)
    if chosen or not decks:
        return chosen
    groups = ", ".join(group_names(decks))
    raise UsageError(
        f"{where}: no deck is in the group '{group[:60]}'; the groups are: {groups} "
        f"('{EVERY_GROUP}' selects every deck)"
    )


def _select(decks: list[Deck], names: list[str] | None) -> list[Deck]:
    if not names:
        return decks
    by_name = {d.name: d for d in decks}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name))
        raise UsageError(f"no deck named '{unknown[0]}'; the decks are: {known}")
    return [by_name[n] for n in dict.fromkeys(names)]


# -- commands ---------------------------------------------------------------------------------


@app.command()
def study(
    ctx: typer.Context,
    deck: DeckOption = None,
    group: GroupOption = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--new",
            min=0,
            help="New cards per day (cards first seen today count; default: the new_per_day "
            "setting, 10).",
        ),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).")
    ] = None,
    lang: SessionLangOption = None,
    until: UntilOption = None,
    include_day: IncludeDayOption = None,
    final_days: FinalDaysOption = None,
    plain: PlainOption = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Review the cards due today, then new cards up to the daily limit."""
    from rich.text import Text

    from flashdl.app.study import (
        Limits,
        interview_date,
        nothing_to_study,
        related_cards,
        scheduler_in_force,
        selected_ids,
        todays_queue,
        waiting_reviews,
    )
    from flashdl.ui import render
    from flashdl.ui.study import StudySession

    env = _env(ctx)
    paths = _paths(env, db)
    config = _settings(paths)
    lang = lang or Lang(config.lang)
    limits = Limits.from_config(config, new_per_day=new)
    all_decks = _load_decks(paths, env, early=True)
    decks = _selected(all_decks, deck, paths, config, group)
    console = env.console()
    with _open_store(paths.db_path) as store:
        now = env.clock()
        today = study_day(now)
        before = interview_date(store, None, today)
        interview = interview_date(
            store, until, today, include_day=include_day, final_days=final_days
        )
        scheduler = scheduler_in_force(
            paths.config_dir, store, interview, config, recap=interview != before
        )
        tags = tag or ()
        if tags and not any(selected_ids(decks, tags)):
            raise UsageError(f"no cards in the selected decks have the tag(s) {', '.join(tags)}")
        related = related_cards(all_decks)
        queue = todays_queue(store, decks, now, limits, tags=tags, related=related)
        if not queue:
            console.print(Text(nothing_to_study(store, decks, today, limits, lang.value, tags)))
            return
        context = _session_context(
            env, store, console, all_decks, lang, interview, scheduler, config
        )
        context.related_ids = related
        context.leech_rule = config.leech_rule()
        context.review_limit = limits.max_reviews_per_day
        context.held_back = lambda day: waiting_reviews(store, decks, day, limits, tags)
        if env.full_screen(plain):
            from flashdl.ui.tui.app import study_app

            def edit_in_app(card: Card) -> Card | None:
                try:
                    return _edit_card(env, paths, all_decks, card).card
                except FlashdlError:
                    return None  # no editor, say: the card stays as it was

            engine = context.engine(queue)
            full_screen = study_app(
                engine, lang=lang.value, deck_titles=context.deck_titles, edit_card=edit_in_app
            )
            full_screen.run()
            if full_screen.stopped_by is not None:
                raise full_screen.stopped_by
            summary = engine.summary()
        else:
            summary = StudySession(context, queue).run()
        console.print(render.summary_view(summary, lang.value))


@app.command()
def check(
    ctx: typer.Context,
    paths_: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Deck files or folders (default: all decks flashdl loads)."
        ),
    ] = None,
    decks_dir: DecksDirOption = None,
) -> None:
    """Validate deck files and lint their terms; report every problem as file:line: message.

    Lint problems are errors for the bundled decks and warnings for your own."""
    from flashdl.core.glossary import Glossary
    from flashdl.decks.cache import lint_passed_before, load_file_in_parts, mark_lint_passed
    from flashdl.decks.glossary import GLOSSARY_FILE, load_glossary
    from flashdl.decks.lint import MAX_LINTED_CARDS, lint_decks
    from flashdl.decks.loader import deck_files, load_collection
    from flashdl.files import resolved
    from flashdl.paths import bundled_decks_dir

    env = _env(ctx)
    paths = _paths(env, None)
    sources = _deck_sources(paths, env)
    notes: list[str] = []
    checked_files = deck_files([*paths_, *env.decks_dirs]) if paths_ else []
    if paths_:
        decks = _checked_beside_the_others(checked_files, paths, env, notes)
    else:
        decks = load_collection(sources, loader=load_file_in_parts, notes=notes)
    for note in notes:
        _say(note)
    bundled_dir = bundled_decks_dir().resolve()
    bundled = [d for d in decks if Path(d.path).resolve().is_relative_to(bundled_dir)]
    # Bundled decks are held to the lint from deck format 2 on (format-1 decks predate it); one
    # with your overrides in it is linted as yours (warnings).
    strict = [d for d in bundled if d.format >= 2 and not d.overridden]
    lenient = [d for d in decks if d not in bundled or (d.format >= 2 and d.overridden)]
    strict_files = [*(Path(d.path) for d in strict), GLOSSARY_FILE]
    if strict and lint_passed_before(strict_files, paths.cache_dir):
        strict = []  # unchanged since they last passed (the test suite lints them every run)
    # The glossary only when some deck is small enough to be linted (see flashdl/decks/lint.py).
    sizes = [sum(len(d.cards) for d in group) for group in (strict, lenient) if group]
    glossary = (
        load_glossary(paths.cache_dir)
        if any(size <= MAX_LINTED_CARDS for size in sizes)
        else Glossary()
    )
    # Your decks are compared with every deck; the bundled ones only with each other, so that a
    # card of yours never turns into an error in a bundled deck (yours gets the warning).
    warnings = lint_decks(lenient, glossary, compare_with=decks) if lenient else None
    errors = lint_decks(strict, glossary, compare_with=bundled) if strict else None
    for report in (warnings, errors):
        if report is not None and report.skipped:
            typer.echo(f"note: {report.skipped}", err=True)
    if warnings is not None:
        for finding in warnings.findings:
            typer.echo(finding.formatted("warning"), err=True)
    if errors is not None and errors.findings:
        raise DeckError([finding.formatted() for finding in errors.findings])
    if errors is not None and not errors.skipped:
        mark_lint_passed(strict_files, paths.cache_dir)
    if warnings is not None and warnings.findings:
        count = len(warnings.findings)
        typer.echo(
            f"flashdl: {count} lint warning{'s' if count != 1 else ''}: quiz may grade these"
            " cards poorly (see docs/grading.md)",
            err=True,
        )
    cards = sum(len(d.cards) for d in decks)
    # (given files: each is a deck, or a file of overrides, which is no deck of its own; a file
    # given twice, by a link or another path, is one)
    overrides = len({resolved(path) for path in checked_files}) - len(decks) if paths_ else 0
    also = f", {overrides} file{'s' if overrides != 1 else ''} of overrides" if overrides else ""
    typer.echo(f"ok: {len(decks)} deck{'s' if len(decks) != 1 else ''}, {cards} cards{also}")


def _checked_beside_the_others(
    checked: list[Path], paths: Paths, env: Env, notes: list[str]
) -> list[Deck]:
    """The decks of the deck files ``checked``, checked beside the decks a session loads with
    them: a card id that another deck has is reported as ``study`` would leave the deck out for
    it, and a ``related`` card in another deck is known. The others come from the cache, as a
    session reads them; a bundled deck not cached yet from its outline (0.12 s for all 20, where
    parsing them takes 0.7 s). Only the checked files' problems are reported."""
    from functools import partial

    from flashdl.decks.cache import entry_path, load_file_cached, load_file_in_parts, load_outline
    from flashdl.decks.loader import deck_files, load_checked
    from flashdl.files import resolved
    from flashdl.paths import bundled_decks_dir

    bundled = resolved(bundled_decks_dir())
    cached = partial(load_file_cached, cache_dir=paths.cache_dir)

    def other(path: Path) -> Deck | Overrides:
        if resolved(path).parent == bundled and not entry_path(paths.cache_dir, path).is_file():
            return load_outline(path)
        return cached(path)

    others = deck_files(_deck_sources(paths, env))
    return load_checked(checked, others, load_file_in_parts, other, notes)


@app.command("decks")
def list_decks(
    ctx: typer.Context,
    show_paths: Annotated[
        bool, typer.Option("--paths", help="Show the folders decks are loaded from, and exit.")
    ] = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """List the decks with their card counts and your progress in each."""
    from flashdl.core.model import card_ids
    from flashdl.ui import render

    env = _env(ctx)
    paths = _paths(env, db)
    if show_paths:
        for label, path in _labelled_deck_sources(paths, env):
            missing = "" if path.exists() else "  (does not exist yet)"
            typer.echo(f"{label:<14} {path}{missing}")
        return
    from flashdl.core.grades import REPEAT_BELOW_IN
    from flashdl.core.model import deck_group

    config = _settings(paths)
    repeat_below = REPEAT_BELOW_IN[config.grading_mode]
    decks = _load_decks(paths, env)
    today = study_day(env.clock())
    with _open_store(paths.db_path) as store:
        store.focus_cards((card_id, d.name) for d in decks for card_id in card_ids(d))
        counts = store.state_counts(today, repeat_below=repeat_below)
        cap = config.max_reviews_per_day
        held = 0
        if cap is not None:  # (the counts are what is due, not what study shows)
            from flashdl.app.study import Limits, waiting_reviews
            from flashdl.core.model import decks_in_group

            studied = set(config.decks) or {d.name for d in decks_in_group(decks, config.group)}
            studied_decks = [d for d in decks if d.name in studied]
            held = waiting_reviews(store, studied_decks, today, Limits.from_config(config))
    rows = []
    for d in decks:
        c = counts.get(d.name, {})
        rows.append(
            render.DeckRow(
                name=d.name,
                title=d.title.get("zh"),
                cards=len(d.cards),
                new=int(c.get("new", len(d.cards))),
                due=int(c.get("due", 0)),
                learned=int(c.get("cards", 0) - c.get("new", 0) - c.get("suspended", 0)),
                group=deck_group(d),
            )
        )
    default_group = None if config.decks else config.group
    env.console().print(render.decks_table(rows, default_group))
    if cap is not None and held:
        due = sum(r.due for r in rows if r.name in studied)
        typer.echo(render.review_cap_line(cap, due - held, due))
    groups = list(dict.fromkeys(r.group for r in rows))
    if len(groups) > 1 and default_group:
        other = next((g for g in groups if g != default_group), groups[-1])
        typer.echo(
            f"study, quiz, export and stats use the {default_group} group;\n"
            f"--group {other} picks the {other} decks, --group all every deck;\n"
            f"flashdl config set group {other} makes that the default."
        )


@app.command()
def quiz(
    ctx: typer.Context,
    deck: DeckOption = None,
    group: GroupOption = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="How many cards.")] = 10,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only cards with this tag (repeatable).")
    ] = None,
    shuffle: Annotated[
        bool, typer.Option("--shuffle/--in-order", help="Random order, or deck order.")
    ] = True,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for a reproducible order.")
    ] = None,
    reschedule: Annotated[
        bool,
        typer.Option(
            "--reschedule",
            help="Let the grades move the due dates too (SM-2 or FSRS, as configured).",
        ),
    ] = False,
    no_type: Annotated[
        bool, typer.Option("--no-type", help="Just reveal and grade; no typed answer.")
    ] = False,
    timed: Annotated[
        bool, typer.Option("--timed", help="Timed mock interview, 3 minutes a question.")
    ] = False,
    minutes: Annotated[
        float | None,
        typer.Option(
            "--minutes",
            min=0.1,
            max=600,
            callback=_finite,
            help="Timed, with this many minutes a question (0.1 to 600).",
        ),
    ] = None,
    lang: SessionLangOption = None,
    plain: PlainOption = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Mock interview: answer in your own words, see which key points you named, grade yourself."""
    import random

    from flashdl.app.study import interview_date, scheduler_in_force
    from flashdl.core.model import card_ids, card_tags
    from flashdl.core.planning import pick_cards
    from flashdl.decks.glossary import load_glossary
    from flashdl.ui import render
    from flashdl.ui.quiz import DEFAULT_BUDGET_MINUTES, QuizSession

    env = _env(ctx)
    paths = _paths(env, db)
    config = _settings(paths)
    lang = lang or Lang(config.lang)
    all_decks = _load_decks(paths, env, early=True)
    decks = _selected(all_decks, deck, paths, config, group)
    console = env.console()
    with _open_store(paths.db_path) as store:
        today = study_day(env.clock())
        interview = interview_date(store, None, today) if reschedule else None
        scheduler = (
            scheduler_in_force(paths.config_dir, store, interview, config) if reschedule else None
        )
        picked = pick_cards(
            [pair for d in decks for pair in zip(card_ids(d), card_tags(d), strict=True)],
            count=count,
            tags=tag or (),
            shuffle=shuffle,
            rng=random.Random(seed),
            exclude=store.suspended_ids(),
        )
        if not picked:
            raise UsageError(
                "no cards match" + (f" the tag(s) {', '.join(tag)}" if tag else " those decks")
            )
        budget = minutes if minutes is not None else DEFAULT_BUDGET_MINUTES if timed else None
        context = _session_context(
            env, store, console, all_decks, lang, interview, scheduler, config
        )
        session = QuizSession(
            context,
            [context.cards_by_id[card_id] for card_id in picked],
            typing=not no_type,
            budget_seconds=budget * 60 if budget is not None else None,
            reschedule=reschedule,
            glossary=load_glossary(paths.cache_dir),
        )
        if env.full_screen(plain):
            from flashdl.ui.tui.app import quiz_app

            app = quiz_app(session.engine, lang=lang.value, typing=not no_type,
                           deck_titles=context.deck_titles, grading=context.grading)  # fmt: skip
            app.run()
            if app.stopped_by is not None:
                raise app.stopped_by
            answers = session.engine.answers
        else:
            answers = session.run()
        console.print(render.quiz_report_view(answers, lang.value))


MAX_ANSWER_BYTES = 64 * 1024
_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _json_text(value: object, depth: int = 0) -> str:
    """JSON for the plain data ``flashdl grade`` prints (dicts, lists, text, numbers, booleans,
    null), one item a line. Written out here because importing the ``json`` package costs
    ``grade`` a few milliseconds at every start; ``tests/test_cli_grade.py`` checks the output
    against ``json.loads``."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            _JSON_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ch < " " else ch) for ch in value
        )
        return f'"{escaped}"'
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{_json_text(str(k))}: {_json_text(v, depth + 1)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{inner}{_json_text(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _read_answer(env: Env) -> str:
    """The typed answer on stdin, as text; empty, binary or huge input is a usage error."""
    stream = env.stdin or sys.stdin
    source = getattr(stream, "buffer", None)
    try:
        data = source.read(MAX_ANSWER_BYTES + 1) if source is not None else stream.read()
    except OSError as exc:
        raise UsageError(f"cannot read the answer from stdin ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UsageError("the answer on stdin is not UTF-8 text") from None
    if isinstance(data, bytes):
        if len(data) > MAX_ANSWER_BYTES:
            raise UsageError(f"the answer on stdin is over {MAX_ANSWER_BYTES // 1024} KiB")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError("the answer on stdin is not UTF-8 text") from None
    if "\x00" in data:
        raise UsageError("the answer on stdin looks binary (it has NUL bytes), not typed text")
    if not data.strip():
        raise UsageError(
            "no answer on stdin; pipe one in, e.g. echo 'your answer' | flashdl grade CARD_ID"
        )
    return data


@app.command()
def grade(
    ctx: typer.Context,
    card_id: Annotated[str, typer.Argument(metavar="CARD_ID", help="The card answered.")],
    lang: Annotated[
        str, typer.Option("--lang", metavar="zh|en", help="Language of the corrections shown.")
    ] = "zh",
    decks_dir: DecksDirOption = None,
) -> None:
    """Grade a typed answer (read from stdin) as quiz does; print the key points it covers,
    the wrong claims it makes and the suggested grade, as JSON."""
    if lang not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en, not '{lang}'")
    from flashdl.core.grading import as_json, grade_answer
    from flashdl.decks.glossary import load_glossary

    env = _env(ctx)
    paths = _paths(env, None)
    card = _find_card(_load_decks(paths, env), card_id)
    typed = _read_answer(env)
    result = grade_answer(card, typed, load_glossary(paths.cache_dir))
    typer.echo(_json_text(as_json(card, result, lang)))


@app.command()
def stats(
    ctx: typer.Context,
    deck: DeckOption = None,
    group: GroupOption = None,
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=3650, help="Window for retention and the due forecast."),
    ] = 30,
    as_json: Annotated[
        bool, typer.Option("--json", help="Machine-readable output (see docs/commands.md).")
    ] = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Progress per deck, due forecast, review calendar, hardest cards and interview readiness."""
    from flashdl.app import stats as figures
    from flashdl.app.study import interview_date, scheduler_in_force

    env = _env(ctx)
    paths = _paths(env, db)
    config = _settings(paths)
    decks = _selected(_load_decks(paths, env), deck, paths, config, group)
    today = study_day(env.clock())
    from flashdl.core.grades import REPEAT_BELOW_IN

    with _open_store(paths.db_path) as store:
        interview = interview_date(store, None, today)
        # FSRS's forecast needs the states FSRS built; readiness projects with that scheduler
        scheduler = scheduler_in_force(paths.config_dir, store, interview, config)
        result = figures.collect(
            store, decks, today, days=days, interview_date=interview, scheduler=scheduler,
            repeat_below=REPEAT_BELOW_IN[config.grading_mode], new_per_day=config.new_per_day,
            max_reviews_per_day=config.max_reviews_per_day,
        )  # fmt: skip
    if as_json:
        import json

        typer.echo(json.dumps(figures.to_json(result), ensure_ascii=False, indent=2))
        return
    from flashdl.ui import render

    env.console().print(render.stats_view(result))


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help="Words to find in questions, answers and key points.")
    ],
    deck: DeckOption = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only cards with this tag.")
    ] = None,
    lang: LangOption = Lang.zh,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Find cards by text (Chinese or English) and show their ids and due dates."""
    from flashdl.core.search import search_cards
    from flashdl.ui import render

    env = _env(ctx)
    paths = _paths(env, db)
    decks = _select(_load_decks(paths, env), deck)
    hits = search_cards([c for d in decks for c in d.cards], text, tags=tag or ())
    with _open_store(paths.db_path) as store:
        stored = {card.id: entry for card in hits if (entry := store.state_of(card.id))}
    console = env.console()
    if not hits:
        from rich.text import Text

        console.print(Text(f"No cards match '{one_line(text)}'."))
        return
    console.print(render.search_results_view(hits, stored, lang.value))


@app.command()
def show(
    ctx: typer.Context,
    card_id: Annotated[
        str, typer.Argument(metavar="CARD_ID", help="The card's id (see `flashdl search`).")
    ],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the card.")] = Lang.both,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Show one card in full with its review history."""
    from flashdl.core.model import CardLookup
    from flashdl.ui import render

    env = _env(ctx)
    paths = _paths(env, db)
    decks = _load_decks(paths, env)
    card = _find_card(decks, card_id)
    with _open_store(paths.db_path) as store:
        entry = store.state_of(card.id)
        history = store.reviews(card.id, include_undone=True)
        lapses = store.lapses([card.id])[card.id]
    cards_by_id = CardLookup(decks)
    deck_of_card = next(d for d in decks if d.name == card.deck)
    title = deck_of_card.title.get("en" if lang == Lang.en else "zh")
    console = env.console()
    console.print(render.question_view(card, lang=lang.value, deck_title=title))
    related = [cards_by_id[r] for r in card.related if r in cards_by_id]
    console.print(render.answer_view(card, lang=lang.value, related=related))
    overridden = deck_of_card.overridden_by(card.id)
    if overridden:
        console.print(render.override_note(overridden))
    console.print(render.history_view(entry, history, lapses=lapses))


@app.command()
def edit(
    ctx: typer.Context,
    card_id: Annotated[
        str, typer.Argument(metavar="CARD_ID", help="The card's id (see `flashdl search`).")
    ],
    decks_dir: DecksDirOption = None,
) -> None:
    """Correct a card in your editor: a bundled card gets an override in your decks folder.

    Opens $EDITOR (else $VISUAL, vi or nano) at the card's line, then checks the file."""
    from flashdl.decks.loader import display_path

    env = _env(ctx)
    paths = _paths(env, None)
    decks = _load_decks(paths, env)
    card = _find_card(decks, card_id)
    edited = _edit_card(env, paths, decks, card)
    shown = display_path(edited.target.path)
    if edited.target.created:
        typer.echo(f"Copied card '{card.id}' into {shown}:{edited.target.line} as an override.")
    if edited.editor_code != 0:
        _say(f"flashdl: warning: the editor exited with code {edited.editor_code}")
    for problem in edited.problems:
        _say(problem)
    if edited.card is None:
        count = len(edited.problems)
        raise UsageError(
            f"{count} problem{'s' if count != 1 else ''} in {shown}; "
            f"your edit is kept there: fix it with `flashdl edit {card.id}`"
        )
    typer.echo(f"Checked {shown}: card '{card.id}' now shows your version.")


def _edit_card(env: Env, paths: Paths, decks: list[Deck], card: Card):
    """``flashdl edit`` on ``card``: the override created if needed, the editor, the check."""
    from flashdl.app.edit import edit_card
    from flashdl.paths import bundled_decks_dir

    deck = next(d for d in decks if d.name == card.deck)
    return edit_card(
        card,
        deck,
        user_decks_dir=paths.user_decks_dir,
        bundled_dir=bundled_decks_dir(),
        cache_dir=paths.cache_dir,
        sources=_deck_sources(paths, env),
        environ=env.environ,
    )


@app.command()
def reset(
    ctx: typer.Context,
    card_ids: Annotated[
        list[str] | None, typer.Argument(metavar="[CARD_ID]...", help="Cards to reset.")
    ] = None,
    deck: Annotated[
        list[str] | None, typer.Option("--deck", "-d", help="Reset every card of this deck.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Forget the progress of cards (they become new); their review history is kept."""
    from flashdl.core import model

    env = _env(ctx)
    if not card_ids and not deck:
        raise UsageError("name card ids or --deck NAME to reset")
    paths = _paths(env, db)
    decks = _load_decks(paths, env)
    pairs = [(card.id, card.deck) for card in (_find_card(decks, cid) for cid in card_ids or [])]
    pairs += (
        [(cid, d.name) for d in _select(decks, deck) for cid in model.card_ids(d)] if deck else []
    )
    what = f"{len(pairs)} card{'s' if len(pairs) != 1 else ''}"
    if not yes:
        typer.echo(f"Reset the progress of {what}? Their review history is kept. [y/N] ", nl=False)
        answer = env.keys().read_line()
        if (answer or "").strip().lower() not in ("y", "yes"):
            typer.echo("Nothing was reset.")
            raise typer.Exit(1)
    with _open_store(paths.db_path) as store:
        changed = store.reset_cards(pairs, env.clock())
    typer.echo(f"Reset {changed} of {what} (the others had no progress yet).")


def _set_suspended(
    ctx: typer.Context, card_ids: list[str], db: Path | None, suspended: bool
) -> None:
    env = _env(ctx)
    paths = _paths(env, db)
    decks = _load_decks(paths, env)
    cards = [_find_card(decks, cid) for cid in card_ids]
    with _open_store(paths.db_path) as store:
        for card in cards:
            store.set_suspended(card.id, card.deck, suspended)
    verb = "Suspended" if suspended else "Unsuspended"
    typer.echo(f"{verb} {', '.join(c.id for c in cards)}.")


CardIds = Annotated[list[str], typer.Argument(metavar="CARD_ID...", help="One or more card ids.")]


@app.command()
def suspend(
    ctx: typer.Context,
    card_ids: CardIds,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Take cards out of the schedule (study and quiz skip them) until unsuspended."""
    _set_suspended(ctx, card_ids, db, True)


@app.command()
def unsuspend(
    ctx: typer.Context,
    card_ids: CardIds,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Put suspended cards back into the schedule, with their progress."""
    _set_suspended(ctx, card_ids, db, False)


# -- settings ---------------------------------------------------------------------------------

config_app = typer.Typer(
    cls=_Group,
    help="Show or change the settings: scheduler, grading keys, daily limits, language, decks.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(ctx: typer.Context, db: DbOption = None) -> None:
    """Show every setting with where its value comes from (the settings file or the default),
    the settings file, and which scheduler built the database's schedule. Command-line flags
    (--new, --lang, --deck) override these for one run."""
    from flashdl.app.config import HELP, config_path, load_config, source

    env = _env(ctx)
    paths = _paths(env, db)
    path = config_path(paths.config_dir)
    config = load_config(path)
    note = "" if path.exists() else " (not written yet: the defaults)"
    typer.echo(f"settings file: {path}{note}")
    shown = {key: f"{key} = {config.display(key)}" for key in HELP}
    width = max(len(line) for line in shown.values())
    for key, meaning in HELP.items():
        typer.echo(f"{shown[key]:<{width}}  ({source(config, key, path)})  # {meaning}")
    if paths.db_path.exists():
        with _open_store(paths.db_path) as store:
            built = store.built_with()
        typer.echo(f"database: {paths.db_path} (schedule built by {built})")


# A value such as "-1" is a value to refuse with its range, not an unknown option.
@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="A setting (`flashdl config show` lists them).")
    ],
    value: Annotated[
        str,
        typer.Argument(
            metavar="VALUE", help="e.g. fsrs, anki, 15, none, gan,nlp; 'default' unsets."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Change a setting ('default' as the value forgets it). Switching schedulers keeps every
    review and rebuilds each card's schedule from its review log."""
    from flashdl.app.config import config_path, load_config, save_config, with_value
    from flashdl.app.study import interview_date

    env = _env(ctx)
    paths = _paths(env, db)
    path = config_path(paths.config_dir)
    config = with_value(load_config(path), key, value)
    if not paths.db_path.exists():
        save_config(path, config)
        typer.echo(f"{key} = {config.display(key)} (saved in {path})")
        return
    # The schedule first: a database whose rebuild fails keeps the settings as they were too
    # ("nothing was changed" is then true of both).
    with _open_store(paths.db_path) as store:
        interview = interview_date(store, None, study_day(env.clock()))
        rebuilt = store.use_scheduler(config.make_scheduler(), until=interview)
        built = store.built_with()
    save_config(path, config)
    typer.echo(f"{key} = {config.display(key)} (saved in {path})")
    if rebuilt is None:
        typer.echo(f"{paths.db_path}: the schedule is already built by {built}")
    else:
        typer.echo(
            f"{paths.db_path}: rebuilt the schedule of {rebuilt} card{'s' if rebuilt != 1 else ''}"
            f" from the review log with {built}; every review is kept"
        )


# -- simulation -------------------------------------------------------------------------------


@app.command()
def simulate(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Days to simulate.")] = 365,
    cards: Annotated[
        int, typer.Option("--cards", min=1, max=20000, help="Cards in the simulated deck.")
    ] = 500,
    new: Annotated[int, typer.Option("--new", min=1, help="New cards a day.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed, the same numbers.")] = 1,
    retention: Annotated[
        float,
        typer.Option(
            "--retention", min=0.7, max=0.99, callback=_finite, help="FSRS's desired retention."
        ),
    ] = 0.9,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DAYS|YYYY-MM-DD",
            help="Simulate study until an interview this many days ahead (or on this date) and "
            "report its final days; --days is then ignored.",
        ),
    ] = None,
    include_day: Annotated[
        bool, typer.Option("--include-day", help="With --until: study on the interview day too.")
    ] = False,
    final_days: Annotated[
        int,
        typer.Option(
            "--final-days", min=1, max=90, metavar="N", help="With --until: the final days."
        ),
    ] = 7,
) -> None:
    """Compare SM-2 and FSRS on a simulated learner whose forgetting is known (docs/scheduling.md)."""
    from flashdl.core.simulate import compare
    from flashdl.ui import render

    env = _env(ctx)
    interview_in = None if until is None else _days_ahead(until, study_day(env.clock()))
    results = compare(
        cards=cards, days=days, new_per_day=new, seed=seed, retention=retention,
        interview_in=interview_in, window=final_days, include_day=include_day,
    )  # fmt: skip
    view = render.simulation_view if interview_in is None else render.interview_simulation_view
    env.console().print(view(results))


def _days_ahead(value: str, today: date) -> int:
    """``simulate --until``: a number of days, or a date counted from today."""
    text = value.strip()
    if text.isascii() and text.isdigit():
        days = int(text) if len(text) <= 5 else 99_999  # (any longer number is out of range)
    else:
        try:
            days = (date.fromisoformat(text) - today).days
        except ValueError:
            raise UsageError(
                f"--until expects a number of days or a date like 2026-12-20, not '{value}'"
            ) from None
    if not 1 <= days <= 3650:
        shown = text if text.isascii() and text.isdigit() else days
        raise UsageError(f"--until must be 1 to 3650 days ahead, not {shown}")
    return days


# -- export, import, backup, and your own decks -------------------------------------------------

export_app = typer.Typer(
    name="export",
    help="Write the decks for Anki or as a cheat sheet, or your progress as JSON.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
import_app = typer.Typer(
    name="import",
    help="Read progress exported on another machine.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


def _output_option(default: str, what: str) -> Any:
    return typer.Option("--output", "-o", metavar="FILE", help=f"{what} (default: {default}).")


def _export_decks(
    ctx: typer.Context,
    deck: list[str] | None,
    group: str | None,
    default: str,
    output: Path | None,
    force: bool,
    binary: bool = False,
) -> tuple[Env, list[Deck], Path]:
    """The decks to export and the checked target (checked before any work is done): a file
    that is not the database, or ``-`` (standard output) for a text format."""
    from flashdl.files import STDOUT, check_target, database_files

    env = _env(ctx)
    paths = _paths(env, None)
    target = output if output is not None else Path(default)
    if target == STDOUT and binary:
        raise UsageError(
            f"a {Path(default).suffix} file is binary and cannot go to standard output;"
            " give a file name with -o"
        )
    if target != STDOUT:
        check_target(target, force=force, protect=database_files(paths.db_path))
    return env, _selected(_load_decks(paths, env), deck, paths, _settings(paths), group), target


def _write_export(
    env: Env, target: Path, data: bytes | str, force: bool, decks: list[Deck]
) -> None:
    """Write an export to ``target``; for ``-``, to standard output and nothing else there."""
    from flashdl.files import STDOUT, database_files, write_atomic, write_stream

    if target == STDOUT:
        write_stream(typer.get_binary_stream("stdout"), data)
        return
    write_atomic(target, data, force=force, protect=database_files(_paths(env, None).db_path))
    cards = sum(len(d.cards) for d in decks)
    typer.echo(
        f"Wrote {target}: {cards} cards from {len(decks)} deck{'s' if len(decks) != 1 else ''}."
    )


@export_app.command("anki")
def export_anki(
    ctx: typer.Context,
    output: Annotated[
        Path | None, _output_option("flashdl.apkg", "The .apkg file to write")
    ] = None,
    deck: DeckOption = None,
    group: GroupOption = None,
    lang: LangOption = Lang.zh,
    force: ForceOption = False,
    decks_dir: DecksDirOption = None,
) -> None:
    """Write an Anki package (.apkg); importing a newer one updates the notes already in Anki."""
    from flashdl.exporters import anki_package_bytes

    env, decks, target = _export_decks(ctx, deck, group, "flashdl.apkg", output, force, binary=True)
    data = anki_package_bytes(decks, lang=lang.value, timestamp=env.clock().timestamp())
    _write_export(env, target, data, force, decks)


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    output: Annotated[
        Path | None, _output_option("flashdl.csv", "The file to write, or - for standard output")
    ] = None,
    deck: DeckOption = None,
    group: GroupOption = None,
    lang: LangOption = Lang.zh,
    force: ForceOption = False,
    decks_dir: DecksDirOption = None,
) -> None:
    """Write the cards in Anki's text-import format (tab-separated, with file headers)."""
    from flashdl.exporters import anki_csv

    env, decks, target = _export_decks(ctx, deck, group, "flashdl.csv", output, force)
    _write_export(env, target, anki_csv(decks, lang.value), force, decks)


@export_app.command("markdown")
def export_markdown(
    ctx: typer.Context,
    output: Annotated[
        Path | None, _output_option("flashdl.md", "The file to write, or - for standard output")
    ] = None,
    deck: DeckOption = None,
    group: GroupOption = None,
    lang: LangOption = Lang.zh,
    force: ForceOption = False,
    decks_dir: DecksDirOption = None,
) -> None:
    """Write a printable Markdown cheat sheet, one section per deck."""
    from flashdl.exporters import markdown_sheet

    env, decks, target = _export_decks(ctx, deck, group, "flashdl.md", output, force)
    _write_export(env, target, markdown_sheet(decks, lang.value), force, decks)


def _existing_db(paths: Paths, what: str) -> Path:
    if not paths.db_path.exists():
        raise UsageError(f"there is no database at {paths.db_path} yet; nothing to {what}")
    return paths.db_path


@export_app.command("progress")
def export_progress(
    ctx: typer.Context,
    output: Annotated[
        Path | None, _output_option("flashdl-progress.json", "The JSON file to write")
    ] = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Write your card states and full review log as JSON, to import on another machine."""
    from flashdl.app.progress import dumps, progress_document
    from flashdl.files import STDOUT, check_target, database_files, write_atomic, write_stream

    env = _env(ctx)
    source = _existing_db(_paths(env, db), "export")
    target = output if output is not None else Path("flashdl-progress.json")
    if target != STDOUT:
        check_target(target, force=force, protect=database_files(source))
    with _open_store(source) as store:
        document = progress_document(store, env.clock())
    if target == STDOUT:
        write_stream(typer.get_binary_stream("stdout"), dumps(document))
        return
    write_atomic(target, dumps(document), force=force, protect=database_files(source))
    cards, reviews = len(document["cards"]), len(document["reviews"])
    typer.echo(
        f"Wrote {target}: {cards} card{'s' if cards != 1 else ''},"
        f" {reviews} review{'s' if reviews != 1 else ''}."
    )


@import_app.command("progress")
def import_progress(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by `flashdl export progress`.")
    ],
    db: DbOption = None,
) -> None:
    """Merge progress exported on another machine; importing a file twice changes nothing."""
    from flashdl.app.config import config_path, load_config
    from flashdl.app.progress import MAX_PROGRESS_BYTES, parse_progress
    from flashdl.app.progress import import_progress as merge
    from flashdl.app.study import interview_date
    from flashdl.files import read_regular_file

    env = _env(ctx)
    try:
        data = read_regular_file(file, limit=MAX_PROGRESS_BYTES, what="a progress file")
    except FileNotFoundError:
        raise UsageError(f"cannot read {file}: No such file or directory") from None
    now = env.clock()
    progress = parse_progress(data, str(file), now)
    paths = _paths(env, db)
    config = load_config(config_path(paths.config_dir))
    scheduler = config.make_scheduler()
    with _open_store(paths.db_path) as store:
        interview = interview_date(store, None, study_day(now))
        counts = merge(store, progress, scheduler, until=interview, leech_rule=config.leech_rule())
    if not counts.changed:
        typer.echo(f"Nothing new in {file}; your progress is unchanged.")
        return
    typer.echo(
        f"Imported {file}: {counts.reviews_added} new reviews, {counts.reviews_undone} undone,"
        f" {counts.cards_added} new and {counts.cards_updated} updated cards,"
        f" {counts.settings_added} settings."
        + (
            f" {counts.leeches_marked} leech marks found in the log."
            if counts.leeches_marked
            else ""
        )
    )


@app.command()
def backup(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write the copy (default: backups/flashdl-DATE-TIME.db in the data folder).",
        ),
    ] = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Copy the database to a file, safely even while another flashdl is studying."""
    from flashdl.files import check_target, database_files

    env = _env(ctx)
    paths = _paths(env, db)
    source = _existing_db(paths, "back up")
    if output is None:
        folder = paths.data_dir / "backups"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {folder}: {exc.strerror}") from None
        output = folder / f"flashdl-{env.clock():%Y%m%d-%H%M%S}.db"
    check_target(output, force=force, protect=database_files(source))
    with _open_store(source) as store:
        store.backup(output)
    typer.echo(f"Backed up {source} to {output}")


@app.command()
def schema(
    show_path: Annotated[
        bool, typer.Option("--path", help="Print where the schema file is installed instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the deck format, for editors with a YAML language server."""
    from flashdl.decks.authoring import SCHEMA_FILE, schema_text

    if show_path:
        typer.echo(str(SCHEMA_FILE))
    else:
        typer.echo(schema_text(), nl=False)


@app.command("new-deck")
def new_deck(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Deck name: lowercase letters, digits, '-' and '_'."),
    ],
) -> None:
    """Write a commented starter deck NAME.yaml into your decks folder."""
    from flashdl.decks.authoring import check_deck_name, create_deck
    from flashdl.decks.loader import deck_files, display_path

    env = _env(ctx)
    paths = _paths(env, None)
    check_deck_name(name)
    clash = [p for p in deck_files(_deck_sources(paths, env)) if p.stem == name]
    if clash:
        raise UsageError(f"a deck named '{name}' already exists: {display_path(clash[0])}")
    target = create_deck(paths.user_decks_dir, name)
    typer.echo(f"Wrote {target}; edit it, then run `flashdl check`.")


@app.command()
def doctor(
    ctx: typer.Context,
    remove_foreign: Annotated[
        bool,
        typer.Option(
            "--remove-foreign",
            help="Back the database up beside it, then drop the triggers, views and tables "
            "flashdl did not create (the one change doctor makes, and only when asked).",
        ),
    ] = False,
    decks_dir: DecksDirOption = None,
    db: DbOption = None,
) -> None:
    """Check the data folder, database, settings, decks and deck cache; say what is wrong.

    Changes nothing (the database is opened read-only) unless --remove-foreign is given. Exit code
    1 when there is a problem."""
    from flashdl.app.doctor import diagnose, has_problems, remove_foreign_objects, report

    env = _env(ctx)
    paths = _paths(env, db)
    if remove_foreign:
        backup, removed, kept = remove_foreign_objects(paths.db_path, env.clock())
        typer.echo(f"Backed up {paths.db_path} to {backup}.")
        typer.echo(f"Removed: {', '.join(removed)}." if removed else "Nothing foreign to remove.")
        if kept:
            raise UsageError(
                f"cannot repair {', '.join(kept)} (flashdl's own tables, altered); restore a "
                "backup or `flashdl import progress` into a new database"
            )
        return
    findings = diagnose(
        data_dir=paths.data_dir,
        config_dir=paths.config_dir,
        db_path=paths.db_path,
        cache_dir=paths.cache_dir,
        deck_sources=_labelled_deck_sources(paths, env),
        today=study_day(env.clock()),
    )
    for line in report(findings):
        typer.echo(one_line(line, 2000))
    if has_problems(findings):
        raise typer.Exit(1)


def _only_the_invoked_command(argv: list[str]) -> None:
    """Keep on ``app`` just the command that ``argv`` names, when it names one directly.

    Typer builds every command's parameters (reading each function's type hints) before it
    runs any; with two dozen commands that is most of a one-shot command's start-up. Help,
    completion, options before the command and unknown names keep the whole tree."""
    if not argv or argv[0].startswith("-") or any(k.endswith("_COMPLETE") for k in os.environ):
        return
    name = argv[0]
    commands = [
        info
        for info in app.registered_commands
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name
    ]
    groups = [info for info in app.registered_groups if info.name == name]
    if len(commands) + len(groups) == 1:
        app.registered_commands = commands
        app.registered_groups = groups


def main() -> None:
    """Console-script entry point."""
    _only_the_invoked_command(sys.argv[1:])
    app(prog_name="flashdl")
