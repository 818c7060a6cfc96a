"""spaCy pipeline components: thin classes over the pure functions in this package.

* ``kg_gazetteer`` — PhraseMatchers (case-sensitive ``ORTH`` and ``LOWER``) over
  ``kg/data/gazetteer_*.jsonl``; writes ``doc.spans["kg_gazetteer"]``.
* ``kg_triggers`` — token patterns in ``kg/data/patterns.jsonl``, expanded to phrases ("we propose",
  "called", "our"); writes ``doc.spans["kg_triggers"]``.
"""
from __future__ import annotations

import json
import re

import numpy
from importlib import resources
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.attrs import IDX, SENT_START
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans

GAZ_KEY = "kg_gazetteer"
TRIGGER_KEY = "kg_triggers"


def read_jsonl(name: str) -> list[dict]:
    """Rows of a JSONL data file shipped in ``kg/data``."""
    text = resources.files("kg.data").joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def pattern_tokenizer(nlp: Language):
    """A fresh tokenizer of the same language for building patterns.

    Tokenising thousands of patterns with the pipeline's own tokenizer defeats its
    cache (spaCy 3.8), making every later document several times slower; matching
    works on string hashes, so patterns made by a twin tokenizer match the same.
    """
    return spacy.blank(nlp.lang).tokenizer


class Gazetteer:
    """Phrase matching of known names; the longest match wins, case-sensitive before lower-case."""

    def __init__(self, nlp: Language, name: str = "kg_gazetteer",
                 files: Iterable[tuple[str, str]] = (("gazetteer_orth.jsonl", "ORTH"),
                                                     ("gazetteer_lower.jsonl", "LOWER"))):
        self.name = name
        self.matchers = []
        tokenizer = pattern_tokenizer(nlp)
        for fname, attr in files:
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            rows = read_jsonl(fname)
            by_label: dict[str, list] = {}
            texts = [r["pattern"] for r in rows]
            for row, doc in zip(rows, tokenizer.pipe(texts, batch_size=1000)):
                key = f"{row['label']}|{row['id']}|{attr}"
                by_label.setdefault(key, []).append(doc)
            for key, docs in by_label.items():
                matcher.add(key, docs)
            self.matchers.append(matcher)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for matcher in self.matchers:
            for match_id, start, end in matcher(doc):
                key = doc.vocab.strings[match_id]
                label, rest = key.split("|", 1)
                canonical, attr = rest.rsplit("|", 1)
                spans.append(Span(doc, start, end, label=label, kb_id=canonical, span_id="gaz-" + attr.lower()))
        # longest wins; on equal length the case-sensitive match (sorted first) wins
        spans.sort(key=lambda s: (s.id_ != "gaz-orth"))
        doc.spans[GAZ_KEY] = SpanGroup(doc, name=GAZ_KEY, spans=filter_spans(spans))
        return doc


def expand_token_pattern(pattern: list[dict]) -> list[list[str]]:
    """All word sequences a simple token pattern matches (``LOWER`` equality or ``IN``, ops ``?``/``*``).

    ``*`` is read as "at most once", which is what the trigger patterns need; the
    expansion lets a PhraseMatcher do the work of a slower Matcher with set predicates.
    """
    seqs: list[list[str]] = [[]]
    for tok in pattern:
        value = tok["LOWER"]
        options = value["IN"] if isinstance(value, dict) else [value]
        optional = tok.get("OP") in ("?", "*")
        new = [seq + [o] for seq in seqs for o in options]
        seqs = new + (seqs if optional else [])
    return [seq for seq in seqs if seq]


class Triggers:
    """Contextual trigger phrases ("we propose", "called", "our"), from token patterns in the data file."""

    def __init__(self, nlp: Language, name: str = "kg_triggers", patterns_file: str = "patterns.jsonl"):
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for row in read_jsonl(patterns_file):
            phrases = [" ".join(seq) for seq in expand_token_pattern(row["pattern"])]
            self.matcher.add(f"{row['label']}|{row['id']}", list(pattern_tokenizer(nlp).pipe(phrases)))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            label, rule = doc.vocab.strings[match_id].split("|", 1)
            spans.append(Span(doc, start, end, label=label, span_id=rule))
        doc.spans[TRIGGER_KEY] = SpanGroup(doc, name=TRIGGER_KEY, spans=spans)
        return doc


class FastSentencizer:
    """Sentence boundaries from a regex over the text, set in one array write.

    spaCy's ``sentencizer`` visits every token from Python; on abstracts this one
    does the same job several times faster. Boundaries: ``.``, ``!`` or ``?``
    (plus closing quotes/brackets), whitespace, then a capital, digit or opening
    bracket — except after abbreviations such as "e.g." or "et al.".
    """

    def __init__(self, name: str = "kg_sentencizer"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        starts = sentence_char_starts(doc.text)
        arr = doc.to_array([IDX])
        flags = numpy.full(len(doc), -1, dtype="int32")
        flags[0] = 1
        if starts:
            idx = numpy.searchsorted(arr, numpy.asarray(starts, dtype=arr.dtype))
            idx = idx[(idx > 0) & (idx < len(doc))]
            flags[idx] = 1
        doc.from_array([SENT_START], flags.reshape(-1, 1).astype("uint64"))
        return doc


_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")
_NO_SPLIT = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Figs|Eq|Eqs|cf|resp|approx|Sec|No|Tab|Ref|Refs|Dr|Mr|Ms|St)\.|\b[A-Z]\.)$")


def sentence_char_starts(text: str) -> list[int]:
    """Character offsets where a new sentence starts (after the first)."""
    out = []
    for m in _SENT_END.finditer(text):
        if _NO_SPLIT.search(text, max(0, m.start() - 8), m.start()):
            continue
        out.append(m.end())
    return out


@Language.factory("kg_sentencizer", default_config={})
def make_sentencizer(nlp: Language, name: str) -> FastSentencizer:
    return FastSentencizer(name)


@Language.factory("kg_gazetteer", default_config={})
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)


@Language.factory("kg_triggers", default_config={})
def make_triggers(nlp: Language, name: str) -> Triggers:
    return Triggers(nlp, name)
