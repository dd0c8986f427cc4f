"""The full-screen study app driven by Textual's Pilot: every binding, and no key but a digit
of the active grading mode, on a revealed card, ever writes a review."""

from __future__ import annotations

import dataclasses
import string
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.keys import Keys
from tui_helpers import NOW, ONE, TITLES, TWO, study_engine, sync

from flashdl.store import Store
from flashdl.ui.tui.app import study_app
from flashdl.ui.tui.widgets import CardPane


def app_for(engine, **options):
    return study_app(engine, lang=options.pop("lang", "en"), deck_titles=TITLES, **options)


def footer(app) -> str:
    return str(app.screen.query_one("#footer").content)


@sync
async def test_reveal_grade_and_quit_with_the_summary(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            assert "show answer" in footer(app)
            await pilot.press("5")  # a digit on the question side does nothing
            assert store.reviews() == [] and not engine.revealed
            await pilot.press("space")
            assert engine.revealed and "perfect" in footer(app)
            await pilot.press("4")
            assert [(r.card_id, r.grade) for r in store.reviews()] == [(ONE, 4)]
            assert engine.current().card.id == TWO and not engine.revealed
            await pilot.press("q")
        assert app.return_code == 0
        summary = engine.summary()
        assert summary.reviewed == 1 and summary.left_today == 1


@sync
async def test_an_empty_queue_shows_the_summary_where_u_still_undoes(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store, queue=(ONE,))
        app = app_for(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter", "5")
            assert engine.finished and [r.grade for r in store.reviews()] == [5]
            assert "undo" in footer(app) and "quit" in footer(app)
            await pilot.press("space", "3", "s", "b")  # nothing to show, grade, suspend or bury
            assert [r.grade for r in store.reviews()] == [5]
            await pilot.press("u")
            assert store.reviews() == [] and engine.current().card.id == ONE
            await pilot.press("q")
        assert app.return_code == 0


@sync
async def test_the_summary_says_what_the_review_limit_holds_back_and_fits_80x24(tmp_path: Path):
    """The app's summary says, as the plain one does, that the review limit is reached and how
    many due cards wait until tomorrow (the session's language), and it fits the screen."""
    import io

    from conftest import FakeClock
    from rich.console import Console
    from textual.widgets import Static
    from tui_helpers import CARDS

    from flashdl.app.session import StudyEngine
    from flashdl.core.sm2 import SM2

    for lang, said in [
        ("en", "Today's review limit of 1 is reached; 2 more due cards wait until tomorrow"),
        ("zh", "今天的复习上限1张已用完；另有2张到期卡片明天再复习"),
    ]:
        with Store.open(tmp_path / f"{lang}.db") as store:
            store.record_study_grade(card_id=ONE, deck="demo", grade=5, scheduler=SM2(),
                                     reviewed_at=NOW - timedelta(days=1))  # fmt: skip
            engine = StudyEngine(store, CARDS, [ONE], clock=FakeClock(), scheduler=SM2(),
                                 review_limit=1, held_back=lambda day: 2)  # fmt: skip
            app = app_for(engine, lang=lang)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.press("space", "4")
                assert engine.finished
                await pilot.pause()
                answer = app.screen.query_one("#answer", Static)
                out = io.StringIO()
                Console(file=out, width=answer.size.width, color_system=None).print(answer.content)
                text = "".join(out.getvalue().replace("│", "").split())
                assert said.replace(" ", "") in text
                assert ("Nextduetomorrow" if lang == "en" else "下次复习明天") in text
                assert app.screen.query_one(CardPane).max_scroll_y == 0  # all of it on screen
                await pilot.press("q")


@sync
async def test_scroll_keys_scroll_and_never_grade(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine, lang="zh")
        async with app.run_test(size=(80, 14)) as pilot:  # a short screen: the answer overflows
            await pilot.press("space")
            pane = app.screen.query_one(CardPane)
            await pilot.pause()
            assert pane.max_scroll_y > 0
            await pilot.press("space")  # revealed: Space pages down
            assert pane.scroll_y > 0
            await pilot.press("home")
            assert pane.scroll_y == 0
            for key in ("j", "down", "pagedown"):
                before = pane.scroll_y
                await pilot.press(key)
                assert pane.scroll_y > before or pane.scroll_y == pane.max_scroll_y
            await pilot.press("end")
            assert pane.scroll_y == pane.max_scroll_y
            for key in ("k", "up", "pageup", "home"):
                await pilot.press(key)
            assert pane.scroll_y == 0
            assert store.reviews() == []


@sync
async def test_undo_any_depth_suspend_and_bury(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store, queue=(ONE, TWO))
        app = app_for(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("space", "1", "space", "5")  # ONE fails (back later), TWO passes
            assert [r.grade for r in store.reviews()] == [1, 5]
            await pilot.press("u", "u")
            assert store.reviews() == [] and engine.current().card.id == ONE
            await pilot.press("s")
            assert store.suspended_ids() == {ONE} and engine.current().card.id == TWO
            await pilot.press("b")
            assert store.buried_ids(NOW.date()) == {TWO} and engine.finished
        assert store.suspended_ids() == {ONE}
    with Store.open(tmp_path / "db") as store:  # a restart: still buried today, back tomorrow
        assert store.buried_ids(NOW.date()) == {TWO}
        assert store.buried_ids(NOW.date() + timedelta(days=1)) == set()


@sync
async def test_undo_of_a_suspension_and_a_burial(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("s", "b", "u", "u")
            assert store.suspended_ids() == set() and store.buried_ids(NOW.date()) == set()
            assert list(engine.queue) == [ONE, TWO]
            await pilot.press("u")  # nothing left to undo: a notice, no change
            assert list(engine.queue) == [ONE, TWO]


@sync
async def test_open_link_and_edit(tmp_path: Path):
    opened, edited = [], []
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)

        def edit(card):
            edited.append(card.id)
            return dataclasses.replace(card, tags=("edited",))

        app = app_for(engine, open_link=opened.append, edit_card=edit)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("o", "e")
        assert opened == ["https://example.com/vanishing"] and edited == [ONE]
        assert engine.current().card.tags == ("edited",)
        assert store.reviews() == []


@pytest.mark.parametrize(
    "link",
    ["--utility-cmd-prefix=touch /tmp/x", "file:///etc/passwd", "javascript:alert(1)", "ftp://a.b"],
)
@sync
async def test_a_link_that_is_no_http_url_is_not_opened(tmp_path: Path, link):
    """A card from a planted cache entry can carry any text as its link."""
    from conftest import FakeClock
    from tui_helpers import CARDS

    from flashdl.app.session import StudyEngine
    from flashdl.core.sm2 import SM2

    opened = []
    cards = {**CARDS, ONE: dataclasses.replace(CARDS[ONE], source=link)}
    with Store.open(tmp_path / "db") as store:
        engine = StudyEngine(store, cards, [ONE], clock=FakeClock(), scheduler=SM2())
        app = app_for(engine, open_link=opened.append)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("o")
            assert any("not an http(s) URL" in n.message for n in app._notifications)
        assert opened == [] and store.reviews() == []


@sync
async def test_edit_without_the_edit_command_only_says_so(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("e")
            assert any("flashdl edit" in n.message for n in app._notifications)
            assert engine.current().card.id == ONE


@sync
async def test_help_lists_every_key_and_closes(tmp_path: Path):
    from flashdl.ui.tui.help_screen import HelpScreen

    with Store.open(tmp_path / "db") as store:
        app = app_for(study_engine(store))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = " ".join(f"{k} {w}" for k, w in app.screen.rows)
            for key in ("Space", "PgDn", "PgUp", "j", "k", "Home", "End", "0 1 2 3 4 5", "u",
                        "s", "b", "o", "e", "?", "q"):  # fmt: skip
                assert key in text
            await pilot.press("5")  # inside the help: not a grade
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen) and store.reviews() == []


@sync
async def test_resize_keeps_the_card_and_refits_the_footer(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine, lang="both")
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.press("space")
            wide = footer(app)
            await pilot.resize_terminal(60, 20)
            await pilot.pause()
            narrow = footer(app)
            assert len(narrow) <= 60 < len(wide) and engine.current().card.id == ONE
            assert engine.revealed and store.reviews() == []


# Every key Textual knows (and every printable character) except the ones that act on purpose:
# the digits (grades), q / ctrl+q / ctrl+c (quit), u s b e o (undo, suspend, bury, edit, open).
ACTING = set("0123456789qusbeo") | {"ctrl+q", "ctrl+c"}
PSEUDO = {"<any>", "<scroll-up>", "<scroll-down>", "<ignore>", "ctrl-at"}
EVERY_KEY = [k.value for k in Keys if k.value not in PSEUDO | ACTING] + [
    c for c in string.printable.strip() if c not in ACTING
]


@sync
async def test_no_key_but_a_grade_digit_writes_a_review(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine)
        async with app.run_test(size=(80, 24)) as pilot:
            for revealed in (False, True):
                if revealed:
                    await pilot.press("space")
                for key in EVERY_KEY:
                    await pilot.press(key)
                    if app.screen is not app.screen_stack[1]:  # `?` opened the help: close it
                        await pilot.press("escape")
                assert engine.current().card.id == ONE
            assert store.reviews(include_undone=True) == []
            assert store.suspended_ids() == set() and store.buried_ids(NOW.date()) == set()
            await pilot.press("q")


@sync
async def test_a_deck_error_in_the_app_ends_it_for_the_command_to_word(tmp_path: Path):
    """A deck file found broken or changed while the session runs (a deck read early, a damaged
    cache) raises a FlashdlError in the middle of the app: it ends like a quit, with the error
    kept for the command to print in one line, instead of Textual's traceback."""
    from flashdl.core.errors import DeckError

    with Store.open(tmp_path / "db") as store:
        engine = study_engine(store)
        app = app_for(engine)
        error = DeckError(["demo.yaml: the file changed since flashdl started"])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("space", "4")
            app._handle_exception(error)  # as Textual calls it for an error in a handler
        assert app.stopped_by is error and app.return_code == 0
        assert [(r.card_id, r.grade) for r in store.reviews()] == [(ONE, 4)]
