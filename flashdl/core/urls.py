"""Links from deck files (``source``, ``current_source``): which ones flashdl accepts.

A link is deck text, and deck text is untrusted: it ends up in terminal hyperlinks, HTML ``href``
attributes and Markdown autolinks. So a link must be an absolute http(s) URL with a host, and
contain none of the characters that could end an attribute or an autolink (quotes, angle
brackets), change how it is read (a backslash, a backtick, whitespace) or hide text (controls).
Characters that a URL may carry only percent-encoded are encoded by the exporters.
"""

from __future__ import annotations

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
    for char in url:
        if char.isspace():
            return f"{NOT_HTTP}: it contains whitespace; write a space as %20"
        if not char.isprintable():
            return f"{NOT_HTTP}: it contains a control or invisible character"
        if char in _NOT_IN_A_URL:
            return f"{NOT_HTTP}: it contains {_NOT_IN_A_URL[char]}"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # an unclosed IPv6 bracket, for one
        return NOT_HTTP
    if parts.scheme.lower() not in ("http", "https") or not host:
        return NOT_HTTP
    return None
