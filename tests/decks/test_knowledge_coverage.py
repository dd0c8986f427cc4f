"""Issue 17: every knowledge point the seed names has a bundled card, or a one-line reason in
tools/knowledge_coverage.yaml; tools/knowledge_coverage.py is the report, run here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "knowledge_coverage.py"
TOPICS = ROOT.parent / "shared" / "seed" / "topics.yaml"

pytestmark = pytest.mark.skipif(not TOPICS.is_file(), reason=f"no seed at {TOPICS}")


def tool():
    spec = importlib.util.spec_from_file_location("knowledge_coverage", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("knowledge_coverage", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_named_knowledge_point_has_a_card_or_a_reason():
    lines, problems = tool().report(TOPICS)
    assert problems == []
    named = sum(len(t.points) for t in tool().seed_topics(TOPICS))
    assert lines[-1].startswith(f"{named}/{named} named points accounted for")


def test_reasons_are_one_line_and_most_points_have_a_card():
    module = tool()
    answers = [
        a for points in module.read_mapping(module.MAPPING).values() for a in points.values()
    ]
    assert all("\n" not in a.reason and len(a.reason) <= 200 for a in answers)
    assert sum(1 for a in answers if a.card) >= 0.9 * len(answers)


def test_the_report_fails_on_a_point_without_a_card_or_a_reason(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    text = (ROOT / "tools" / "knowledge_coverage.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace('"Adam": ', '"Adam_gone": ', 1), encoding="utf-8")
    _lines, problems = tool().report(TOPICS, mapping)
    assert "optimizers: Adam: no card and no reason" in problems
    assert "optimizers: 'Adam_gone' is not a point the seed names" in problems


def test_the_tool_runs_from_the_command_line():
    done = subprocess.run(
        [sys.executable, str(TOOL), "--quiet", "--topics", str(TOPICS)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "named points accounted for" in done.stdout
