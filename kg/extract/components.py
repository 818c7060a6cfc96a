"""spaCy pipeline components: thin classes over the pure functions in this package.

* ``kg_gazetteer`` — PhraseMatchers (case-sensitive ``ORTH`` and ``LOWER``) over
  ``kg/data/gazetteer_*.jsonl``; writes ``doc.spans["kg_gazetteer"]``.
* ``kg_triggers`` — a Matcher over ``kg/data/patterns.jsonl`` ("we propose",
  "called", "our"); writes ``doc.spans["kg_triggers"]``.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Iterable

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans

GAZ_KEY = "kg_gazetteer"
TRIGGER_KEY = "kg_triggers"


def read_jsonl(name: str) -> list[dict]:
    """Rows of a JSONL data file shipped in ``kg/data``."""
    text = resources.files("kg.data").joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Gazetteer:
    """Phrase matching of known names; the longest match wins, case-sensitive before lower-case."""

    def __init__(self, nlp: Language, name: str = "kg_gazetteer",
                 files: Iterable[tuple[str, str]] = (("gazetteer_orth.jsonl", "ORTH"),
                                                     ("gazetteer_lower.jsonl", "LOWER"))):
        self.name = name
        self.matchers = []
        self.canonical: dict[str, str] = {}
        for fname, attr in files:
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            rows = read_jsonl(fname)
            by_label: dict[str, list] = {}
            texts = [r["pattern"] for r in rows]
            for row, doc in zip(rows, nlp.tokenizer.pipe(texts, batch_size=1000)):
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


class Triggers:
    """Token patterns for the contextual rules."""

    def __init__(self, nlp: Language, name: str = "kg_triggers", patterns_file: str = "patterns.jsonl"):
        self.name = name
        self.matcher = Matcher(nlp.vocab)
        for row in read_jsonl(patterns_file):
            self.matcher.add(f"{row['label']}|{row['id']}", [row["pattern"]], greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
            label, rule = doc.vocab.strings[match_id].split("|", 1)
            spans.append(Span(doc, start, end, label=label, span_id=rule))
        doc.spans[TRIGGER_KEY] = SpanGroup(doc, name=TRIGGER_KEY, spans=spans)
        return doc


@Language.factory("kg_gazetteer", default_config={})
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)


@Language.factory("kg_triggers", default_config={})
def make_triggers(nlp: Language, name: str) -> Triggers:
    return Triggers(nlp, name)
