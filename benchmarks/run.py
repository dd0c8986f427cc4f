"""flashdl's benchmarks: every figure beside its baseline, measured in the same run.

    python benchmarks/run.py             # full sizes, median of 10 runs (builds the data once)
    python benchmarks/run.py --quick     # small data, 3 runs: a smoke test in about a minute
    python benchmarks/run.py --only stats,grading   # some figures only

The synthetic data (``benchmarks/generate.py``) is built into ``benchmarks/out/<profile>/`` the
first time and reused while the generator and the sizes are unchanged. Every command runs in a
fresh ``FLASHDL_HOME`` per scenario, with ``FLASHDL_DECKS`` at the synthetic deck folder and
``FLASHDL_DB`` at the synthetic store. Wall time is ``time.perf_counter`` around the subprocess;
peak memory is the child's ``ru_maxrss`` from ``os.wait4`` (both taken in a small timer process).
Flashdl and baseline runs alternate.
The table is printed and also written to ``benchmarks/out/results-<profile>.{json,md}``. What each
figure means: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import platform
import random
import re
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import anki_peer  # noqa: E402  (beside this file)
import generate  # noqa: E402

FLOOR_CODE = "import typer, rich.console"  # the floor of the plain commands
YAML_FLOOR_CODE = (
    "import sys, yaml; from pathlib import Path; "
    "yaml.compose(Path(sys.argv[1]).read_text('utf-8'), Loader=yaml.CSafeLoader)"
)
REVEAL_PROMPT = (
    "任意键显示答案"  # flashdl.ui.render.reveal_prompt("zh"): the first card is on screen
)
# The line mode prints REVEAL_PROMPT; in a terminal, plain `study` opens the full-screen app.
FIRST_CARD_ARGS = ("study", "--plain")
APP_FLOOR_CODE = "import textual.app, typer"
APP_FIRST_QUESTION = (
    "显示答案"  # flashdl.ui.tui.lines.study_footer (zh): drawn in the frame of the first question
)
FIVE_MB = 5_000_000
FIGURES = ("startup", "ttfc", "app", "grading", "stats", "export", "check", "parse", "anki")
PARSE_SIZES = (1_000, 10_000, 20_000, 100_000)  # cards, for the parse-cost table


@dataclass(frozen=True)
class Profile:
    name: str
    cards: int
    store_cards: int
    reviews: int
    runs: int
    grades: int
    five_mb_deck: bool


FULL = Profile("full", 20_000, 100_000, 1_000_000, runs=10, grades=200, five_mb_deck=True)
QUICK_PARSE_SIZES = (100, 1_000, 2_000)
QUICK = Profile("quick", 2_000, 10_000, 100_000, runs=3, grades=50, five_mb_deck=False)


@dataclass
class Data:
    folder: Path
    decks_dir: Path
    deck: Path
    store: Path
    five_mb_deck: Path | None
    compact_deck: Path | None
    manifest: dict


@dataclass
class Row:
    figure: str
    value: float | None  # seconds, or bytes for memory
    baseline: float | None
    unit: str  # "s" or "B"
    target: str
    passed: bool | None  # None: for information only
    runs: int = 0
    note: str = ""


@dataclass
class Plan:
    sql: str
    plan: list[str]
    seconds: float
    full_scans: list[str] = field(default_factory=list)


# -- the data -----------------------------------------------------------------------------------


def _generator_digest() -> str:
    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:16]


def ensure_data(profile: Profile, log: Callable[[str], None]) -> Data:
    """The profile's synthetic deck(s) and store, built unless an up-to-date build is there."""
    folder = OUT / profile.name
    wanted = {
        "generator": _generator_digest(),
        "seed": generate.DEFAULT_SEED,
        "cards": profile.cards,
        "store_cards": profile.store_cards,
        "reviews": profile.reviews,
        "five_mb_deck": profile.five_mb_deck,
    }
    manifest_path = folder / "manifest.json"
    with contextlib.suppress(OSError, ValueError):
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in wanted} == wanted:
            return _data(folder, manifest)
    log(f"building the {profile.name} data in {folder} (once) ...")
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    deck, made = generate.write_deck(folder / "decks", profile.cards)
    deck_seconds = time.perf_counter() - started
    five_mb_cards = 0
    if profile.five_mb_deck:
        five_mb_cards = round(profile.cards * FIVE_MB / deck.stat().st_size)
        generate.write_deck(folder / "deck-5mb", five_mb_cards, name="synthetic-5mb")
        generate.write_compact_deck(folder / "deck-compact", profile.cards)
    started = time.perf_counter()
    summary = generate.write_store(
        folder / "store.db",
        generate.bundled_cards() + made,
        cards=profile.store_cards,
        reviews=profile.reviews,
        end=date.today(),
    )
    store_seconds = time.perf_counter() - started
    manifest = {
        **wanted,
        "built": datetime.now().isoformat(timespec="seconds"),
        "deck_bytes": deck.stat().st_size,
        "deck_seconds": round(deck_seconds, 2),
        "five_mb_cards": five_mb_cards,
        "store_bytes": (folder / "store.db").stat().st_size,
        "store_seconds": round(store_seconds, 2),
        "store": asdict(summary),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    log(
        f"  deck: {profile.cards:,} cards, {manifest['deck_bytes'] / 1e6:.1f} MB in"
        f" {deck_seconds:.1f} s; store: {summary.cards:,} cards, {summary.reviews:,} reviews,"
        f" {manifest['store_bytes'] / 1e6:.0f} MB in {store_seconds:.1f} s"
    )
    return _data(folder, manifest)


def _data(folder: Path, manifest: dict) -> Data:
    five = folder / "deck-5mb" / "synthetic-5mb.yaml"
    compact = folder / "deck-compact" / "compact.yaml"
    return Data(
        folder=folder,
        decks_dir=folder / "decks",
        deck=folder / "decks" / f"{generate.DECK_NAME}.yaml",
        store=folder / "store.db",
        five_mb_deck=five if manifest.get("five_mb_deck") else None,
        compact_deck=compact if manifest.get("five_mb_deck") else None,
        manifest=manifest,
    )


# -- running things -----------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    max_rss: int  # bytes
    returncode: int
    output: str


def flashdl_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m flashdl``."""
    script = Path(sys.executable).with_name("flashdl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flashdl"]


def environment(home: Path, data: Data) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASHDL_")}
    env.update(
        FLASHDL_HOME=str(home),
        FLASHDL_DECKS=str(data.decks_dir),
        FLASHDL_DB=str(data.store),
        COLUMNS="100",
        LINES="40",
        TERM="xterm-256color",
    )
    return env


# Runs one command and writes [seconds, max RSS in KiB, exit code] to the file in argv[1]. It is a
# small process of its own because Linux carries a process's peak RSS over fork and exec: a
# command started straight from this (large) process would report at least this process's size.
_TIMER = """
import json, os, sys, time
result, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - started
with open(result, "w") as out:
    json.dump([elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)], out)
