"""Highlights for search results: the query's morphemes (or, failing that, their character
bigrams) marked with ``<em>`` in the product name; the rest is HTML-escaped."""

from __future__ import annotations

import html

from .analysis import bigrams_of


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], text.find(needle)
    while needle and start >= 0:
        out.append((start, start + len(needle)))
        start = text.find(needle, start + len(needle))
    return out


def highlight(text: str, terms: list[str]) -> str:
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = _spans(lowered, term)
        if not found:
            for gram in bigrams_of(term):
                if len(gram) > 1:
                    found.extend(_spans(lowered, gram))
        spans.extend(found)
    if not spans:
        return html.escape(text)
    spans.sort()
    merged = [list(spans[0])]
    for s, e in spans[1:]:
        if s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out.append(html.escape(text[pos:s]))
        out.append(f"<em>{html.escape(text[s:e])}</em>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)
