"""Which links a card may carry: absolute http(s), and nothing that ends an attribute or autolink."""

from __future__ import annotations

import pytest

from flashdl.core.urls import NOT_HTTP, url_problem


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "http://example.com/a?b=1&c=2#d",
        "HTTPS://EXAMPLE.COM/Case",
        "https://en.wikipedia.org/wiki/Bayes'_theorem_(probability)",
        "https://zh.wikipedia.org/wiki/梯度消失问题",
        "https://example.com/%22quoted%22",
        "https://user@example.com:8443/{a}|b^c~d",
        "https://[2001:db8::1]/x",
    ],
)
def test_good_links(url):
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", ""),
        ("file:///etc/passwd", ""),
        ("data:text/html,x", ""),
        ("//example.com/x", ""),
        ("https:///path-only", ""),
        ("https:example.com", ""),
        ("https://[::1/x", ""),
        ('https://example.com/"onmouseover="alert(1)', "a double quote"),
        ("https://example.com/><script>", "'>'"),
        ("https://example.com/<x", "'<'"),
        ("https://example.com\\@evil.example/", "a backslash"),
        ("https://example.com/`x`", "a backtick"),
        ("https://example.com/a b", "whitespace"),
        ("https://example.com/\tb", "whitespace"),
        ("https://example.com/\x1b]8;;x", "a control or invisible character"),
        ("https://example.com/\u202eevil", "a control or invisible character"),
        ("https://example.com/\u200bzero-width", "a control or invisible character"),
        ("https://example.com/\u2028", "whitespace"),
    ],
)
def test_bad_links_say_why(url, why):
    problem = url_problem(url)
    assert problem is not None and problem.startswith(NOT_HTTP)
    assert why in problem
