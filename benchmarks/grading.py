"""How well the quiz grader's suggested grade agrees with an expert interviewer (issue 15).

Reads ``benchmarks/grading/answers.yaml`` (typed answers to the bundled cards, each with an expert
grade 0-5 and a kind: strong, partial, wrong or buzzwords), grades every answer with
``flashdl.core.grading.grade_answer`` against the decks, and prints the six figures with their
targets, per-kind and per-language breakdowns, the time per answer and the start-up of
``flashdl grade``.

    python benchmarks/grading.py                  # the bundled decks
    python benchmarks/grading.py --decks DIR      # other decks (e.g. a deck rewrite in progress)
    python benchmarks/grading.py --details        # also every answer the grader gets wrong
    python benchmarks/grading.py --no-startup     # skip the start-up runs (about 5 s)

Exit code 1 when a target fails and ``--check`` is given.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "benchmarks" / "grading" / "answers.yaml"
PASS = 3  # an expert or suggested grade of 3 or more is a pass
STARTUP_RUNS = 10
TIMING_RUNS = 3
STARTUP_TARGET = 1.25  # the start-up target of benchmarks/README.md: at most 1.25x the floor
FLOOR_CODE = "import typer, rich.console"


@dataclass(frozen=True)
class Answer:
    card_id: str
    lang: str
    kind: str
    grade: int
    reason: str
    text: str


@dataclass(frozen=True)
class Graded:
    answer: Answer
    suggested: int
    seconds: float
    detail: str


def read_answers(path: Path) -> list[Answer]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Answer(
            a["card_id"], a["lang"], a["kind"], int(a["grade"]), a.get("reason", ""), a["answer"]
        )
        for a in data["answers"]
    ]


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 0, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2
        i = j + 1
    return result


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in a)
    var_b = sum((y - mean_b) ** 2 for y in b)
    return cov / (var_a * var_b) ** 0.5 if var_a and var_b else 0.0


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    return pearson(ranks(a), ranks(b))


def share(items: Sequence[Graded], test: Callable[[Graded], bool]) -> float:
    return sum(map(test, items)) / len(items) if items else 0.0


def grade_all(answers: Sequence[Answer], decks_dir: Path) -> list[Graded]:
    from flashdl.core.grading import grade_answer
    from flashdl.decks.glossary import load_glossary
    from flashdl.decks.loader import load_collection

    cards = {c.id: c for d in load_collection([decks_dir]) for c in d.cards}
    glossary = load_glossary()
    missing = sorted({a.card_id for a in answers} - set(cards))
    if missing:
        raise SystemExit(f"answers for cards not in {decks_dir}: {', '.join(missing)}")
    for answer in answers[:20]:  # warm up: compile the cards, fill the caches
        grade_answer(cards[answer.card_id], answer.text, glossary)
    graded = []
    for answer in answers:
        card = cards[answer.card_id]
        runs = []
        for _ in range(TIMING_RUNS):  # the best of a few runs: the machine's own noise left out
            started = time.perf_counter()
            result = grade_answer(card, answer.text, glossary)
            runs.append(time.perf_counter() - started)
        seconds = min(runs)
        marks = "".join(("S" if p.stated else "L") if p.covered else "-" for p in result.points)
        detail = f"points {marks} weights {[p.weight for p in result.points]}"
        if result.pitfalls:
            detail += f" pitfalls {[p.index for p in result.pitfalls]}"
        if result.listed_answer:
            detail += " (a list)"
        graded.append(Graded(answer, result.suggested, seconds, detail))
    return graded


def figures(graded: Sequence[Graded]) -> list[tuple[str, float, str, bool]]:
    """(figure, value, target, met) for the six figures of the issue."""
    by_kind = {
        kind: [g for g in graded if g.answer.kind == kind]
        for kind in ("strong", "partial", "wrong", "buzzwords")
    }
    rho = spearman([g.suggested for g in graded], [g.answer.grade for g in graded])
    agree = share(graded, lambda g: (g.suggested >= PASS) == (g.answer.grade >= PASS))
    buzz = share(by_kind["buzzwords"], lambda g: g.suggested >= PASS)
    wrong = share(by_kind["wrong"], lambda g: g.suggested >= PASS)
    partial_pass = [g for g in by_kind["partial"] if g.answer.grade >= PASS]
    partial = share(partial_pass, lambda g: g.suggested < PASS)
    strong = share(by_kind["strong"], lambda g: g.suggested < PASS)
    return [
        ("Spearman correlation with the expert grade", rho, ">= 0.85", rho >= 0.85),
        ("pass/fail agreement (>= 3 is a pass)", agree, ">= 90 %", agree >= 0.90),
        ("buzzword lists given >= 3", buzz, "<= 10 %", buzz <= 0.10),
        ("confidently wrong answers given >= 3", wrong, "<= 5 %", wrong <= 0.05),
        ("partial answers (expert >= 3) given <= 2", partial, "<= 20 %", partial <= 0.20),
        ("strong answers given <= 2", strong, "<= 5 %", strong <= 0.05),
    ]


def breakdown(graded: Sequence[Graded], key: Callable[[Graded], str], title: str) -> list[str]:
    lines = [
        f"| {title} | answers | mean expert | mean suggested | exact | within 1 | pass/fail agree |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in sorted({key(g) for g in graded}):
        group = [g for g in graded if key(g) == name]
        lines.append(
            f"| {name} | {len(group)} | {statistics.fmean(g.answer.grade for g in group):.2f}"
            f" | {statistics.fmean(g.suggested for g in group):.2f}"
            f" | {share(group, lambda g: g.suggested == g.answer.grade):.0%}"
            f" | {share(group, lambda g: abs(g.suggested - g.answer.grade) <= 1):.0%}"
            f" | {share(group, lambda g: (g.suggested >= PASS) == (g.answer.grade >= PASS)):.0%} |"
        )
    return lines


def flashdl_command() -> list[str]:
    script = Path(sys.executable).with_name("flashdl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flashdl"]


def startup(card_id: str, text: str, decks_dir: Path) -> tuple[float, float, float, float]:
    """Median wall time of ``flashdl grade`` (warm deck cache) and of the floor, taking turns;
    then the same for their CPU time (user + system), which a loaded machine disturbs less."""
    import compileall
    import resource

    import flashdl

    compileall.compile_dir(str(Path(flashdl.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory(prefix="flashdl-grade-bench-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASHDL_")}
        env.update(FLASHDL_HOME=folder)
        if decks_dir.resolve() != (ROOT / "decks").resolve():
            env["FLASHDL_DECKS"] = str(decks_dir)
        answer = Path(folder) / "answer.txt"
        answer.write_text(text, encoding="utf-8")
        grade = [*flashdl_command(), "grade", card_id, "--lang", "zh"]
        floor = [sys.executable, "-c", FLOOR_CODE]

        def cpu() -> float:
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            return used.ru_utime + used.ru_stime

        def timed(command: list[str]) -> tuple[float, float]:
            with answer.open("rb") as stdin:
                started, cpu_before = time.perf_counter(), cpu()
                subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, env=env, check=True)
                return time.perf_counter() - started, cpu() - cpu_before

        timed(grade)  # fills the deck and glossary caches
        timed(floor)
        grades, floors = [], []
        for _ in range(STARTUP_RUNS):
            grades.append(timed(grade))
            floors.append(timed(floor))
    median = statistics.median
    return (
        median(g[0] for g in grades),
        median(f[0] for f in floors),
        median(g[1] for g in grades),
        median(f[1] for f in floors),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decks", type=Path, default=ROOT / "decks", help="the decks folder")
    parser.add_argument("--answers", type=Path, default=ANSWERS, help="the answers file")
    parser.add_argument("--details", action="store_true", help="list the answers graded wrong")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up runs")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    answers = read_answers(args.answers)
    graded = grade_all(answers, args.decks)
    table = figures(graded)
    print(f"# Grading benchmark: {len(graded)} answers, decks {args.decks}\n")
    print("| figure | value | target | result |")
    print("| --- | ---: | --- | --- |")
    for name, value, target, met in table:
        shown = f"{value:.3f}" if name.startswith("Spearman") else f"{value:.0%}"
        print(f"| {name} | {shown} | {target} | {'pass' if met else 'FAIL'} |")
    times = sorted(g.seconds for g in graded)
    per_answer = statistics.median(times) * 1000
    p90 = times[int(len(times) * 0.9)] * 1000
    print(
        f"| time per answer (best of {TIMING_RUNS}; median, p90 {p90:.1f} ms, max"
        f" {times[-1] * 1000:.1f} ms)"
        f" | {per_answer:.1f} ms | < 20 ms | {'pass' if times[-1] < 0.020 else 'FAIL'} |"
    )
    met = all(row[3] for row in table) and times[-1] < 0.020
    if not args.no_startup:
        first = graded[0].answer
        seconds, floor, cpu, cpu_floor = startup(first.card_id, first.text, args.decks)
        ratio = seconds / floor
        ok = ratio <= STARTUP_TARGET
        met = met and ok
        print(
            f"| `flashdl grade` start-up, warm cache (floor {floor * 1000:.0f} ms)"
            f" | {seconds * 1000:.0f} ms = {ratio:.2f}x | <= {STARTUP_TARGET}x floor"
            f" | {'pass' if ok else 'FAIL'} |"
        )
        cpu_ratio = cpu / cpu_floor if cpu_floor else 0.0
        print(
            f"| ... its CPU time, user + system (floor {cpu_floor * 1000:.0f} ms)"
            f" | {cpu * 1000:.0f} ms = {cpu_ratio:.2f}x | (for a loaded machine) | |"
        )
    print()
    print("\n".join(breakdown(graded, lambda g: g.answer.kind, "kind")))
    print()
    print("\n".join(breakdown(graded, lambda g: g.answer.lang, "language")))
    print()
    confusion = {(e, s): 0 for e in range(6) for s in range(6)}
    for g in graded:
        confusion[g.answer.grade, g.suggested] += 1
    print("| expert \\ suggested | " + " | ".join(str(s) for s in range(6)) + " |")
    print("| --- |" + " ---: |" * 6)
    for e in range(6):
        print(f"| {e} | " + " | ".join(str(confusion[e, s]) for s in range(6)) + " |")
    if args.details:
        print("\nAnswers whose pass/fail the grader gets wrong:\n")
        for g in graded:
            if (g.suggested >= PASS) != (g.answer.grade >= PASS):
                a = g.answer
                print(f"- {a.card_id} [{a.lang} {a.kind}] expert {a.grade}, suggested {g.suggested}:"
                      f" {g.detail}")  # fmt: skip
                print(f"    {a.reason}")
                print("    " + " / ".join(line for line in a.text.strip().splitlines()))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
