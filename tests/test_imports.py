"""Start-up cost: ``--help`` and ``--version`` must not load the heavy modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlite_utils", "yaml", "markdown_it", "rich.markdown", "pylatexenc", "genanki", "fsrs",
         "pydantic", "flashdl.decks.loader", "flashdl.store", "flashdl.ui.study", "icu4py",
         "textual")  # fmt: skip
# What the path to the first card may not load once the deck cache is warm: the YAML parser,
# sqlite-utils (only needed to migrate), Markdown (only once an answer is shown), pydantic.
NOT_BEFORE_FIRST_CARD = ("sqlite_utils", "yaml", "markdown_it", "rich.markdown", "pylatexenc",
                         "genanki", "pydantic", "jsonschema", "textual")  # fmt: skip

PROBE = """
import sys
from flashdl.cli import app
try:
    app({args!r}, prog_name="flashdl")
except SystemExit:
    pass
print("MODULES=" + ",".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["study", "--help"]])
def test_cheap_commands_import_nothing_heavy(args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True
    )
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    loaded = sorted(m for m in HEAVY if m in modules)
    assert loaded == [], f"{args} imported {loaded}"


@pytest.mark.parametrize("args", [["--version"], ["stats"], ["decks"]])
def test_one_shot_commands_never_load_textual(args, tmp_path):
    """Only the full-screen path of study and quiz imports Textual."""
    import os

    env = {**os.environ, "FLASHDL_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    assert sorted(m for m in modules if m == "textual" or m.startswith("textual.")) == []
    assert "flashdl.ui.tui.app" not in modules


def test_scheduler_and_decks_stay_free_of_ui_and_storage():
    code = "import sys, flashdl.core.scheduling, flashdl.core.sm2, flashdl.decks.loader; print(','.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    modules = set(result.stdout.strip().split(","))
    assert not {"rich", "typer", "sqlite_utils", "sqlite3"} & modules


def test_first_card_with_a_warm_cache_loads_only_what_it_needs(tmp_path):
    import os

    env = {**os.environ, "FLASHDL_HOME": str(tmp_path)}
    probe = PROBE.format(args=["study", "--deck", "basics"])
    for _run in ("fill the deck cache", "measure"):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            input="q\n",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    assert "为什么归一化能够提高求解最优解的速度？" in result.stdout
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    assert sorted(m for m in NOT_BEFORE_FIRST_CARD if m in modules) == []


# What `flashdl grade` may not load once the deck and glossary caches are warm: it reads no YAML,
# opens no database and renders nothing.
# json is in: the deck and glossary caches are JSON (never pickles: issue 11).
NOT_IN_GRADE = ("yaml", "sqlite3", "sqlite_utils", "markdown_it", "rich.markdown", "pylatexenc",
                "genanki", "fsrs", "pydantic", "flashdl.store", "flashdl.ui", "textual")  # fmt: skip


def test_grade_with_warm_caches_loads_only_what_it_needs(tmp_path):
    import os

    env = {**os.environ, "FLASHDL_HOME": str(tmp_path)}
    probe = PROBE.format(args=["grade", "cv-resnet-residual-block"])
    for _run in ("fill the caches", "measure"):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            input="残差连接让梯度直接传回浅层",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    assert '"card_id": "cv-resnet-residual-block"' in result.stdout
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    assert sorted(m for m in NOT_IN_GRADE if m in modules) == []
