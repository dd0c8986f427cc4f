"""The ``flashdl`` command line: parse options, build collaborators, call one function.

Heavy modules (sqlite-utils, Markdown, the deck loader) are imported inside the commands so that
``flashdl --help`` and ``--version`` start fast. Every ``FlashdlError`` ends here as
``flashdl: <message>`` with exit code 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from typer.core import TyperGroup

from flashdl import __version__
from flashdl.errors import DeckError, FlashdlError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from flashdl.decks import Deck
    from flashdl.paths import Paths


class Lang(StrEnum):
    zh = "zh"
    en = "en"
    both = "both"


def _now() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Env:
    """What a command needs from the outside world; tests pass their own via ``obj=``."""

    clock: Callable[[], datetime] = _now
    stdin: TextIO | None = None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def console(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False)

    def keys(self):
        from flashdl.keys import keys_for

        return keys_for(self.stdin or sys.stdin)


class _Group(TyperGroup):
    """Turns every error a command raises into one line on stderr and a non-zero exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            for problem in exc.problems:
                typer.echo(problem, err=True)
            count = len(exc.problems)
            typer.echo(
                f"flashdl: {count} problem{'s' if count != 1 else ''} in deck files", err=True
            )
            raise typer.Exit(1) from None
        except FlashdlError as exc:
            typer.echo(f"flashdl: {exc}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("\nflashdl: interrupted; every grade given so far is saved", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if os.environ.get("FLASHDL_DEBUG"):
                raise
            typer.echo(
                f"flashdl: internal error ({type(exc).__name__}: {exc}); set FLASHDL_DEBUG=1 for details",
                err=True,
            )
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_Group,
    name="flashdl",
    help="Flashcards and spaced repetition (SM-2) for deep-learning interviews.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
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
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the cards.")]


def _env(ctx: typer.Context) -> Env:
    root = ctx.find_root()
    if not isinstance(root.obj, Env):
        root.obj = Env()
    return root.obj


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


def _deck_sources(paths: Paths, env: Env) -> list[Path]:
    """Bundled decks, then the user's decks folder, then FLASHDL_DECKS (``:``-separated)."""
    from flashdl.paths import bundled_decks_dir

    sources = [bundled_decks_dir()]
    if paths.user_decks_dir.is_dir():
        sources.append(paths.user_decks_dir)
    extra = env.environ.get("FLASHDL_DECKS", "")
    sources += [Path(p).expanduser() for p in extra.split(os.pathsep) if p]
    return sources


def _load_decks(paths: Paths, env: Env) -> list[Deck]:
    from flashdl.decks import load_collection

    return load_collection(_deck_sources(paths, env))


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
    new: Annotated[
        int, typer.Option("--new", min=0, help="New cards per day (cards first seen today count).")
    ] = 10,
    lang: LangOption = Lang.zh,
    db: DbOption = None,
) -> None:
    """Review the cards due today, then new cards up to the daily limit."""
    from flashdl import render
    from flashdl.session import StudySession, plan_study
    from flashdl.store import Store

    env = _env(ctx)
    paths = _paths(env, db)
    all_decks = _load_decks(paths, env)
    decks = _select(all_decks, deck)
    console = env.console()
    with Store.open(paths.db_path) as store:
        now = env.clock()
        today = now.date()
        stored = store.states()
        cards = [card for d in decks for card in d.cards]
        queue = plan_study(
            cards, stored, today, new_limit=new, introduced_today=store.introduced_on(today)
        )
        if not queue:
            next_due = store.next_due(today)
            when = next_due.isoformat() if next_due else "when you add new cards"
            console.print(f"Nothing to study today. Next review: {when}.")
            return
        session = StudySession(
            store=store,
            queue=queue,
            states={cid: s.state for cid, s in stored.items()},
            console=console,
            keys=env.keys(),
            clock=env.clock,
            lang=lang.value,
            deck_titles={
                d.name: d.title.get(lang.value if lang != Lang.both else "zh") for d in decks
            },
            cards_by_id={c.id: c for d in all_decks for c in d.cards},
        )
        summary = session.run()
        console.print(render.summary_view(summary))


@app.command()
def check(
    ctx: typer.Context,
    paths_: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Deck files or folders (default: all decks flashdl loads)."
        ),
    ] = None,
) -> None:
    """Validate deck files and report every problem as file:line: message."""
    from flashdl.decks import load_collection

    env = _env(ctx)
    sources = list(paths_) if paths_ else _deck_sources(_paths(env, None), env)
    decks = load_collection(sources)
    cards = sum(len(d.cards) for d in decks)
    typer.echo(f"ok: {len(decks)} deck{'s' if len(decks) != 1 else ''}, {cards} cards")


@app.command("decks")
def list_decks(ctx: typer.Context, db: DbOption = None) -> None:
    """List the decks with their card counts and your progress in each."""
    from flashdl import render
    from flashdl.store import Store

    env = _env(ctx)
    paths = _paths(env, db)
    decks = _load_decks(paths, env)
    with Store.open(paths.db_path) as store:
        stored = store.states()
    today = env.clock().date()
    rows = []
    for d in decks:
        states = [stored.get(c.id) for c in d.cards]
        active = [s for s in states if s is None or not s.suspended]
        rows.append(
            render.DeckRow(
                name=d.name,
                title=d.title.get("zh"),
                cards=len(d.cards),
                new=sum(1 for s in active if s is None or s.state.is_new),
                due=sum(
                    1
                    for s in active
                    if s is not None and s.state.due is not None and s.state.due <= today
                ),
                learned=sum(1 for s in states if s is not None and not s.state.is_new),
            )
        )
    env.console().print(render.decks_table(rows))


def main() -> None:
    """Console-script entry point."""
    app(prog_name="flashdl")
