"""Which knowledge point of the seed has a card: the knowledge decks' counterpart of
``shared/tools/seed_coverage.py``.

usage: python tools/knowledge_coverage.py [--topics PATH] [--quiet]
       (from the project root; PATH defaults to ../shared/seed/topics.yaml)

``shared/seed/topics.yaml`` lists the seed's topics and the knowledge points each names;
``tools/knowledge_coverage.yaml`` says, for every named point, which bundled card answers it or,
where none does, why. This prints one line per point, then the totals, and exits 1 when a point
is unaccounted for, a mapping names a point the seed does not, or a card it names is missing,
incomplete (zh and en question and answer, 3 to 6 key points) or, for a knowledge card, does not
give its topic's seed URL as ``source``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MAPPING = Path(__file__).with_suffix(".yaml")
TOPICS = ROOT.parent / "shared" / "seed" / "topics.yaml"


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    url: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """How one named point is accounted for: by a card, or by a reason there is none."""

    card: str = ""
    reason: str = ""


def seed_topics(path: Path) -> list[Topic]:
    """Every topic of topics.yaml that names knowledge points, in seed order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: list[Topic] = []

    def walk(topic: dict) -> None:
        points = tuple(topic.get("named_points") or ())
        if points:
            found.append(Topic(topic["key"], topic["title"], topic["url"], points))
        for sub in topic.get("subtopics") or ():
            walk(sub)

    for part in data["parts"]:
        for topic in part["topics"]:
            walk(topic)
    return found


def read_mapping(path: Path) -> dict[str, dict[str, Answer]]:
    """topic key -> named point -> its answer, from tools/knowledge_coverage.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    mapping: dict[str, dict[str, Answer]] = {}
    for topic, points in (data.get("topics") or {}).items():
        mapping[topic] = {}
        for point, value in (points or {}).items():
            if isinstance(value, str):
                mapping[topic][str(point)] = Answer(card=value)
            elif isinstance(value, dict):
                mapping[topic][str(point)] = Answer(
                    card=str(value.get("card", "")), reason=str(value.get("reason", ""))
                )
            else:
                mapping[topic][str(point)] = Answer()
    return mapping


def card_problems(card, deck, urls: set[str]) -> list[str]:
    """What keeps ``card`` from answering a point: ``urls`` are the seed URLs of the topics
    whose points it answers, one of which a knowledge card gives as its ``source``."""
    from flashdl.core.model import KNOWLEDGE_GROUP, deck_group

    bad = [
        f"{field}.{lang} empty"
        for field in ("question", "answer")
        for lang in ("zh", "en")
        if not getattr(getattr(card, field), lang).strip()
    ]
    if not 3 <= len(card.key_points) <= 6:
        bad.append(f"{len(card.key_points)} key points")
    if deck_group(deck) == KNOWLEDGE_GROUP and card.source not in urls:
        bad.append(f"source is not the seed URL of its topic ({' or '.join(sorted(urls))})")
    return bad


def report(topics_path: Path, mapping_path: Path = MAPPING) -> tuple[list[str], list[str]]:
    """The report's lines and the problems found (empty when every point is accounted for)."""
    from flashdl.core.model import KNOWLEDGE_GROUP, deck_group
    from flashdl.decks.loader import load_collection
    from flashdl.paths import bundled_decks_dir

    decks = load_collection([bundled_decks_dir()])
    cards = {card.id: (card, deck) for deck in decks for card in deck.cards}
    topics = seed_topics(topics_path)
    mapping = read_mapping(mapping_path)
    lines: list[str] = []
    problems: list[str] = []
    used: set[str] = set()
    tally = {"knowledge": 0, "interview": 0, "reason": 0}
    urls: dict[str, set[str]] = {}  # card id -> the seed URLs of the topics it answers
    for topic in topics:
        for answer in mapping.get(topic.key, {}).values():
            if answer.card:
                urls.setdefault(answer.card, set()).add(topic.url)
    for topic in topics:
        given = mapping.get(topic.key, {})
        for extra in sorted(set(given) - set(topic.points)):
            problems.append(f"{topic.key}: '{extra}' is not a point the seed names")
        for point in topic.points:
            answer = given.get(point)
            where = f"{topic.key}: {point}"
            if answer is None or not (answer.card or answer.reason):
                problems.append(f"{where}: no card and no reason")
                continue
            if not answer.card:
                tally["reason"] += 1
                lines.append(f"{where} -> no card: {answer.reason}")
                continue
            if answer.card not in cards:
                problems.append(f"{where}: no bundled card has the id '{answer.card}'")
                continue
            card, deck = cards[answer.card]
            bad = card_problems(card, deck, urls[card.id])
            if bad:
                problems.append(f"{where}: card {card.id}: {', '.join(bad)}")
                continue
            used.add(card.id)
            kind = "knowledge" if deck_group(deck) == KNOWLEDGE_GROUP else "interview"
            tally[kind] += 1
            note = f" ({answer.reason})" if answer.reason else ""
            lines.append(f"{where} -> {kind} card {card.id}{note}")
    for key in sorted(set(mapping) - {t.key for t in topics}):
        problems.append(f"{key}: not a topic of topics.yaml that names points")
    knowledge = [card.id for card, deck in cards.values() if deck_group(deck) == KNOWLEDGE_GROUP]
    beyond = [card_id for card_id in knowledge if card_id not in used]
    named = sum(len(t.points) for t in topics)
    lines.append(
        f"{named - len([p for p in problems if ': no card and no reason' in p])}/{named} "
        f"named points accounted for: {tally['knowledge']} by knowledge cards, "
        f"{tally['interview']} by interview cards, {tally['reason']} with a reason; "
        f"{len(knowledge)} knowledge cards, {len(beyond)} of them beyond the named points"
    )
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=TOPICS, help="shared/seed/topics.yaml")
    parser.add_argument("--quiet", action="store_true", help="only the problems and the totals")
    args = parser.parse_args(argv)
    if not args.topics.is_file():
        print(f"knowledge_coverage: {args.topics}: no such file (give --topics)", file=sys.stderr)
        return 2
    lines, problems = report(args.topics)
    for line in lines[-1:] if args.quiet else lines:
        print(line)
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
