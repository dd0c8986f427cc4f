"""``clean`` skips its passes for text they would not change, and only for such text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.model import sanitize
from flashdl.exporters.text import _SEPARATORS, _SURROGATES, clean

SPECIAL = "\x00\x07\t\n\r\x1b\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069\ud800\udfff"
texts = st.text(st.one_of(st.sampled_from(SPECIAL), st.characters(max_codepoint=0x2FFFF)))


@given(texts)
def test_clean_is_its_three_passes(text):
    assert clean(text) == _SURROGATES.sub("\ufffd", _SEPARATORS.sub("\n", sanitize(text)))
