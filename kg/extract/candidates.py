"""Turn the matches of one field (title or abstract) into typed candidates.

:func:`field_candidates` is the decision step: gazetteer hits, acronym
definitions, name-shaped words and the contextual triggers ("we propose X",
"called X", "the X dataset", a title's name before the colon) are combined
into :class:`~kg.resolve.Candidate` objects. It works on a ``Doc`` whose
gazetteer and trigger matches are given as plain tuples.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Iterable, Sequence

from ..resolve import Candidate, Definition
from .acronyms import find_definitions
from .rules import (Lexicon, Sentences, extend_left, sentence_starts, find_metric_shapes, find_shapes, head_type, is_name_shape,
                    lexicon, looks_like_name, ASCII_LOWER, find_all, matches_at)

# strengths: how much a rule's evidence counts when two rules disagree on a type
S_SHAPE, S_GAZ_REF, S_CONTEXT, S_GAZ_CUR, S_ACRONYM, S_PROPOSE = 1, 2, 3, 4, 5, 6

Match = tuple  # (label, start_char, end_char, canonical, rule, strength)
Trigger = tuple  # (label, start_token, end_token)

_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+|/)\s*")
_LIST_GAP_BEFORE = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+|/)\s*$")
_TITLE_DIGITS = re.compile(r"([A-Z](?<![\w-][A-Z])[a-z]+)-(\d+[A-Za-z]?)(?![\w-])")  # see _TITLE_RUN
_HYPHEN_DIGIT = re.compile(r"[a-z]-\d")  # in every _TITLE_DIGITS match; a quick test before the slow scan
_SPLIT_PREFIX = re.compile(r"(?:Split|Permuted|Rotated|Sequential|Seq)[- ]$")
_VERSION_AFTER = re.compile(r"^(?:[- ]v\d+(?:\.\d+)*|\s\d\.\d+|[- ]\d{2,4}[KkMB]?)(?![\w.])")


NOVEL_ACRONYMS_PROPOSED = True
_OWN_WORK = re.compile(r"\b(?:we|our|this paper|this work|this study|propose[sd]?|introduce[sd]?|present(?:s|ed)?|new|novel)\b",
                       re.IGNORECASE)
_QUOTED_NAME = re.compile(r"\s*(?:as\s+)?(?:[\"'“`]+([\w][\w -]{1,50}?)[\"'”]|([a-z][\w-]*(?: [a-z][\w-]*){1,3})"
                          r"(?=[,.;:)]| that | which | to ))")
_THE_X_DATASET = re.compile(r"\b(?:the|on|of|in|from|using|with)\s+((?:[A-Z][\w+.-]*)(?:\s[A-Z0-9][\w+.-]*){0,2})\s+"
                            r"(?:dataset|benchmark|corpus|suite|testbed|datasets|benchmarks)\b")
_DATASET_NOUNS = ("dataset", "benchmark", "corpus", "suite", "testbed")  # one is in every _THE_X_DATASET match
_METRIC_NOUNS = ("score", "accuracy", "error")  # one is in every _METRIC_PHRASE match
_METRIC_PHRASE = re.compile(r"(?<![\w-])(score|accuracy|error)(?:\s+(?:of|on|by|rate)\b|\s*[,.;()]|\s+(?:and|with|improvement|gain)s?\b)")
_COMPONENT_CUE = re.compile(r"\b(?:consist|compris|compos|equipped|contain|includ|integrat|incorporat|modules?|"
                            r"components?)\w*\b", re.IGNORECASE)
_MODEL_VARIANT = re.compile(r"-([A-Za-z0-9]+(?:/\d+)?)(?![\w-])")
_METRIC_AFTER = re.compile(r"\s*(?:\([^)]{1,12}\)\s*)?([A-Za-z]+)")
_NOT_A_MEASURE = {"bound", "bounds", "loss", "losses", "minimization", "maximization", "objective", "objectives",
                  "guarantee", "guarantees", "regularization", "regularizer", "term", "penalty"}
_METRIC_QUALIFIER = re.compile(r"(?:train|training|test|testing|validation|model|overall|final)\s+", re.IGNORECASE)
_TASK_BEFORE = re.compile(r"(?:\b(?:for|on|in|to|of|and|or|such as|including|like|e\.g\.|address(?:es|ing)?|tackl\w*|"
                          r"improv\w*|advanc\w*)|[,(:])\s*(?:the\s+)?$")
_TASK_AFTER = re.compile(r"\s+(?:tasks?|problems?|benchmarks?|challenges?|settings?|performance|accuracy)\b")
_NAMELY = re.compile(r",?\s*(?:namely|called|dubbed|termed|named|coined)\s+(?:as\s+)?[\"'“]?")
_WS_SPLIT = re.compile(r"[\s]+")
_DIGITS_CAP = re.compile(r"\d+[A-Z]\w*")
_VERSION_TOKEN = re.compile(r"v?\d+(\.\d+)*")
_NEXT_WORD = re.compile(r"\s*\)?\s*([\w-]+)")
_WORDS = re.compile(r"[\w-]+")
_HYPHEN_SPACE = re.compile(r"[-\s]")
_PAREN_WORD = re.compile(r"\s*\)\s*([\w-]+)")
_LAST_HYPHEN_PART = re.compile(r"-(\w+)$")
_VARIANT_SHAPE = re.compile(r"[A-Z][A-Za-z]{0,3}|\d+[BMK]?")


_PROPOSE_CUE = re.compile(r"\b(?:we|our)\b[^.]{0,80}\b(?:propos|introduc|present|develop|design|devis|call|name|dub|term)\w*"
                          r"|\bour\b|\b(?:is|are) (?:proposed|introduced)\b", re.IGNORECASE)
#: starts with the capital and checks the character before it afterwards ("(?<![\\w-][A-Z])"): the same
#: matches as a leading "(?<![\\w-])", but a pattern that starts with a character class lets re skip to capitals.
#: The first word is "[\\w-]* with a lower-case letter", written so that only one split can match it: non-a-z word
#: characters up to the first a-z letter, then the rest ("[\\w-]*[a-z][\\w-]*" tried every split: quadratic in a
#: long hyphenated run such as "Aa-Bb-Aa-Bb-...")
_TITLE_RUN = re.compile(r"[A-Z](?<![\w-][A-Z])(?:[^\Wa-z]|-)*[a-z][\w-]*(?:\s+(?:(?:of|for|with|via)\s+)?(?:[A-Z][\w-]*|\d+[A-Z][\w-]*))+")


def title_case_runs(text: str, sent_starts: Sequence[int], lex: Lexicon) -> list[tuple[int, int, str]]:
    """Runs of two or more capitalised words that do not start a sentence: names the text coins."""
    out = []
    starts = set(sent_starts)
    for m in _TITLE_RUN.finditer(text):
        s, phrase = m.start(), m.group(0)
        words = phrase.split()
        if s in starts or text[max(0, s - 2):s] in (": ", '" ') or words[0] in lex.generic_names:
            # sentence-initial: drop the first word and keep the rest if it is still a run
            rest = phrase.split(None, 1)[1] if len(words) > 2 else ""
            if not rest or rest.split()[0].lower() in lex.connectors:
                continue
            s, phrase = s + phrase.index(rest), rest
            words = phrase.split()
        while words and words[-1].lower() in lex.connectors:
            words = words[:-1]
        if len(words) < 2:
            continue
        phrase = text[s:s + len(" ".join(words))] if " ".join(words) == text[s:s + len(" ".join(words))] else phrase
        e = s + len(phrase)
        if phrase.lower() in lex.stop_tasks:
            continue
        out.append((s, e, phrase))
    return out


def _scan(pattern: re.Pattern, text: str, needles: Sequence[str]) -> Iterable[re.Match]:
    """``pattern.finditer(text)``, skipped when ``text`` lacks every literal that each match contains.

    Most abstracts hold none of a rare pattern's words; ``in`` finds that out many times
    faster than a regex that has to try every position.
    """
    return pattern.finditer(text) if any(n in text for n in needles) else ()


def _is_word_char(c: str) -> bool:
    """``re``'s ``[\\w-]`` for one character (``\\w`` is ``str.isalnum`` or ``_`` on str patterns)."""
    return c.isalnum() or c == "_" or c == "-"


