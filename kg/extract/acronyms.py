"""Acronym definitions ("Vocabulary Disentangled Retrieval (VDR)") after Schwartz & Hearst (2003).

Pure functions on plain text first; character offsets are those of the text given.
Schwartz, A. S. & Hearst, M. A. "A simple algorithm for identifying abbreviation
definitions in biomedical text", PSB 2003.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"\S+")
_HEAD_SPLIT = re.compile(r"[;,]")
_LAST_WORD = re.compile(r"(\S+)\s*$")
_WORD_SPLIT = re.compile(r"[\s-]+")


def _last_word(text: str, end: int) -> re.Match | None:
    """``_LAST_WORD.search(text[:end])``: the last word before ``end``, looked for in a short window first.

    Searching the whole prefix tries the pattern at every position (most of
    :func:`find_definitions`' time); the window answers unless it holds no word
    or its first word may start before it, and then the full search runs.
    """
    lo = max(0, end - 64)
    m = _LAST_WORD.search(text, lo, end)
    if lo > 0 and (m is None or m.start() == lo):
        return _LAST_WORD.search(text[:end])
    return m


@lru_cache(maxsize=None)
def _word_initial(char: str) -> re.Pattern:
    """``char`` (any case) at the start of a word; one compiled pattern per character."""
    return re.compile(r"(?:^|(?<=\s))" + re.escape(char), re.IGNORECASE)
_STOP_LEAD = {"a", "an", "the", "our", "we", "this", "that", "these", "its", "their", "of", "and", "or",
              "to", "in", "on", "for", "with", "by", "is", "are", "as", "called", "named", "termed",
              "dubbed", "namely", "i.e.", "e.g.", "from"}


class Definition(NamedTuple):
    """An acronym definition: ``text[long_start:long_end]`` is the expansion of ``text[short_start:short_end]``."""

    long_start: int
    long_end: int
    short_start: int
    short_end: int


def is_short_form(text: str) -> bool:
    """A plausible acronym: 2-12 characters, one word (or two joined by "-"), starts alphanumeric,
    has a letter and at least one capital ("VDR", "MM-LoRA", "BT^2", "D2C-VAE", "LLMs")."""
    text = text.strip()
    if not (2 <= len(text) <= 12) or " " in text:
        return False
    if not text[0].isalnum() or not any(c.isalpha() for c in text):
        return False
    return sum(c.isupper() for c in text) >= 1 and not text.istitle() or sum(c.isupper() for c in text) >= 2


def best_long_form(short: str, candidate: str) -> int | None:
    """Schwartz-Hearst: start index in ``candidate`` of the shortest suffix whose letters spell ``short``.

    Every alphanumeric character of the short form must appear, in order, in the
    long form, and its first character must start a word. Returns None when none does.
    """
    s = len(short) - 1
    i = len(candidate) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        j = i
        while j >= 0 and (candidate[j].lower() != c or (s == 0 and j > 0 and candidate[j - 1].isalnum())):
            j -= 1
        if j < 0:
            if c.isdigit() and s > 0:  # "D2C-VAE" <- "Discrete-to-continuous ...": digits may stand for words
                s -= 1
                continue
            return None
        i = j - 1
        s -= 1
    start = max(candidate.rfind(" ", 0, i + 1), candidate.rfind("(", 0, i + 1)) + 1
    return start


def _initials_ok(short: str, long: str) -> bool:
    """Guard against letter-scavenging: the long form has at most len(short)+5 words and
    its first letter matches the acronym's first letter."""
    words = long.split()
    letters = [c for c in short if c.isalpha()]
    if not letters or not words:
        return False
    if len(words) > min(len(letters) + 5, 2 * len(letters) + 1):
        return False
    if words[0].lower() in _STOP_LEAD:
        return False
    return long[0].lower() == short[0].lower()


_GENERIC_TAIL = {"framework", "method", "approach", "module", "strategy", "mechanism", "scheme", "technique",
                 "algorithm", "architecture", "pipeline", "paradigm", "system", "adapter", "model", "loss"}


def _drop_generic_tail(short: str, long: str) -> str:
    """"Bootstrapped Disentanglement framework (LBD)" -> drop "framework": no letter of LBD comes from it."""
    words = long.split()
    last_letter = next((c for c in reversed(short) if c.isalpha()), "")
    if len(words) > 2 and words[-1].lower() in _GENERIC_TAIL and words[-1][0].lower() != last_letter.lower():
        return long[: long.rfind(" ")].rstrip()
    return long


def _words_before(text: str, pos: int, n: int) -> tuple[list[re.Match], int]:
    """The last ``n`` words before ``pos`` in its clause, and where the text before ``pos`` ends (spaces stripped).

    The clause starts after the last ". ", "; ", ": " or "? ". The same words as searching the whole
    ``text[:pos].rstrip()``, found in a window that doubles until it holds the clause start or more than
    ``n`` words: one long sentence full of parentheses stays linear.
    """
    end = pos
    while end > 0 and text[end - 1].isspace():
        end -= 1
    width = 256
    while True:
        lo = max(0, end - width)
        cut = max(text.rfind(". ", lo, end), text.rfind("; ", lo, end), text.rfind(": ", lo, end),
                  text.rfind("? ", lo, end))
        words = list(_WORD.finditer(text, cut + 2 if cut >= 0 else lo, end))
        if cut >= 0 or lo == 0 or len(words) > n:
            return words[-n:], end
        width *= 2


def find_definitions(text: str) -> list[Definition]:
    """All ``long form (SHORT)`` and ``SHORT (long form)`` definitions in ``text``.

    >>> t = "we present Vocabulary Disentangled Retrieval (VDR), a retrieval framework"
    >>> d = find_definitions(t)[0]
    >>> t[d.long_start:d.long_end], t[d.short_start:d.short_end]
    ('Vocabulary Disentangled Retrieval', 'VDR')
    """
    out: list[Definition] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        # "(CISS; ...)" or "(VDR, for short)": the acronym is the first item
        head = _HEAD_SPLIT.split(inner, maxsplit=1)[0].strip()
        s_start = m.start(1) + inner.find(head)
        s_end = s_start + len(head)
        if is_short_form(head):
            # long form before the parenthesis, same sentence, at most len+5 words back
            n = min(len(head) + 5, 2 * len(head) + 1)
            words, end = _words_before(text, m.start(), n)
            if not words:
                continue
            cand_start = words[0].start()
            candidate = text[cand_start:end]
            rel = best_long_form(head, candidate)
            if rel is None:
                continue
            if candidate[rel:rel + 1].lower() != head[0].lower():
                # the first letter matched inside a hyphenated word ("Equation-based"): start instead at
                # the nearest earlier word that begins with it ("BEllman Equation-based ... (BEER)")
                earlier = [m.start() for m in _word_initial(head[0]).finditer(candidate[:rel])]
                if not earlier:
                    continue
                rel = earlier[-1]
            long = _drop_generic_tail(head, candidate[rel:].rstrip(" ,"))
            long_start = cand_start + rel
            if len(long) <= len(head) or not _initials_ok(head, long):
                continue
            out.append(Definition(long_start, long_start + len(long), s_start, s_end))
        elif len(inner.split()) >= 2:
            # "VDR (Vocabulary Disentangled Retrieval)"
            prev = _last_word(text, m.start())
            if not prev or not is_short_form(prev.group(1)):
                continue
            short = prev.group(1)
            rel = best_long_form(short, inner)
            if rel != 0 or not _initials_ok(short, inner.strip()):
                continue
            out.append(Definition(m.start(1), m.end(1), prev.start(1), prev.end(1)))
    return out


def acronym_of(long: str) -> str:
    """Initials of a long form, for matching an acronym to it ("graph neural network" -> "GNN")."""
    return "".join(w[0] for w in _WORD_SPLIT.split(long) if w and w[0].isalnum()).upper()
