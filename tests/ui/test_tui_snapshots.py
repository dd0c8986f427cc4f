"""Snapshots of the study and quiz screens at 80x24 and 120x40, in zh and en
(pytest-textual-snapshot; after a deliberate change of the look: ``pytest --snapshot-update``)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytest_textual_snapshot")

from tui_helpers import TITLES, quiz_engine, study_engine

from flashdl.store import Store
from flashdl.ui.tui.app import quiz_app, study_app

SIZES = [(80, 24), (120, 40)]
LANGS = ["zh", "en"]
TYPED = {"zh": "连乘让梯度变小，用 ReLU 缓解", "en": "a long product shrinks it; use ReLU"}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_study_question(snap_compare, tmp_path: Path, lang, size):
    with Store.open(tmp_path / "db") as store:
        app = study_app(study_engine(store), lang=lang, deck_titles=TITLES)
        assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_study_answer(snap_compare, tmp_path: Path, lang, size):
    with Store.open(tmp_path / "db") as store:
        app = study_app(study_engine(store), lang=lang, deck_titles=TITLES)
        assert snap_compare(app, terminal_size=size, press=["space"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_quiz_typing(snap_compare, tmp_path: Path, lang, size):
    with Store.open(tmp_path / "db") as store:
        app = quiz_app(quiz_engine(store), lang=lang, typing=True, deck_titles=TITLES)
        assert snap_compare(app, terminal_size=size, press=list(TYPED[lang]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_quiz_review(snap_compare, tmp_path: Path, lang, size):
    with Store.open(tmp_path / "db") as store:
        app = quiz_app(quiz_engine(store), lang=lang, typing=True, deck_titles=TITLES)
        assert snap_compare(app, terminal_size=size, press=[*TYPED[lang], "ctrl+s"])