"""


def run(command: Sequence[str], env: dict[str, str]) -> Sample:
    """Wall time and peak memory of one run of ``command`` (its first item an absolute path).

    The clock runs in a small timer process, from just before the command is spawned until it has
    exited; the output goes to a file (no pipe to fill up)."""
    with tempfile.TemporaryDirectory(prefix="flashdl-bench-run-") as folder:
        result = Path(folder) / "result.json"
        with (Path(folder) / "output").open("w+b") as sink:
            subprocess.run(
                [sys.executable, "-S", "-c", _TIMER, str(result), *command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                check=False,
            )
            if "FLASHDL_HOME" in env:  # a new deck is parsed in the background: let it end
                _background_done(Path(env["FLASHDL_HOME"]))
            sink.seek(0)
            output = sink.read().decode("utf-8", "replace")
        try:
            seconds, max_rss_kib, code = json.loads(result.read_text())
        except (OSError, ValueError):
            return Sample(0.0, 0, 1, output or "the timer process failed")
    return Sample(seconds, max_rss_kib * 1024, code, output)


def _peak_rss(pid: int) -> int:
    """A running process's peak resident memory so far (``VmHWM``), in bytes; 0 if unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) * 1024 if found else 0


def first_card(
    command: Sequence[str],
    env: dict[str, str],
    timeout: float = 120,
    marker_text: str = REVEAL_PROMPT,
) -> Sample:
    """Run ``command`` on a pseudo-terminal; the time until ``marker_text`` (by default the reveal
    prompt of the plain mode) is on screen, and the peak memory until then.

    The process is killed as soon as the marker appears (it is waiting for a key by then)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    marker = marker_text.encode()
    peak = 0
    seen = b""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
    )
    os.close(slave)
    elapsed = None
    try:
        while True:
            left = started + timeout - time.perf_counter()
            ready, _, _ = select.select([master], [], [], max(0.0, left))
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            seen += chunk
            if marker in seen[-len(chunk) - len(marker) :]:
                elapsed = time.perf_counter() - started
                peak = _peak_rss(process.pid)
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
        if "FLASHDL_HOME" in env:  # a new deck is parsed in the background: let it end
            _background_done(Path(env["FLASHDL_HOME"]))
    text = seen.decode("utf-8", "replace")
    if elapsed is None:
        return Sample(time.perf_counter() - started, 0, process.returncode or 1, text)
    return Sample(elapsed, peak, 0, text)


def edit_one_card(deck: bytes, run: int) -> bytes:
    """The synthetic deck with the answer of one card in its middle changed, differently for
    each run (so that every run finds an edit the cache has not seen)."""
    at = deck.index(b"**Core**", len(deck) // 2)
    return deck[:at] + b"**Core, edit %d**" % run + deck[at + len(b"**Core**") :]


def _background_done(home: Path) -> None:
    """Wait for what a first run left parsing in the background (``flashdl.decks.cache``), so
    that it neither shares the cores with the next sample nor writes into a deleted folder."""
    from flashdl.decks.cache import background_done

    if not background_done(home / "cache", timeout=600):
        raise Failed("the background parse of a new deck did not end within 10 minutes")


@contextlib.contextmanager
def home_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="flashdl-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Failed(Exception):
    """A command did not do what the figure needs; the message is its last output line."""


def _check(sample: Sample, what: str) -> Sample:
    if sample.returncode != 0:
        lines = [line for line in sample.output.strip().splitlines() if line.strip()]
        raise Failed(f"{what}: {lines[-1][:120] if lines else f'exit {sample.returncode}'}")
    return sample


def side_by_side(
    runs: int, ours: Callable[[int], Sample], baseline: Callable[[int], Sample]
) -> tuple[list[Sample], list[Sample]]:
    """``runs`` of each, alternating which goes first; one untimed warm-up of each before."""
    ours(-1), baseline(-1)
    mine, theirs = [], []
    for index in range(runs):
        pair = (ours, baseline) if index % 2 == 0 else (baseline, ours)
        first, second = pair[0](index), pair[1](index)
        a, b = (first, second) if index % 2 == 0 else (second, first)
        mine.append(a)
        theirs.append(b)
    return mine, theirs


def median(samples: Sequence[Sample], attribute: str = "seconds") -> float:
    return statistics.median(getattr(s, attribute) for s in samples)


# -- the figures --------------------------------------------------------------------------------


class Bench:
    def __init__(self, profile: Profile, data: Data, runs: int, log: Callable[[str], None]):
        self.profile = profile
        self.data = data
        self.runs = runs
        self.log = log
        self.flashdl = flashdl_command()
        self.python = sys.executable
        self.sizes = (
            f"bundled + {profile.cards:,}-card deck; {profile.store_cards:,} cards /"
            f" {profile.reviews:,} reviews"
        )

    def floor(self, home: Path) -> Callable[[int], Sample]:
        env = environment(home, self.data)
        return lambda _i: _check(run([self.python, "-c", FLOOR_CODE], env), "floor")

    def startup(self) -> list[Row]:
        rows = []
        with home_folder() as home:
            env = environment(home, self.data)
            for args in (["--version"], ["--help"]):
                label = f"start-up: flashdl {args[0]}"
                self.log(label)
                ours, floor = side_by_side(
                    self.runs,
                    lambda _i, a=args, what=label: _check(run([*self.flashdl, *a], env), what),
                    self.floor(home),
                )
                value, base = median(ours), median(floor)
                rows.append(
                    Row(label, value, base, "s", "≤ 1.25× floor", value / base <= 1.25, self.runs)
                )
        return rows

    def app(self) -> list[Row]:
        """The full-screen app: from process start to the first question drawn, in a
        pseudo-terminal, with the bundled decks alone and with the big data; warm caches."""
        command = [*self.flashdl, "study"]
        floor_code = [self.python, "-c", APP_FLOOR_CODE]
        rows = []
        for label, big in (("bundled decks", False), (self.sizes, True)):
            self.log(f"full-screen app, first question drawn ({label})")
            with home_folder() as home:
                env = environment(home, self.data)
                if not big:
                    del env["FLASHDL_DECKS"], env["FLASHDL_DB"]

                def ours(_i: int, env: dict[str, str] = env) -> Sample:
                    return _check(
                        first_card(command, env, marker_text=APP_FIRST_QUESTION), "flashdl study"
                    )

                mine, floor = side_by_side(
                    self.runs, ours, lambda _i, env=env: _check(run(floor_code, env), "floor")
                )
            value, base = median(mine), median(floor)
            memory, base_memory = median(mine, "max_rss"), median(floor, "max_rss")
            rows += [
                Row(f"app: first question ({'big data' if big else 'bundled'})", value, base, "s",
                    "≤ 1.5× floor", value / base <= 1.5, self.runs, label),
                Row(f"app: peak memory ({'big data' if big else 'bundled'})", memory,
                    base_memory, "B", "≤ 100 MB", memory <= 100e6, self.runs, label),
            ]  # fmt: skip
        return rows

    def ttfc(self) -> list[Row]:
        command = [*self.flashdl, *FIRST_CARD_ARGS]
        rows = []
        with home_folder() as warm_home:
            self.log("time to first card, warm (parsed-deck cache filled by a first run)")
            env = environment(warm_home, self.data)
            ours, floor = side_by_side(
                self.runs,
                lambda _i: _check(first_card(command, env), "flashdl study"),
                self.floor(warm_home),
            )
            value, base = median(ours), median(floor)
            rows.append(
                Row(
                    "time to first card (warm)",
                    value,
                    base,
                    "s",
                    "≤ 2× floor",
                    value / base <= 2.0,
                    self.runs,
                    self.sizes,
                )
            )
        self.log("time to first card, cold (a fresh FLASHDL_HOME each run: no cache)")

        def cold(_i: int) -> Sample:
            with home_folder() as home:
                return _check(first_card(command, environment(home, self.data)), "flashdl study")

        with home_folder() as floor_home:
            ours, floor = side_by_side(self.runs, cold, self.floor(floor_home))
        value, base = median(ours), median(floor)
        rows.append(
            Row(
                "time to first card (cold)",
                value,
                base,
                "s",
                "≤ 2× floor (info)",
                None,
                self.runs,
                "no parsed-deck cache",
            )
        )
        return rows

    def grading(self) -> list[Row]:
        """``Store.record_review`` in-process on a copy of the big store, beside one bare
        durable SQLite commit (same folder, WAL, synchronous=FULL)."""
        from flashdl.core.sm2 import SM2
        from flashdl.store import Store

        self.log(f"grading: {self.profile.grades} x Store.record_review on a copy of the store")
        count = self.profile.grades
        with home_folder() as home:
            db = home / "flashdl.db"
            shutil.copyfile(self.data.store, db)
            ours: list[float] = []
            with Store.open(db) as store:
                states = store.states()
                rng = random.Random(1)
                synthetic = sorted(
                    cid for cid in states if cid.startswith(generate.ID_PREFIX + "-")
                )
                now = datetime.now().astimezone()
                scheduler = SM2()
                for index in range(count + 5):  # five untimed warm-up grades
                    entry = states[rng.choice(synthetic)]
                    grade = rng.choice((3, 4, 4, 5, 5, 2))
                    at = now + timedelta(seconds=index)
                    after = scheduler.review(entry.state, grade, at)
                    started = time.perf_counter()
                    store.record_review(
                        card_id=entry.card_id,
                        deck=entry.deck,
                        grade=grade,
                        mode="study",
                        reviewed_at=at,
                        before=entry.state,
                        after=after,
                        answer_ms=4200,
                    )
                    if index >= 5:
                        ours.append(time.perf_counter() - started)
                    states[entry.card_id] = replace(entry, state=after)
            floor = _bare_commits(home / "floor.db", count)
        value, base = statistics.median(ours), statistics.median(floor)
        p90 = statistics.quantiles(ours, n=10)[-1]
        return [
            Row(
                "grading: one durable grade",
                value,
                base,
                "s",
                "< 5 ms",
                value < 0.005,
                count,
                f"p90 {p90 * 1000:.1f} ms; baseline: one bare SQLite commit",
            )
        ]

    def stats(self) -> list[Row]:
        with home_folder() as home:
            env = environment(home, self.data)
            command = [*self.flashdl, "stats", "--json"]
            self.log("flashdl stats --json (warm cache)")
            ours, floor = side_by_side(
                self.runs,
                lambda _i: _check(run(command, env), "flashdl stats --json"),
                self.floor(home),
            )
        value, base = median(ours), median(floor)
        memory, base_memory = median(ours, "max_rss"), median(floor, "max_rss")
        return [
            Row(
                "stats --json: time",
                value,
                base,
                "s",
                "< 1 s",
                value < 1.0,
                self.runs,
                self.sizes,
            ),
            Row(
                "stats --json: peak memory",
                memory,
                base_memory,
                "B",
                "< 150 MB",
                memory < 150e6,
                self.runs,
                "max RSS of the process",
            ),
        ]

    def export(self) -> list[Row]:
        with home_folder() as home:
            env = environment(home, self.data)
            label = f"export anki ({self.profile.cards // 1000}k cards)"
            help_run = run([*self.flashdl, "export", "anki", "--help"], env)
            if help_run.returncode != 0:
                return [Row(label, None, None, "s", "< 5 s", None, 0, "n/a (export not built yet)")]
            target = home / "out.apkg"
            command = [
                *self.flashdl,
                "export",
                "anki",
                "--deck",
                generate.DECK_NAME,
                "--output",
                str(target),
                "--force",
            ]
            self.log(f"flashdl {' '.join(command[len(self.flashdl) :])} (warm cache)")
            ours, floor = side_by_side(
                self.runs,
                lambda _i: _check(run(command, env), "flashdl export anki"),
                self.floor(home),
            )
            size = target.stat().st_size if target.exists() else 0
        value, base = median(ours), median(floor)
        return [
            Row(
                label,
                value,
                base,
                "s",
                "< 5 s",
                value < 5.0,
                self.runs,
                f".apkg {size / 1e6:.1f} MB",
            )
        ]

    def check(self) -> list[Row]:
        # (file, cards, what it is, held to the target?)
        decks = []
        if self.data.compact_deck is not None:
            decks.append(
                (self.data.compact_deck, self.profile.cards, "short one-language cards", True)
            )
        decks.append(
            (self.data.deck, self.profile.cards, "bilingual cards", self.data.compact_deck is None)
        )
        if self.data.five_mb_deck is not None:
            decks.append(
                (
                    self.data.five_mb_deck,
                    self.data.manifest["five_mb_cards"],
                    "bilingual cards",
                    True,
                )
            )
        rows = []
        for path, cards, kind, held in decks:
            size = path.stat().st_size
            label = f"check: {cards:,} {kind}, {size / 1e6:.1f} MB, cold"
            self.log(f"flashdl check {path.name} (a fresh FLASHDL_HOME each run)")

            def ours(_i: int, p: Path = path, name: str = label) -> Sample:
                with home_folder() as home:
                    # `check FILE` judges the file beside the decks study loads with it; the
                    # three files share ids, so each is checked beside the bundled decks alone,
                    # as a user checks the deck they are writing
                    env = environment(home, self.data)
                    del env["FLASHDL_DECKS"]
                    return _check(run([*self.flashdl, "check", str(p)], env), name)

            def floor(_i: int, p: Path = path) -> Sample:
                env = environment(Path(tempfile.gettempdir()), self.data)
                return _check(run([self.python, "-c", YAML_FLOOR_CODE, str(p)], env), "yaml floor")

            mine, theirs = side_by_side(self.runs, ours, floor)
            value, base = median(mine), median(theirs)
            note = "baseline: libyaml compose of the file"
            if not held:
                note += "; 3× the issue's ≈5 MB for 20k cards, so information only"
            rows.append(
                Row(
                    label,
                    value,
                    base,
                    "s",
                    "< 1.5 s",
                    (value < 1.5) if held else None,
                    self.runs,
                    note,
                )
            )
            if path == self.data.deck:
                # issue 18's own goal for the 20k bilingual deck: ≤ 1 s and ≤ 250 MB (the
                # largest of the command's processes: its workers are forked from it)
                full = self.profile.name == "full"
                memory = max(sample.max_rss for sample in mine)
                rows += [
                    Row(f"{label}, issue 18", value, None, "s", "≤ 1 s",
                        value <= 1.0 if full else None, self.runs),
                    Row(f"{label}, issue 18: peak memory", memory, None, "B", "≤ 250 MB",
                        memory <= 250e6 if full else None, self.runs, "max RSS"),
                ]  # fmt: skip
        return rows

    def parse(self) -> list[Row]:
        """``parse_deck`` in this process on synthetic decks of several sizes: the cost per card
        must stay flat as decks grow (the cold path is linear)."""
        import gc

        from flashdl.decks.loader import parse_deck

        sizes = PARSE_SIZES if self.profile.name == "full" else QUICK_PARSE_SIZES
        rows = []
        for cards in sizes:
            text, _made = generate.deck_text(cards)
            data = text.encode("utf-8")
            self.log(f"parse_deck: {cards:,} cards ({len(data) / 1e6:.1f} MB), in-process")
            times = []
            for _ in range(max(1, min(self.runs, 3))):
                gc.collect()
                started = time.process_time()  # CPU time: a busy machine inflates wall time
                parse_deck(data, "synthetic.yaml")
                times.append(time.process_time() - started)
            seconds = statistics.median(times)
            rows.append(
                Row(
                    f"parse: {cards:,} cards, {len(data) / 1e6:.1f} MB",
                    seconds,
                    None,
                    "s",
                    "linear",
                    None,
                    len(times),
                    f"{seconds / cards * 1e6:.0f} µs per card (CPU time)",
                )
            )
        return rows

    def anki(self) -> list[Row]:
        """flashdl beside Anki's own engine on the same notes (``anki_peer``)."""
        if not anki_peer.available():
            return [Row("vs Anki", None, None, "s", "", None, 0, "n/a (anki not installed)")]
        peer = anki_peer.ensure_peer_data(
            self.data.folder, self.data.deck, self.data.store, self.log
        )
        few = max(1, min(self.runs, 3))  # the slow 100k cold runs
        size = self.profile.cards
        big = size * (anki_peer.COPIES + 1)
        rows: list[Row] = []

        def anki(code: str, *args: str) -> Callable[[int], Sample]:
            env = environment(Path(tempfile.gettempdir()), self.data)
            command = [self.python, "-c", code, *args]
            return lambda _i: _check(run(command, env), "anki")

        def first(decks: Path | None, store: Path | None, cold: bool) -> Callable[[int], Sample]:
            """``flashdl study`` on a pseudo-terminal until the first card is shown."""
            data = replace(self.data, decks_dir=decks or self.data.decks_dir)
            if decks is None:
                data = replace(data, decks_dir=self._empty())
            warm = Path(tempfile.mkdtemp(prefix="flashdl-bench-"))
            self._homes.append(warm)

            def once(_i: int) -> Sample:
                with contextlib.ExitStack() as stack:
                    home = stack.enter_context(home_folder()) if cold else warm
                    env = environment(home, data)
                    env["FLASHDL_DB"] = str(store or home / "flashdl.db")
                    sample = first_card([*self.flashdl, *FIRST_CARD_ARGS], env, timeout=300)
                    return _check(sample, "flashdl study")

            return once

        def edited(decks: Path) -> Callable[[int], Sample]:
            """``first`` after one card of one deck file changed since the previous run (its
            cache entry holds the version before the edit); the warm-up fills the cache."""
            copy = Path(tempfile.mkdtemp(prefix="flashdl-bench-edit-"))
            self._homes.append(copy)
            for file in sorted(decks.glob("*.yaml")):
                shutil.copyfile(file, copy / file.name)
            target = sorted(copy.glob("*.yaml"))[0]
            original = target.read_bytes()
            warm = first(copy, self.data.store, cold=False)

            def once(i: int) -> Sample:
                if i >= 0:
                    target.write_bytes(edit_one_card(original, i))
                return warm(i)

            return once

        def memory(decks: Path, cold: bool) -> float:
            """Peak memory of ``flashdl study`` with piped input (it shows the first card and
            ends), cold or after a first run."""
            data = replace(self.data, decks_dir=decks)
            with home_folder() as home:
                env = environment(home, data)
                if not cold:
                    run([*self.flashdl, "study"], env)
                return run([*self.flashdl, "study"], env).max_rss

        def pair(
            label: str,
            ours: Callable[[int], Sample],
            theirs: Callable[[int], Sample],
            target: float | None,
            runs: int,
            note: str = "",
        ) -> tuple[list[Sample], list[Sample]]:
            self.log(label)
            try:
                mine, peer_runs = side_by_side(runs, ours, theirs)
            except Failed as exc:  # one figure failing leaves the others standing
                rows.append(Row(label, None, None, "s", "", False, 0, f"error: {exc}"))
                return [], []
            value, base = median(mine), median(peer_runs)
            passed = None if target is None else value / base <= target
            goal = f"≤ {target:g}× Anki" if target is not None else "(info)"
            rows.append(Row(label, value, base, "s", goal, passed, runs, note))
            return mine, peer_runs

        def mem_row(label: str, value: float, limit: float) -> None:
            rows.append(
                Row(
                    label, value, None, "B", f"≤ {limit / 1e6:.0f} MB", value <= limit, 1, "max RSS"
                )
            )

        self._homes: list[Path] = []
        try:
            pair(
                "vs Anki: first card, 75 bundled cards",
                first(None, None, cold=False),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.bundled)),
                1.0,
                self.runs,
                "warm cache; nothing may get slower",
            )
            pair(
                f"vs Anki: first card, {size // 1000}k cards, cold",
                first(self.data.decks_dir, self.data.store, cold=True),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.deck)),
                2.0,
                self.runs,
                "no parsed-deck cache (a first run)",
            )
            mem_row(
                f"first card, {size // 1000}k cards, cold: peak memory",
                memory(self.data.decks_dir, cold=True),
                200e6,
            )
            pair(
                f"vs Anki: first card, {size // 1000}k cards, one card edited",
                edited(self.data.decks_dir),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.deck)),
                2.0,
                self.runs,
                "the cache holds the deck before the edit: only that card is parsed again",
            )
            pair(
                f"vs Anki: first card, {big // 1000}k cards, one card edited",
                edited(peer.big_decks),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.big)),
                3.0,
                self.runs,
                f"one card of one of the {anki_peer.COPIES + 1} deck files",
            )
            pair(
                f"vs Anki: first card, {big // 1000}k cards, cold",
                first(peer.big_decks, self.data.store, cold=True),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.big)),
                3.0,
                few,
                f"{anki_peer.COPIES + 1} deck files",
            )
            mem_row(
                f"first card, {big // 1000}k cards, cold: peak memory",
                memory(peer.big_decks, cold=True),
                400e6,
            )
            pair(
                f"vs Anki: first card, {big // 1000}k cards, warm",
                first(peer.big_decks, self.data.store, cold=False),
                anki(anki_peer.FIRST_CARD_CODE, str(peer.big)),
                0.7,
                self.runs,
            )
            with home_folder() as home:
                env = environment(home, replace(self.data, decks_dir=peer.big_decks))
                run([*self.flashdl, "study"], env)  # fill the cache
                pair(
                    f"vs Anki: stats --json, {big // 1000}k cards / {self.profile.reviews:,}"
                    " reviews",
                    lambda _i: _check(run([*self.flashdl, "stats", "--json"], env), "stats"),
                    anki(anki_peer.STATS_CODE, str(peer.big)),
                    1.0,
                    self.runs,
                    "Anki: deck tree + the statistics graphs",
                )
            for decks, cards, collection, label in (
                (self.data.decks_dir, size, peer.deck, f"{size // 1000}k"),
                (peer.big_decks, big, peer.big, f"{big // 1000}k"),
            ):
                with home_folder() as home:
                    env = environment(home, replace(self.data, decks_dir=decks))
                    run([*self.flashdl, "study"], env)  # fill the cache
                    target = home / "out.apkg"
                    ours_command = [
                        *self.flashdl,
                        "export",
                        "anki",
                        "--output",
                        str(target),
                        "--force",
                    ]
                    if decks == self.data.decks_dir:
                        after = len(self.flashdl) + 2  # after "export anki"
                        ours_command[after:after] = ["--deck", generate.DECK_NAME]
                    mine, theirs = pair(
                        f"vs Anki: export anki, {label} cards",
                        lambda _i, c=ours_command, e=env: _check(run(c, e), "flashdl export"),
                        anki(anki_peer.EXPORT_CODE, str(collection), str(home / "anki.apkg")),
                        2.0,
                        self.runs if cards <= size else few,
                        "Anki exports the same notes (.apkg, no scheduling)",
                    )
                    if not mine:
                        continue
                    value, base = median(mine, "max_rss"), median(theirs, "max_rss")
                    rows.append(
                        Row(
                            f"vs Anki: export anki, {label} cards: peak memory",
                            value,
                            base,
                            "B",
                            "≤ 2× Anki",
                            value <= 2 * base,
                            len(mine),
                            "max RSS",
                        )
                    )
        finally:
            for home in self._homes:
                shutil.rmtree(home, ignore_errors=True)
        return rows

    def _empty(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="flashdl-bench-nodecks-"))
        self._homes.append(folder)
        return folder