def word_occurrences(word: str, text: str) -> list[tuple[int, int]]:
    """Spans of ``word`` (plus an optional plural "s") standing alone in ``text``.

    The same spans as ``re.finditer(r"(?<![\\w-])" + re.escape(word) + r"s?(?![\\w-])", text)``
    without compiling a pattern per word.

    >>> word_occurrences("LLM", "LLMs beat an LLM-based LLM; xLLM")
    [(0, 4), (23, 26)]
    """
    if not word:
        return [m.span() for m in re.finditer(r"(?<![\w-])" + re.escape(word) + r"s?(?![\w-])", text)]
    out = []
    n, k = len(text), len(word)
    p = text.find(word)
    while p != -1:
        end = p + k
        if p == 0 or not _is_word_char(text[p - 1]):
            if end < n and text[end] == "s":
                end += 1
            if end >= n or not _is_word_char(text[end]):
                out.append((p, end))
                p = text.find(word, end)
                continue
        p = text.find(word, p + 1)
    return out


def _has_partial_overlap(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """True when some span crosses a boundary of ``a`` (neither inside nor containing it).

    ``spans`` are sorted and do not overlap each other (gazetteer matches after filtering).
    """
    i = max(bisect_left(spans, (a[0], -1)) - 1, 0)
    while i < len(spans) and spans[i][0] < a[1]:
        s, e = spans[i]
        if a[0] < e and not (a[0] <= s and e <= a[1]) and not (s <= a[0] and a[1] <= e):
            return True
        i += 1
    return False


class Coverage(list):
    """Spans taken so far, with a character mask so overlap tests cost O(span) not O(spans)."""

    def __init__(self, length: int, spans: Iterable[tuple[int, int]] = ()):
        super().__init__()
        self.mask = bytearray(length + 1)
        for sp in spans:
            self.append(sp)

    def append(self, span: tuple[int, int]) -> None:
        s, e = span
        super().append((s, e))
        if e > s:
            self.mask[s:e] = b"\x01" * (e - s)

    def overlaps(self, s: int, e: int) -> bool:
        return e > s and self.mask.find(1, s, e) != -1

    def covers(self, s: int, e: int) -> bool:
        return e > s and self.mask.find(0, s, e) == -1


def _is_title_case(phrase: str, lex: Lexicon) -> bool:
    """Every content word capitalised (or name-shaped): how authors write their own method's name."""
    words = [w for w in _WS_SPLIT.split(phrase) if w and w.lower() not in lex.connectors]
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _only_filler(gap: str, lex: Lexicon) -> bool:
    """True when the words between a trigger and a name are determiners and adjectives ("a novel")."""
    words = gap.split()
    if len(words) > 6 or any(c in gap for c in ".;:()"):
        return False
    return all(w.lower().strip(",") in lex.np_skip or w.lower().strip(",") in lex.modifiers for w in words)


def _token_at(doc, char: int):
    """Index of the token starting at character ``char`` (or None)."""
    tok = doc.char_span(char, char + 1, alignment_mode="expand")
    return tok.start if tok is not None and tok.start_char == char else None


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    if isinstance(spans, Coverage):
        return spans.overlaps(*a)
    return any(a[0] < e and s < a[1] for s, e in spans)


def _inside(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    if isinstance(spans, Coverage):
        return spans.covers(*a)
    return any(s <= a[0] and a[1] <= e for s, e in spans)


def _name_run(doc, i: int, lex: Lexicon, limit: int = 8) -> tuple[int, int] | None:
    """Token range [i, j) of a proper name starting at token i, or None.

    A run of capitalised or name-shaped tokens, joined by hyphens and, between
    capitalised words, by connectors such as "of", "for", "with" ("Slow Learner
    with Classifier Alignment").
    """
    n = len(doc)
    if i >= n:
        return None
    if not looks_like_name(doc[i].text, lex):
        # "cpl-mixVAE": a lower-case start, but the whole word is name-shaped
        j = i
        while j + 1 < n and not doc[j].whitespace_:
            j += 1
        while j > i and doc[j].is_punct and doc[j].text not in ("+", "++"):
            j -= 1
        return (i, j + 1) if j > i and is_name_shape(doc[i:j + 1].text) else None
    j = i + 1
    while j < n and j - i < limit:
        t = doc[j]
        prev = doc[j - 1]
        if t.text in ("-", "+", "++", "^", "/") and not prev.whitespace_ and j + 1 < n and not t.whitespace_:
            j += 1
            continue
        if not prev.whitespace_ and prev.text in ("-", "/", "^") and t.text[:1].isalnum():
            j += 1
            continue
        if t.text == "++" or (t.text.startswith("+") and not prev.whitespace_):
            j += 1
            continue
        if looks_like_name(t.text, lex) or _DIGITS_CAP.fullmatch(t.text):
            j += 1
            continue
        if _VERSION_TOKEN.fullmatch(t.text) and j - i <= 2:
            j += 1
            continue
        if t.lower_ in lex.connectors and j + 1 < n and looks_like_name(doc[j + 1].text, lex) \
                and doc[j + 1].text not in lex.generic_names and t.lower_ != "and":
            j += 2
            continue
        break
    # trailing connectors or punctuation never end a name
    while j > i and (doc[j - 1].lower_ in lex.connectors or doc[j - 1].is_punct and doc[j - 1].text not in ("++", "+")):
        j -= 1
    return (i, j) if j > i else None


def _after_trigger(doc, k: int, lex: Lexicon) -> int:
    """Skip determiners and generic adjectives after a trigger ending at token k."""
    n = len(doc)
    while k < n and (doc[k].lower_ in lex.np_skip or doc[k].text in ('"', "'", "``", "''", "“", "”", ":", ",")):
        if doc[k].lower_ in lex.np_skip and doc[k].text[:1].isupper() and k + 1 < n \
                and looks_like_name(doc[k + 1].text, lex) and doc[k].lower_ not in ("a", "an", "the"):
            break  # a capitalised word ("Unified", "General") can itself start a name
        k += 1
    return k


def _type_after(doc, j: int, phrase: str, lex: Lexicon) -> str:
    """Dataset when the name is followed by "dataset"/"benchmark"/..., else by its head word."""
    if j < len(doc) and doc[j].lower_ in lex.dataset_words:
        return "Dataset"
    if j + 1 < len(doc) and doc[j].text == "," and doc[j + 1].lower_ in ("a", "an", "the"):
        # "X, a large-scale dataset of ..." / "X, a metric that ...": look a few words on
        for t in doc[j + 2: j + 8]:
            if t.lower_ in lex.dataset_heads:
                return "Dataset"
            if t.lower_ in ("metric", "measure", "score", "metrics", "measures", "scores"):
                return "Metric"
            if t.lower_ in lex.method_heads or t.text in (",", ".", ";", ":", "(", ")"):
                break
    return head_type(phrase, lex, "Method")


def _next_word(text: str, pos: int) -> str:
    m = _NEXT_WORD.match(text[pos:pos + 40])
    return m.group(1) if m else ""


def _prev_words(text: str, pos: int, n: int = 2) -> list[str]:
    return _WORDS.findall(text[max(0, pos - 40):pos])[-n:]


def definition_type(long: str, short: str, next_word: str, lex: Lexicon, gaz_type: str | None) -> str | None:
    """Type of an acronym definition, or None when it names nothing we extract.

    The expansion's gazetteer type wins; else a task head right after the acronym
    ("out-of-distribution (OOD) detection"), else the expansion's head word. An
    expansion with no known head is a method only when it is written as a name
    (Title Case) and its head is not a known non-method ("Hypothesis", "Collapse").
    """
    if gaz_type:
        if gaz_type == "Metric" and next_word.lower() in _NOT_A_MEASURE:
            return "Method"  # "Average Precision (AP) loss": a training objective named after a metric
        return gaz_type
    if short in lex.stop_methods or short.rstrip("s") in lex.stop_methods:
        # "state-of-the-art (SOTA)" is nothing we extract; "(CTR) prediction" or "(URL) benchmark" still is
        nxt = next_word.lower()
        if nxt in lex.task_heads:
            return "Task"
        if nxt in lex.dataset_heads or nxt.rstrip("s") in lex.dataset_heads:
            return "Dataset"
        htype = head_type(long, lex, "")
        return htype if htype in ("Task", "Dataset", "Metric") else None
    nxt = next_word.lower()
    if nxt in lex.task_heads:
        return "Task"
    if nxt in lex.method_heads:
        return "Method"  # "(ACGC) entropy model"
    if nxt in lex.dataset_heads or nxt.rstrip("s") in lex.dataset_heads:
        return "Dataset"
    htype = head_type(long, lex, "")
    if htype:
        return htype
    words = long.split()
    last = _HYPHEN_SPACE.split(long.lower())[-1]
    if last in lex.method_heads or last.rstrip("s") in lex.method_heads:
        if short in lex.stop_methods or short.rstrip("s") in lex.stop_methods:
            return None
        return "Method"
    if last in lex.non_method_heads or short in lex.stop_methods or short.rstrip("s") in lex.stop_methods:
        return None
    content = [w for w in words if w.lower() not in lex.connectors]
    if content and all(w[:1].isupper() or not w[:1].isalpha() for w in content) and len(content) >= 2:
        return "Method"
    return None


def field_candidates(doc, field: str, gaz: Sequence[Match], triggers: Sequence[Trigger],
                     lex: Lexicon | None = None, *, text: str | None = None,
                     sents: Sentences | None = None,
                     own_names: Iterable[str] = ()) -> tuple[list[Candidate], list[Definition]]:
    """Typed candidates and acronym definitions of one field.

    ``text`` is ``doc.text`` when the caller has it already (``Doc.text`` joins every token);
    ``own_names`` are names the paper proposes elsewhere (its title), so that the parts they
    "consist of" are proposed too.
    """
    lex = lex or lexicon()
    text = doc.text if text is None else text
    sents = sents or Sentences(text, sentence_starts(doc))
    cands: list[Candidate] = []
    defs: list[Definition] = []

    def add(etype, start, end, rule, strength, canonical="", proposed=False):
        surface = text[start:end]
        while surface and surface[-1] in ".,;:" and not surface.endswith("++"):
            surface, end = surface[:-1], end - 1
        if surface[:4].lower() == "the ":
            surface, start = surface[4:], start + 4
        if not surface.strip():
            return None
        c = Candidate(etype, field, start, end, surface, rule, sents.of(start), canonical, strength, proposed)
        cands.append(c)
        return c

    # 1. acronym definitions: both forms, typed by the expansion
    gaz_by_span = {(m[1], m[2]): m for m in gaz}
    gaz_spans = [(m[1], m[2]) for m in gaz]
    acr_long: list[tuple[int, int]] = []
    short_types: dict[str, str] = {}
    def_cands: dict[int, list[Candidate]] = {}
    untyped: list[Definition] = []
    for found in find_definitions(text):
        long, short = text[found.long_start:found.long_end], text[found.short_start:found.short_end]
        hit = gaz_by_span.get((found.long_start, found.long_end))
        etype = definition_type(long, short, _next_word(text, found.short_end), lex, hit[0] if hit else None)
        if etype is None:
            if short not in lex.stop_methods:
                untyped.append(Definition(field, found.long_start, found.long_end, long, found.short_start,
                                          found.short_end, short, sents.of(found.long_start)))
            continue
        defn = Definition(field, found.long_start, found.long_end, long, found.short_start, found.short_end,
                          short, sents.of(found.long_start))
        defs.append(defn)
        acr_long.append((found.long_start, found.long_end))
        pair = [add(etype, found.long_start, found.long_end, "acronym", S_ACRONYM, hit[3] if hit else ""),
                add(etype, found.short_start, found.short_end, "acronym", S_ACRONYM)]
        def_cands[id(defn)] = [c for c in pair if c is not None]
        short_types[short] = etype
        known = hit is not None or (found.short_start, found.short_end) in gaz_by_span
        if NOVEL_ACRONYMS_PROPOSED and etype == "Method" and not known and _is_title_case(long, lex) \
                and sents.holds(found.long_start, _OWN_WORK.search):
            # a method acronym no gazetteer knows, defined where the authors speak of their work
            for c in def_cands[id(defn)]:
                c.proposed = True
        if etype == "Task" and _next_word(text, found.short_end).lower() in lex.task_heads:
            # "Click-through rate (CTR) prediction": the acronym plus head is also a form of the task
            m = _PAREN_WORD.match(text[found.short_end:found.short_end + 40])
            if m:
                add(etype, found.long_start, found.short_end + m.end(1), "acronym", S_ACRONYM, canonical=long)

    # 2. contextual triggers: "we propose X", "called X", "our X"
    proposed_spans: list[tuple[int, int]] = []
    defs_by_start = sorted(defs + untyped, key=lambda d: d.long_start)
    def_starts = [d.long_start for d in defs_by_start]
    for label, ts, te in triggers:
        if label == "PASSIVE":
            # "... a simple network, termed X, is proposed" / "X is introduced": the name precedes the verb
            j = ts
            i = j
            while i > 0 and i > ts - 6 and (looks_like_name(doc[i - 1].text, lex) or
                                            (doc[i - 1].text == "-" and not doc[i - 1].whitespace_)):
                i -= 1
            if i < j and (i == 0 or doc[i - 1].lower_ not in lex.connectors | {"or", "and", "as"}):
                span = doc[i:j]
                if span.text not in lex.generic_names and head_type(span.text, lex, "Method") == "Method" \
                        and span.text not in lex.stop_methods and (len(span) > 1 or is_name_shape(span.text)):
                    add("Method", span.start_char, span.end_char, "propose", S_PROPOSE)
                    proposed_spans.append((span.start_char, span.end_char))
            continue
        k = te if label == "OUR" else _after_trigger(doc, te, lex)
        trig_end = doc[te - 1].idx + len(doc[te - 1].text)
        run = _name_run(doc, k, lex)
        # an acronym defined right there: its expansion is the name ("we propose a Deep Interest Network (DIN)")
        d_hit = None
        for d in defs_by_start[bisect_left(def_starts, trig_end):]:
            if d.long_start - trig_end > 80:
                break
            if _only_filler(text[trig_end:d.long_start], lex):
                if (d.long_start, d.long_end) not in gaz_by_span and (d.short_start, d.short_end) not in gaz_by_span:
                    d_hit = d  # a known name ("a new mixture of experts (MoE) framework") is used, not proposed
                break
        if d_hit is not None:
            etype = "Dataset" if _type_after(doc, len(doc), d_hit.long, lex) == "Dataset" or \
                _next_word(text, d_hit.short_end).lower() in lex.dataset_words else "Method"
            rule = "introduce-dataset" if etype == "Dataset" else \
                {"PROPOSE": "propose", "CALLED": "called", "OUR": "our"}[label]
            add(etype, d_hit.long_start, d_hit.long_end, rule, S_PROPOSE)
            add(etype, d_hit.short_start, d_hit.short_end, rule, S_PROPOSE)
            proposed_spans.append((d_hit.long_start, d_hit.long_end))
            if d_hit in untyped:
                untyped.remove(d_hit)
                defs.append(d_hit)
                acr_long.append((d_hit.long_start, d_hit.long_end))
                short_types[d_hit.short] = etype
            continue
        if not run and label == "CALLED":
            quoted = _QUOTED_NAME.match(text, trig_end)
            if quoted:
                g = 1 if quoted.group(1) else 2
                qs, qe = quoted.start(g), quoted.end(g)
                etype = head_type(quoted.group(g), lex, "Method")
                head = quoted.group(g).split()[-1].lower()
                if g == 2 and (head not in lex.method_heads or text[trig_end - 5:trig_end].lower() == "named"):
                    continue  # unquoted lowercase words are a name only when they end like one
                if etype in ("Method", "Dataset"):
                    add(etype, qs, qe, "called", S_PROPOSE)
                    proposed_spans.append((qs, qe))
            continue
        if not run:
            continue
        i, j = run
        span = doc[i:j]
        phrase = span.text
        if label == "OUR":
            if not any(is_name_shape(t.text) for t in span) or phrase in lex.generic_names:
                continue
            last_part = _LAST_HYPHEN_PART.search(phrase)
            if last_part and last_part.group(1).lower() in lex.adjectival_suffixes:
                continue  # "our BoW-based ...": a modifier, not a name
        known_name = (span.start_char, span.end_char) in gaz_by_span or phrase in short_types or \
            phrase.rstrip("s") in short_types
        if label != "CALLED" and known_name and j < len(doc) and doc[j].lower_ in lex.np_skip:
            continue  # "a novel OCL framework", "a NeRF model": a known name modifying a generic noun
        if label == "PROPOSE" and (span.start_char, span.end_char) in gaz_by_span:
            continue  # a known name after "we propose" is used ("we propose to fine-tune BERT ..."); titles name the new ones
        etype = _type_after(doc, j, phrase, lex)
        if label == "CALLED" and any(t.lower_ in lex.dataset_heads for t in doc[max(0, ts - 4):ts]):
            etype = "Dataset"  # "a new benchmark called X"
        if etype == "Metric" and _type_after(doc, j, phrase, lex) == "Metric" and label != "OUR" \
                and not head_type(phrase, lex, ""):
            add("Metric", span.start_char, span.end_char, "introduce-metric", S_PROPOSE)  # "X, a metric for ..."
            continue
        if etype in ("Task", "Metric"):
            # a capitalised coinage right after "we propose" is the paper's method whatever its head word
            if label == "OUR" or not all(w[:1].isupper() or not w[:1].isalpha() for w in phrase.split()):
                continue
            etype = "Method"
        if phrase in lex.stop_methods or phrase.rstrip("s") in lex.stop_methods:
            continue
        if len(span) == 1 and not is_name_shape(phrase) and j < len(doc) and doc[j].is_alpha \
                and doc[j].is_lower and doc[j].lower_ not in lex.np_stop:
            continue  # "We propose Contrastive learning ...": a capitalised word starting a phrase, not a name
        rule = {"PROPOSE": "propose", "CALLED": "called", "OUR": "our"}[label]
        if etype == "Dataset":
            rule = "introduce-dataset"
        if etype == "Method" and j < len(doc) and doc[j].is_lower and doc[j].lower_ in lex.method_heads \
                and doc[j].lower_ not in lex.np_skip and doc[j].lower_ not in ("training", "learning", "tuning") \
                and label != "OUR":
            # "an LLM-to-LM interpreter": the head noun is part of the name
            full = text[span.start_char:doc[j].idx + len(doc[j].text)]
            add(etype, span.start_char, doc[j].idx + len(doc[j].text), rule, S_PROPOSE, canonical=full)
            add(etype, span.start_char, span.end_char, rule, S_PROPOSE, canonical=full)
        else:
            add(etype, span.start_char, span.end_char, rule, S_PROPOSE)
        proposed_spans.append((span.start_char, span.end_char))
        # "X, namely Y" / "X, called Y": Y is another name of X
        m = _NAMELY.match(text, span.end_char)
        if m and label != "OUR":
            k2 = _token_at(doc, m.end())
            run2 = _name_run(doc, k2, lex) if k2 is not None else None
            if run2:
                other = doc[run2[0]:run2[1]]
                add(etype, other.start_char, other.end_char, rule, S_PROPOSE)
                proposed_spans.append((other.start_char, other.end_char))
                defs.append(Definition(field, span.start_char, span.end_char, phrase, other.start_char,
                                       other.end_char, other.text, sents.of(span.start_char)))

    # 2b. Title Case coinages mid-sentence ("through Manifold Mutual Background Disentanglement")
    if field == "abstract":
        propose_at = [doc[ts].idx for label, ts, te in triggers if label == "PROPOSE"]
        named = Coverage(len(text), acr_long + proposed_spans)
        gaz_sorted = sorted(gaz_spans)
        gaz_cover = Coverage(len(text), gaz_sorted)
        for s, e, phrase in title_case_runs(text, sents.starts, lex):
            if named.overlaps(s, e) or _has_partial_overlap((s, e), gaz_sorted) or gaz_cover.covers(s, e):
                continue
            inner = [m for m in gaz if s <= m[1] and m[2] <= e]
            if any(m[0] != "Method" for m in inner):
                continue
            covered: set[str] = set()
            for known_hit in inner:
                covered.update(w.lower() for w in text[known_hit[1]:known_hit[2]].split())
            if inner and all(w.lower() in covered for w in phrase.split()):
                continue  # "SwinV2 Transformer": known names side by side
            last = _HYPHEN_SPACE.split(phrase.lower())[-1]
            if last in lex.non_method_heads or last.rstrip("s") in lex.non_method_heads:
                continue
            etype = head_type(phrase, lex, "Method")
            if etype == "Metric":
                continue
            s0, _ = sents.bounds(s)
            before = text[s0:s]
            # "_COMPONENT_CUE.search(before)": the sentence's first cue, when it ends before the run (a cue is one
            # word, and the run follows a non-word character, so no cue runs across its start)
            cue_end = sents.first_match_end(_COMPONENT_CUE, s)
            part_of_own = cue_end is not None and cue_end <= s and (
                any(n and n in before for n in own_names) or any(n in before for n in
                                                                 {text[a:b] for a, b in proposed_spans if a < s}))
            if part_of_own and etype == "Task":
                etype = "Method"  # "CORAL consists of Trigger Point Detection, ...": a module, not a task
            own = etype == "Method" and (any(s0 <= p < s for p in propose_at) or text[max(0, s - 4):s] == "our "
                                         or bool(part_of_own))
            if etype == "Method" and not own and last not in lex.method_heads and last.rstrip("s") not in lex.method_heads:
                continue  # "United States", "Chandra Source Catalog": a proper name, but not of a method
            add(etype, s, e, "titlecase", S_CONTEXT, proposed=own)
            if own:
                proposed_spans.append((s, e))
                named.append((s, e))

    # 3. gazetteer hits (not inside an acronym's long form or a proposed name: those win); tasks and
    #    techniques take the modifiers on their left as a longer form of the same entity
    inner_taken = Coverage(len(text), acr_long + proposed_spans)
    taken = Coverage(len(text), inner_taken)
    exact_inner = set(acr_long) | set(proposed_spans)
    for label, s, e, canonical, rule, strength in gaz:
        if (s, e) in exact_inner:
            continue
        if _inside((s, e), inner_taken):
            continue
        if label == "Dataset":
            m = _SPLIT_PREFIX.search(text, max(0, s - 12), s)
            if m:
                s = m.start()
            v = _VERSION_AFTER.match(text[e:e + 12])
            if v:
                add(label, s, e + v.end(), rule, strength, canonical)
        if label == "Method" and rule == "gaz-orth":
            v = _MODEL_VARIANT.match(text, e)
            if v and (v.group(1).lower() in lex.variant_suffixes or _VARIANT_SHAPE.fullmatch(v.group(1).split("/")[0])):
                # "ViT-L", "BERT-large", "ViT-MoE": a named variant of a known model is its own entity
                add(label, s, v.end(), "gaz-variant", strength, text[s:v.end()])
                taken.append((s, v.end()))
                continue
        if label == "Metric":
            after = _METRIC_AFTER.match(text, e)
            if after and after.group(1).lower() in _NOT_A_MEASURE:
                continue  # "regret bounds", "AP loss": a theoretical or training object, not a reported measure
            q = _METRIC_QUALIFIER.match(text, s, e)
            if q and e - q.end() > 2:
                canonical = text[q.end():e]  # "test accuracy" is a form of "accuracy"
            if after and after.group(1).lower() in ("rate", "score"):
                add(label, s, after.end(1), rule, strength, canonical or text[s:e])  # "average accuracy rate"
        add(label, s, e, rule, strength, canonical)
        if label in ("Task", "Method", "Metric") and rule == "gaz-lower":
            s2 = extend_left(text, s, lex.modifiers)
            if s2 < s and not _overlaps((s2, s), taken):
                add(label, s2, e, rule + "+mod", strength, canonical)
                s = s2
        taken.append((s, e))

    for m in _scan(_THE_X_DATASET, text, _DATASET_NOUNS):
        s, e = m.span(1)
        if not _overlaps((s, e), taken) and m.group(1).split()[0] not in lex.generic_names:
            add("Dataset", s, e, "the-x-dataset", S_CONTEXT)
            taken.append((s, e))

    for s, e in task_phrases(text, taken, lex):
        if field == "abstract" and not (_TASK_BEFORE.search(text, max(0, s - 24), s) or _TASK_AFTER.match(text, e)):
            continue  # a head-noun phrase is a task where the text treats it as one ("for X", "X tasks")
        add("Task", s, e, "task-head", S_GAZ_REF)
        taken.append((s, e))
    for m in _scan(_METRIC_PHRASE, text, _METRIC_NOUNS):
        s = extend_left(text, m.start(1), lex.modifiers, limit=2)
        if s < m.start(1) and not _overlaps((s, m.end(1)), taken):
            add("Metric", s, m.end(1), "metric-head", S_GAZ_REF)
            taken.append((s, m.end(1)))

    # 4. uses of defined acronyms elsewhere in the field
    for short, etype in short_types.items():
        for ms, me in word_occurrences(short, text):
            if not _overlaps((ms, me), taken):
                add(etype, ms, me, "acronym-use", S_ACRONYM)
                taken.append((ms, me))

    # 5. name-shaped words nothing else explained; typed by context
    shape_cands = []
    for s, e, word in find_metric_shapes(text):
        if " " in word and (s in sents.starts or word.split()[0] in lex.generic_names):
            s, word = s + word.index(" ") + 1, word.split()[1]  # "In NDCG@10": not "In" but the metric
        if not _overlaps((s, e), taken):
            add("Metric", s, e, "shape-metric", S_CONTEXT)
            taken.append((s, e))
    for m in (_TITLE_DIGITS.finditer(text) if _HYPHEN_DIGIT.search(text) else ()):
        if m.group(1) in lex.dataset_names and not _overlaps(m.span(), taken):
            add("Dataset", m.start(), m.end(), "dataset-variant", S_CONTEXT)
            taken.append(m.span())
    for s, e, word in find_shapes(text, lex.adjectival_suffixes):
        if _overlaps((s, e), taken) or word in lex.stop_methods or word.rstrip("s") in lex.stop_methods:
            continue
        if word[0].islower() and word.rstrip("s").isalpha() and not any(c.isupper() for c in word):
            continue
        etype, strength = "Method", S_SHAPE
        nxt = _next_word(text, e).lower()
        prev = [w.lower() for w in _prev_words(text, s)]
        base = _HYPHEN_SPACE.split(word)[0]
        if nxt in lex.dataset_words or base in lex.dataset_names or _SPLIT_PREFIX.search(text, max(0, s - 12), s):
            etype, strength = "Dataset", S_CONTEXT
        elif word.lower().endswith("score") or nxt in ("score", "metric", "measure"):
            etype, strength = "Metric", S_CONTEXT
        elif prev and prev[-1] in lex.eval_prepositions and not (len(prev) > 1 and prev[-2] in lex.not_eval_before_on):
            if sents.holds(s, _is_evaluation):
                etype, strength = "Dataset", S_CONTEXT
        c = add(etype, s, e, "shape" if strength == S_SHAPE else "shape-context", strength)
        if c is not None and strength == S_SHAPE:
            shape_cands.append(c)
        taken.append((s, e))

    # 6. coordination: an untyped name listed with datasets is a dataset ("on UCF101, HMDB51 and Kinetics")
    ends: dict[int, bool] = {}
    starts: dict[int, bool] = {}
    for c in cands:
        if c.type == "Dataset" and (c.strength >= S_GAZ_REF or c.rule == "shape-context"):
            ends[c.end] = starts[c.start] = True
    for _ in range(2):
        changed = False
        for c in shape_cands:
            if c.type == "Dataset":
                continue
            after = _LIST_GAP.match(text, c.end)
            before = _LIST_GAP_BEFORE.search(text, max(0, c.start - 8), c.start)
            if (after and starts.get(after.end())) or (before and ends.get(before.start())):
                c.type, c.strength, c.rule = "Dataset", S_CONTEXT, "coordination"
                ends[c.end] = starts[c.start] = True
                changed = True
        if not changed:
            break

    # 7. Hearst lists: "INRs such as COIN and COIN++", "datasets such as X and Y"
    index = None
    for cue in hearst_cues(text):
        head = _HEARST_HEAD.search(text, max(0, cue.start() - 40), cue.start())
        lst = _HEARST_LIST.match(text, cue.end())
        if not head or not lst:
            continue
        index = index or _CandidateIndex(cands, len(text))
        index.sync()
        hs, he = head.span(1)
        head_word = head.group(1).lower()
        htype = _GENERIC_TYPE.get(head_word.rstrip("s")) or _GENERIC_TYPE.get(head_word)
        if htype is None:
            last = index.last_ending_at_or_covering(he, hs)
            htype = last.type if last is not None else None
        if htype is None:
            continue
        for item in _LIST_ITEM.finditer(lst.group(0)):
            s_, e_ = lst.start() + item.start(1), lst.start() + item.end(1)
            word = item.group(1)
            if word in lex.generic_names or word in lex.stop_methods or word.lower() in lex.np_stop:
                continue
            index.sync()
            existing = index.with_span(s_, e_)
            for c in existing:
                if c.type != htype and c.strength <= S_GAZ_CUR and {c.type, htype} <= {"Dataset", "Method"}:
                    c.type, c.strength, c.rule = htype, S_CONTEXT + 1, "such-as"
            if not existing and not _overlaps((s_, e_), taken):
                add(htype, s_, e_, "such-as", S_CONTEXT + 1)
                taken.append((s_, e_))

    return cands, defs


class _CandidateIndex:
    """The candidates of a field by exact span and by the positions they cover, for the Hearst step.

    It asks, for every cue and every list item, about every candidate so far; scanning them made a long text full
    of lists quadratic. ``sync`` indexes the candidates appended since the last call (indices only grow).
    """

    def __init__(self, cands: list[Candidate], length: int):
        self.cands = cands
        self.owner = [-1] * (length + 1)  # position -> index of the last candidate covering it
        self.by_end: dict[int, int] = {}  # end -> index of the last candidate ending there
        self.by_span: dict[tuple[int, int], list[Candidate]] = {}
        self.done = 0

    def sync(self) -> None:
        for i in range(self.done, len(self.cands)):
            c = self.cands[i]
            self.owner[c.start:c.end] = [i] * (c.end - c.start)
            self.by_end[c.end] = i
            self.by_span.setdefault((c.start, c.end), []).append(c)
        self.done = len(self.cands)

    def last_ending_at_or_covering(self, end: int, pos: int) -> Candidate | None:
        """The last candidate with ``c.end == end`` or ``c.start <= pos < c.end``."""
        i = max(self.by_end.get(end, -1), self.owner[pos])
        return self.cands[i] if i >= 0 else None

    def with_span(self, start: int, end: int) -> list[Candidate]:
        return self.by_span.get((start, end), [])


_EVALUATION_WORDS = ("experiment", "evaluat", "benchmark", "dataset", "outperform", "results", "state-of-the-art",
                     "achiev", "accuracy")


def _is_evaluation(sentence: str) -> bool:
    """The sentence reports experiments: a name after "on"/"in" there is a dataset."""
    low = sentence.lower()
    return any(w in low for w in _EVALUATION_WORDS)


_GENERIC_TYPE = {"dataset": "Dataset", "benchmark": "Dataset", "corpus": "Dataset", "corpora": "Dataset",
                 "metric": "Metric", "measure": "Metric", "task": "Task", "model": "Method", "method": "Method",
                 "architecture": "Method", "network": "Method", "baseline": "Method", "approach": "Method",
                 "algorithm": "Method", "technique": "Method", "encoder": "Method", "backbone": "Method",
                 "llm": "Method", "vlm": "Method", "mllm": "Method"}
_HEARST_CUE = re.compile(r"\)?,?\s+(?:such as|including|like|e\.g\.,?|\(e\.g\.,?)\s+")
_HEARST_WORDS = ("such as", "including", "like", "e.g.")  # one of these is in every _HEARST_CUE match


def hearst_cues(text: str) -> list[re.Match]:
    """The matches of ``_HEARST_CUE.finditer(text)``, tried only where one can start.

    ``_HEARST_CUE`` opens with optional characters and whitespace, so ``re`` tries it
    at every character. Every match holds a cue word right after whitespace; from
    each cue word found with ``str.find`` the leftmost start is walked back (the
    whitespace, then an optional "," and ")") and the pattern matched there.

    >>> [m.group(0) for m in hearst_cues("models (e.g., BERT), tasks such as QA, unlike RNNs")]
    [' (e.g., ', ' such as ']
    """
    starts = set()
    for word in _HEARST_WORDS:
        for q in find_all(text, word):
            c = q - 1 if word == "e.g." and q > 0 and text[q - 1] == "(" else q
            w = c
            while w > 0 and text[w - 1].isspace():
                w -= 1
            if w < c:
                if w > 0 and text[w - 1] == ",":
                    w -= 1
                if w > 0 and text[w - 1] == ")":
                    w -= 1
                starts.add(w)
    return matches_at(_HEARST_CUE, text, sorted(starts))


_HEARST_HEAD = re.compile(r"([\w+-]+)$")
_HEARST_LIST = re.compile(r"(?:[A-Z0-9][\w+.-]*(?:\s[A-Z0-9][\w+.-]*)?(?:,\s*|\s+and\s+|\s+or\s+|,\s*and\s+|,\s*or\s+))*"
                          r"[A-Z0-9][\w+.-]*(?:\s[A-Z0-9][\w+.-]*)?")
_LIST_ITEM = re.compile(r"([A-Z0-9][\w+.-]*(?:\s[A-Z0-9][\w+.-]*)?)")


def standalone_words(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of ``words`` standing alone in ``text`` (no ``[\\w-]`` on either side), in text order.

    The spans ``re.finditer(r"(?<![\\w-])(w1|w2|...)(?![\\w-])", text)`` gives, found with one
    ``str.find`` scan per word: a regex alternation tries every word at every position.
    Two standalone words cannot overlap, so the order of ``words`` does not matter.

    >>> standalone_words("image classification, re-ranking and ranking", ["ranking", "classification"])
    [(6, 20), (37, 44)]
    """
    out = []
    n = len(text)
    for w in words:
        for p in find_all(text, w):
            e = p + len(w)
            if (p == 0 or not _is_word_char(text[p - 1])) and (e == n or not _is_word_char(text[e])):
                out.append((p, e))
    out.sort()
    return out


@lru_cache(maxsize=8)
def _sorted_words(words: frozenset) -> tuple[str, ...]:
    return tuple(sorted(words))




def task_phrases(text: str, taken: Sequence[tuple[int, int]], lex: Lexicon | None = None) -> list[tuple[int, int]]:
    """Spans "modifier+ head" for task head nouns ("fold classification", "face editing")."""
    lex = lex or lexicon()
    out = []
    for hs, he in standalone_words(text.translate(ASCII_LOWER), _sorted_words(lex.task_head_nouns)):
        s = extend_left(text, hs, lex.modifiers)
        if s < hs and not _overlaps((s, he), taken):
            adjacent = text[s:hs].split()[-1].lower()
            if _ADJECTIVE.search(adjacent) and adjacent not in lex.modifiers_nounlike:
                continue  # "continuous prediction", "genuine understanding": an adjective, not a task's object
            out.append((s, he))
    return out


_ADJECTIVE = re.compile(r"(?:al|ic|ive|ous|ful|ent|ant|ary|ble|less|ed|ing|ish|ular|ine|ate)$")


def title_candidates(title: str, abstract: str = "", lex: Lexicon | None = None,
                     known: Sequence[tuple[int, int]] = ()) -> list[Candidate]:
    """The paper's own name in its title.

    * the name before a colon ("DSI++: Updating Transformer Memory ...") is the proposed
      method, or an introduced dataset ("X: A Benchmark for ...") or a metric ("X: A Metric ...");
    * a Title Case phrase before " for "/" with "/" via " ("Deep Interest Network for
      Click-Through Rate Prediction") is proposed when the abstract repeats it and it is not
      a known name (``known``: gazetteer spans of the title).
    """
    lex = lex or lexicon()
    out: list[Candidate] = []
    rest = title
    if ":" in title:
        prefix, rest = title.split(":", 1)
        name = prefix.strip()
        c = _colon_name(title, name, rest, abstract, lex)
        if c is not None:
            out.append(c)
    m = _TITLE_SEGMENT.match(rest)
    if m:
        seg = m.group(1).strip()
        words = seg.split()
        if words and words[0].lower() in lex.title_prefix_stop:
            words = words[1:]
            seg = " ".join(words)
        start = title.find(seg, len(title) - len(rest)) if seg else -1
        if 2 <= len(words) <= 6 and start >= 0 and _is_title_case(seg, lex) and (start, start + len(seg)) not in known \
                and _introduced_in(seg, abstract) and not any(c.text == seg for c in out) \
                and head_type(seg, lex, "Method") == "Method" and words[-1].lower() not in lex.non_method_heads:
            out.append(Candidate("Method", "title", start, start + len(seg), seg, "title-for", title, "",
                                 S_PROPOSE, True))
    return out


_INTRO_VERB = r"\b(?:we|our)\s+(?:\w+\s+)?(?:propos|introduc|present|develop|call|term|dub|name)\w*\s+(?:a |an |the )?(?:\w+ )?"
_INTRO_ACRONYM_AFTER = re.compile(r"\s*\([A-Z]", re.IGNORECASE)
_INTRO_VERB_BEFORE = re.compile(_INTRO_VERB + r"\Z", re.IGNORECASE)


def _introduced_in(name: str, abstract: str) -> bool:
    """The abstract introduces ``name``: defines an acronym for it or names it after a propose verb.

    The rule is ``name (X`` or ``we ... propose ... name``, case-insensitive. On ASCII text
    it is tested at each occurrence of ``name`` with two precompiled patterns (a pattern
    built around every title's name cost a regex compile per paper); other text uses the
    equivalent pattern with ``name`` inside.
    """
    if not name or not name.isascii() or not abstract.isascii():
        n = re.escape(name)
        return bool(re.search(n + r"\s*\([A-Z]", abstract, re.IGNORECASE)
                    or re.search(_INTRO_VERB + n, abstract, re.IGNORECASE))
    low, key = abstract.lower(), name.lower()
    p = low.find(key)
    while p != -1:
        if _INTRO_ACRONYM_AFTER.match(abstract, p + len(key)) or _INTRO_VERB_BEFORE.search(abstract, 0, p):
            return True
        p = low.find(key, p + 1)
    return False


_TITLE_SEGMENT = re.compile(r"\s*(.+?)\s+(?:for|with|via|in|to|from|on|towards|by|using)\s")


def _colon_name(title: str, name: str, rest: str, abstract: str, lex: Lexicon) -> Candidate | None:
    words = name.split()
    if not words or len(words) > 4 or words[0].lower() in lex.title_prefix_stop:
        return None
    shaped = any(is_name_shape(w) for w in words)
    if any(w[:1].islower() and w.lower() not in lex.connectors for w in words):
        return None
    if len(words) > 1 and not shaped and not _introduced_in(name, abstract):
        return None  # a multi-word phrase is a name only when the abstract introduces it
    if name in lex.stop_methods or name in lex.generic_names:
        return None
    start = title.index(name)
    first = rest.lower().split()[:5]
    etype = "Dataset" if any(w in first for w in ("dataset", "benchmark", "corpus", "benchmarking")) else "Method"
    if any(w in first for w in ("metric", "measure")):
        etype = "Metric"
    rule = {"Dataset": "introduce-dataset", "Method": "title-colon", "Metric": "title-metric"}[etype]
    strength = S_PROPOSE + 1 if etype != "Method" else S_PROPOSE  # "X: A Benchmark for ..." settles the type
    return Candidate(etype, "title", start, start + len(name), name, rule, title, "", strength, True)
