"""The shared glossary: the bundled file, its rules, the cache, and how groups combine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashdl.core import glossary as glossary_core
from flashdl.core.errors import DeckError
from flashdl.core.glossary import Glossary
from flashdl.core.matching import phrase_key
from flashdl.decks import glossary as glossary_module
from flashdl.decks.glossary import GLOSSARY_FILE, load_glossary, parse_glossary
from flashdl.decks.lint import term_problem


def test_the_bundled_glossary_loads_and_its_groups_are_distinct():
    glossary = load_glossary()
    assert len(glossary) >= 200
    owner: dict[str, int] = {}
    for number, group in enumerate(glossary.groups):
        assert len(group) >= 2, group
        for entry in group:
            key = phrase_key(entry)
            assert key, entry
            # One spelling in two groups would silently merge two concepts.
            assert owner.setdefault(key, number) == number, (entry, glossary.groups[owner[key]])
    assert glossary.equivalents("vanishing gradients")[1:] == ("梯度消失", "vanishing gradient",
                                                                "gradient vanishing", "梯度弥散")  # fmt: skip
    assert "viterbi" in glossary.equivalents("维特比")


def test_glossary_entries_are_not_pure_numbers():
    for group in load_glossary().groups:
        for entry in group:
            problem = term_problem(entry)
            assert problem is None or "Latin characters" in problem, entry  # abbreviations are fine


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("groups: [[a, b]]", "a glossary is a mapping with version: 1 and groups"),
        ("version: 1\ngroups: []", "'groups' must be a non-empty list"),
        ("version: 1\ngroups: [[only]]", "group #1 must be a list of two or more phrases"),
        ("version: 1\ngroups: [[a, '  ']]", "group #1 must be a list of two or more phrases"),
        ("version: 1\ngroups: [[a, [b]]]", "group #1 must be a list of two or more phrases"),
        ("version: 1\ngroups: [[a, b]", "YAML syntax"),
    ],
)
def test_glossary_rules(text, message):
    with pytest.raises(DeckError) as info:
        parse_glossary(text, "g.yaml")
    assert any(message in p for p in info.value.problems), info.value.problems


def test_groups_sharing_an_entry_combine():
    glossary = Glossary.of([["BN", "batch normalization"], ["批归一化", "batch normalization"]])
    assert set(glossary.equivalents("BN")) == {"BN", "batch normalization", "批归一化"}
    assert glossary.equivalents("dropout") == ("dropout",)


def test_the_glossary_is_cached_and_reread_when_it_changes(tmp_path: Path, monkeypatch):
    source = tmp_path / "glossary.yaml"
    source.write_text("version: 1\ngroups: [[残差, residual]]\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_glossary(cache, source)
    assert first.groups == (("残差", "residual"),) and (cache / "glossary.json").is_file()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(glossary_module, "parse_glossary", no_parsing)
        assert load_glossary(cache, source).groups == first.groups
    source.write_text("version: 1\ngroups: [[残差, residual, shortcut]]\n", encoding="utf-8")
    assert load_glossary(cache, source).groups == (("残差", "residual", "shortcut"),)
    (cache / "glossary.json").write_bytes(b"damaged")
    assert load_glossary(cache, source).groups == (("残差", "residual", "shortcut"),)


def test_a_missing_glossary_is_a_deck_error(tmp_path: Path):
    with pytest.raises(DeckError, match="cannot read the glossary"):
        load_glossary(tmp_path / "cache", tmp_path / "none.yaml")
    assert GLOSSARY_FILE.is_file()


def test_a_cached_glossary_keeps_the_matching_forms_and_matches_alike(tmp_path: Path, monkeypatch):
    cache = tmp_path / "cache"
    fresh = load_glossary(cache)  # the bundled file: writes the cache with its index
    saved = json.loads((cache / "glossary.json").read_text(encoding="utf-8"))
    assert saved["keys"] and saved["merged"]
    with monkeypatch.context() as patch:
        # Read back without tokenising an entry: the index is used as it is.
        patch.setattr(glossary_core, "phrase_key", lambda text: pytest.fail("entry tokenised"))
        cached = load_glossary(cache)
    assert cached._by_key == fresh._by_key
    for phrase in ("梯度消失", "vanishing gradients", "批归一化", "步长不影响感受野"):
        assert cached.spellings(phrase) == fresh.spellings(phrase)


@pytest.mark.parametrize(
    "damage",
    [
        {"keys": {"x": 10**6}},
        {"keys": {"x": "0"}},
        {"merged": [[1, 2]]},
        {"merged": "x"},
        {"keys": []},
    ],
)
def test_a_damaged_index_in_the_cache_is_a_miss(tmp_path: Path, damage):
    cache = tmp_path / "cache"
    fresh = load_glossary(cache)
    path = cache / "glossary.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved.update(damage)
    path.write_text(json.dumps(saved), encoding="utf-8")
    assert load_glossary(cache)._by_key == fresh._by_key
