"""Links from deck files (``source``, ``current_source``): which ones flashdl accepts.

A link is deck text, and deck text is untrusted: it ends up in terminal hyperlinks, HTML ``href``
attributes and Markdown autolinks. So a link must be an absolute http(s) URL with a host, and
contain none of the characters that could end an attribute or an autolink (quotes, angle
brackets), change how it is read (a backslash, a backtick, whitespace) or hide text (controls).
Characters that a URL may carry only percent-encoded are encoded by the exporters.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_NOT_IN_A_URL = {
    '"': "a double quote; write it as %22",
    "<": "'<'; write it as %3C",
    ">": "'>'; write it as %3E",
    "\\": "a backslash; write it as %5C",
    "`": "a backtick; write it as %60",
}
NOT_HTTP = "is not an http(s) URL"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a card's link (a phrase starting with ``NOT_HTTP``), or None."""
    # An ASCII link without those characters (the common case) needs no look at each one.
    if not url.isascii() or _ASCII_TROUBLE.search(url):
        problem = _character_problem(url)
        if problem:
            return problem
    return _form_problem(url)


# What ``_character_problem`` finds in ASCII: whitespace, controls, and ``_NOT_IN_A_URL``.
_ASCII_TROUBLE = re.compile(r'[\x00-\x20\x7f"<>\\`]')


def _character_problem(url: str) -> str | None:
    for char in url:
        if char.isspace():
            return f"{NOT_HTTP}: it contains whitespace; write a space as %20"
        if not char.isprintable():
            return f"{NOT_HTTP}: it contains a control or invisible character"
        if char in _NOT_IN_A_URL:
            return f"{NOT_HTTP}: it contains {_NOT_IN_A_URL[char]}"
    return None


def _form_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, for one
        return NOT_HTTP
    if parts.scheme.lower() not in ("http", "https") or not host:
        return NOT_HTTP
    return None