def _bare_commits(path: Path, count: int) -> list[float]:
    """The floor of a durable grade: one INSERT of a review-sized row and its COMMIT."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, card TEXT, at TEXT, body TEXT)")
        body = json.dumps({"repetitions": 3, "interval": 17, "easiness": 2.6, "due": "2026-12-16"})
        times = []
        for index in range(count + 5):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO log(card, at, body) VALUES (?, ?, ?)",
                [f"card-{index}", datetime.now().isoformat(), body],
            )
            conn.execute("COMMIT")
            if index >= 5:
                times.append(time.perf_counter() - started)
        return times
    finally:
        conn.close()


def stats_query_plans(data: Data) -> list[Plan]:
    """Every SELECT that ``flashdl.app.stats.collect`` runs (caught with SQLite's trace hook, so
    these are the queries in flashdl/store/queries.py as they are today), with its query plan and time."""
    from flashdl.app import stats as figures
    from flashdl.decks.loader import load_collection
    from flashdl.paths import bundled_decks_dir
    from flashdl.store import Store

    decks = load_collection([bundled_decks_dir(), data.decks_dir])
    statements: list[str] = []
    plans = []
    with Store.open(data.store) as store:
        conn = store.db.conn
        conn.set_trace_callback(statements.append)
        try:
            figures.collect(store, decks, date.today(), days=30)
        finally:
            conn.set_trace_callback(None)
        selects = list(
            dict.fromkeys(s for s in statements if s.lstrip().upper().startswith("SELECT"))
        )
        for sql in selects:
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            started = time.perf_counter()
            conn.execute(sql).fetchall()
            seconds = time.perf_counter() - started
            scans = _scans(sql, lines)
            plans.append(Plan(" ".join(sql.split()), lines, seconds, scans))
    return plans


BIG_TABLES = ("reviews", "card_state")
_TABLE_REF = re.compile(
    r"\b(?:FROM|JOIN)\s+(?:\w+\.)?(\w+)(?:\s+(?:AS\s+)?(?!(?:WHERE|JOIN|ON|LEFT|INNER|CROSS|"
    r"GROUP|ORDER|LIMIT)\b)(\w+))?",
    re.IGNORECASE,
)


def _scans(sql: str, plan: Sequence[str]) -> list[str]:
    """The plan steps that read all of ``reviews`` or ``card_state``: a ``SCAN`` of the table,
    or of one of its indexes (``SEARCH`` steps use an index to read only some rows)."""
    tables = {}
    for match in _TABLE_REF.finditer(sql):
        tables[match.group(1)] = match.group(1)
        if match.group(2):
            tables[match.group(2)] = match.group(1)
    found = []
    for line in plan:
        words = line.split()
        if len(words) >= 2 and words[0] == "SCAN" and tables.get(words[1], words[1]) in BIG_TABLES:
            found.append(line.strip())
    return found


# -- output -------------------------------------------------------------------------------------


def _show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "B":
        return f"{value / 1e6:.0f} MB"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _ratio(row: Row) -> str:
    if row.value is None or not row.baseline:
        return "—"
    return f"{row.value / row.baseline:.2f}×"


def _verdict(row: Row) -> str:
    if row.value is None:
        return row.note or "n/a"
    return "info" if row.passed is None else "pass" if row.passed else "FAIL"


def machine() -> dict[str, str]:
    from flashdl import __version__

    return {
        "date": date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(terse=True),
        "flashdl": __version__,
    }


def markdown(rows: Sequence[Row], facts: dict[str, str], data: Data) -> str:
    lines = [
        f"Measured {facts['date']} on {facts['platform']}, {facts['nproc']} CPUs, Python"
        f" {facts['python']}, SQLite {facts['sqlite']}, flashdl {facts['flashdl']}. Deck:"
        f" {data.manifest['cards']:,} cards, {data.manifest['deck_bytes'] / 1e6:.1f} MB; store:"
        f" {data.manifest['store_cards']:,} cards, {data.manifest['reviews']:,} reviews,"
        f" {data.manifest['store_bytes'] / 1e6:.0f} MB.",
        "",
        "| figure | flashdl | baseline | ratio | target | result | runs | note |",
        "| --- | ---: | ---: | ---: | --- | --- | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure} | {_show(row.value, row.unit)} | {_show(row.baseline, row.unit)} |"
            f" {_ratio(row)} | {row.target} | {_verdict(row)} | {row.runs} | {row.note} |"
        )
    return "\n".join(lines) + "\n"


def print_results(
    console, rows: Sequence[Row], plans: Sequence[Plan], facts: dict[str, str]
) -> None:
    from rich.table import Table

    table = Table(title=f"flashdl benchmarks, {facts['date']}", title_justify="left")
    for name, justify in (
        ("figure", "left"),
        ("flashdl", "right"),
        ("baseline", "right"),
        ("ratio", "right"),
        ("target", "left"),
        ("result", "left"),
        ("runs", "right"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        verdict = _verdict(row)
        style = {"pass": "green", "FAIL": "bold red"}.get(verdict, "yellow")
        table.add_row(
            row.figure,
            _show(row.value, row.unit),
            _show(row.baseline, row.unit),
            _ratio(row),
            row.target,
            f"[{style}]{verdict}[/]",
            str(row.runs),
            row.note,
        )
    console.print(table)
    console.print(
        'floor = python -c "import typer, rich.console" (the cost of any Typer + Rich CLI)'
    )
    if any(row.figure.startswith("app:") for row in rows):
        console.print(f'app rows: floor = python -c "{APP_FLOOR_CODE}" (any Textual + Typer app)')
    if plans:
        console.print(
            "\n[bold]Query plans of the stats queries[/] (flashdl.app.stats.collect on the store):"
        )
        for plan in plans:
            table_scan = any("INDEX" not in step for step in plan.full_scans)
            flag = (
                "[red]full table scan[/]"
                if table_scan
                else "[yellow]full index scan[/]"
                if plan.full_scans
                else "[green]index search[/]"
            )
            console.print(
                f"\n{flag}  {plan.seconds * 1000:.1f} ms  [dim]{plan.sql[:300]}[/]",
                markup=True,
                highlight=False,
            )
            for line in plan.plan:
                console.print(f"    {line}", markup=False, highlight=False)


def compile_flashdl(log: Callable[[str], None]) -> None:
    """Byte-compile flashdl first, as `pip install .` does for a user.

    An editable install under PYTHONDONTWRITEBYTECODE=1 (set on this machine) would otherwise
    compile every flashdl module from source at each start: about 30 ms that no installed copy
    pays, while typer and rich, installed by pip, are already compiled for the baseline."""
    import compileall

    import flashdl

    compileall.compile_dir(str(Path(flashdl.__file__).parent), quiet=1)
    log("flashdl byte-compiled (as pip does when it installs a wheel)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data and 3 runs: a smoke test")
    parser.add_argument("--runs", type=int, help="runs per figure (default 10, or 3 with --quick)")
    parser.add_argument("--only", help=f"comma-separated figures: {','.join(FIGURES)}")
    args = parser.parse_args(argv)
    only = [f.strip() for f in args.only.split(",")] if args.only else list(FIGURES)
    unknown = [f for f in only if f not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r}; choose from {', '.join(FIGURES)}")

    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # a log file: wide enough for the table
        console = Console(highlight=False, width=160)
    log = lambda message: console.print(f"[dim]· {message}[/]")  # noqa: E731
    profile = QUICK if args.quick else FULL
    runs = args.runs or profile.runs
    data = ensure_data(profile, log)
    compile_flashdl(log)
    facts = machine()
    log(
        f"data: {data.deck} ({data.manifest['deck_bytes'] / 1e6:.1f} MB), {data.store}"
        f" ({data.manifest['store_bytes'] / 1e6:.0f} MB, built {data.manifest['built']})"
    )
    bench = Bench(profile, data, runs, log)
    started = time.perf_counter()
    rows: list[Row] = []
    for name in FIGURES:
        if name not in only:
            continue
        try:
            rows += getattr(bench, name)()
        except Failed as exc:
            rows.append(Row(name, None, None, "s", "", False, 0, f"error: {exc}"))
    plans = stats_query_plans(data) if "stats" in only else []
    elapsed = time.perf_counter() - started
    console.print()
    print_results(console, rows, plans, facts)
    console.print(f"\n[dim]{elapsed:.0f} s of measuring ({profile.name} profile, {runs} runs)[/]")
    OUT.mkdir(exist_ok=True)
    (OUT / f"results-{profile.name}.md").write_text(markdown(rows, facts, data))
    (OUT / f"results-{profile.name}.json").write_text(
        json.dumps(
            {
                "machine": facts,
                "data": data.manifest,
                "rows": [asdict(r) for r in rows],
                "plans": [asdict(p) for p in plans],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    failed = [r for r in rows if r.passed is False]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
