"""spaCy pipeline components: thin classes over the pure functions in this package.

* ``kg_sentencizer`` — sentence starts from token arrays (spaCy's sentencizer is slower).
* ``kg_gazetteer`` — PhraseMatchers (case-sensitive ``ORTH`` and ``LOWER``) over
  ``kg/data/gazetteer_*.jsonl``; writes ``doc.user_data["kg_gazetteer"]``:
  ``(label, start_char, end_char, canonical, rule)`` tuples, non-overlapping (longest wins).
  The ``LOWER`` matcher also holds the trigger phrases: token patterns in ``kg/data/patterns.jsonl``
  expanded to phrases ("we propose", "called", "our"); they go to ``doc.user_data["kg_triggers"]``
  as ``(label, start, end)`` token ranges.
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
from spacy.attrs import ORTH, SENT_START
from spacy.tokens import Doc

GAZ_KEY = "kg_gazetteer"
TRIGGER_KEY = "kg_triggers"
#: ``doc.user_data`` key set by ``kg_sentencizer`` for the later steps, saving them a ``Doc.to_array``:
#: character offsets of the sentence starts (a list)
SENT_STARTS_KEY = "kg_sent_starts"


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
    """Phrase matching of known names and of trigger phrases, in one pass of two PhraseMatchers.

    Names: the longest match wins, case-sensitive before lower-case. The trigger
    phrases ("we propose", "called", "our") are lower-case patterns too, so they
    share the ``LOWER`` matcher instead of costing a third pass over every doc.
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer",
                 files: Iterable[tuple[str, str]] = (("gazetteer_orth.jsonl", "ORTH"),
                                                     ("gazetteer_lower.jsonl", "LOWER")),
                 patterns_file: str | None = "patterns.jsonl"):
        self.name = name
        self.matchers = []
        self._keys: dict = {}
        #: match id -> label of the trigger phrases
        self._triggers: dict[int, str] = {}
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
        if patterns_file:
            lower = next(m for m, (_, attr) in zip(self.matchers, files) if attr == "LOWER")
            for row in read_jsonl(patterns_file):
                phrases = [" ".join(seq) for seq in expand_token_pattern(row["pattern"])]
                key = f"{row['label']}|{row['id']}|trigger"
                lower.add(key, list(tokenizer.pipe(phrases)))
                self._triggers[nlp.vocab.strings[key]] = row["label"]

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[GAZ_KEY], doc.user_data[TRIGGER_KEY] = gazetteer_matches(doc, self.matchers, self._keys,
                                                                               self._triggers)
        return doc


def gazetteer_matches(doc: Doc, matchers, keys: dict, triggers: dict | None = None) -> tuple[list, list]:
    """Non-overlapping name matches as (label, start_char, end_char, canonical, rule), and trigger
    matches as (label, start_token, end_token).

    The longest name match wins; on equal length the case-sensitive one (first matcher) wins.
    Trigger phrases (match ids in ``triggers``) are kept apart, all of them, in match order.
    Plain tuples rather than Span objects: this runs on every document.
    """
    found, trig = [], []
    triggers = triggers or {}
    for rank, matcher in enumerate(matchers):
        for match_id, start, end in matcher(doc):
            if match_id in triggers:
                trig.append((triggers[match_id], start, end))
                continue
            info = keys.get(match_id)
            if info is None:
                label, rest = doc.vocab.strings[match_id].split("|", 1)
                canonical, attr = rest.rsplit("|", 1)
                info = keys[match_id] = (label, canonical, "gaz-" + attr.lower())
            found.append((start - end, rank, start, end, info))
    if not found:
        return [], trig
    found.sort()
    taken = bytearray(len(doc) + 1)
    kept = []
    for _, _, start, end, info in found:
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, info))
    kept.sort()
    out = []
    for start, end, (label, canonical, rule) in kept:
        last = doc[end - 1]
        out.append((label, doc[start].idx, last.idx + len(last), canonical, rule))
    return out, trig


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


class FastSentencizer:
    """Sentence boundaries set in one array write; only sentence-final punctuation is visited.

    spaCy's ``sentencizer`` visits every token from Python; this one reads the
    ``ORTH`` column once and looks closer only at ``.``, ``!`` and ``?``: a
    sentence starts after one followed by whitespace, when the next token is
    capitalised, a number or an opening bracket, unless the full stop ends an
    abbreviation ("e.g.", "Fig.").
    """

    END = ("." , "!", "?")
    NO_SPLIT_BEFORE = ("e.g", "i.e", "al", "vs", "Fig", "Figs", "Eq", "Eqs", "cf", "resp", "approx", "Sec", "No",
                       "Tab", "Ref", "Refs", "Dr", "Mr", "Ms", "St", "etc")
    OPENERS = ("(", "[", '"', "'", "“")

    def __init__(self, nlp: Language, name: str = "kg_sentencizer"):
        self.name = name
        strings = nlp.vocab.strings
        self.end_set = {strings.add(t) for t in self.END}
        self.no_split_set = {strings.add(t) for t in self.NO_SPLIT_BEFORE}
        self.openers_set = {strings.add(t) for t in self.OPENERS}

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            return doc
        orth = doc.to_array(ORTH).tolist()
        end_set, heads, starts = self.end_set, [0], [0]
        for i, o in enumerate(orth):
            if o not in end_set or i + 1 >= n or not doc[i].whitespace_:
                continue
            nxt = doc[i + 1]
            if not (nxt.is_title or nxt.is_upper or nxt.is_digit or nxt.like_num or nxt.orth in self.openers_set):
                continue
            if i > 0 and orth[i - 1] in self.no_split_set:
                continue
            heads.append(i + 1)
            starts.append(nxt.idx)
        flags = numpy.full(n, -1, dtype="int64")
        flags[heads] = 1
        doc.from_array([SENT_START], flags.reshape(-1, 1).astype("uint64"))
        doc.user_data[SENT_STARTS_KEY] = starts
        return doc


_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])")
_NO_SPLIT = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Figs|Eq|Eqs|cf|resp|approx|Sec|No|Tab|Ref|Refs|Dr|Mr|Ms|St)\.|\b[A-Z]\.)$")


def sentence_char_starts(text: str) -> list[int]:
    """Character offsets where a new sentence starts (after the first): the same rule on plain text."""
    out = []
    for m in _SENT_END.finditer(text):
        if _NO_SPLIT.search(text, max(0, m.start() - 8), m.start()):
            continue
        out.append(m.end())
    return out


@Language.factory("kg_sentencizer", default_config={})
def make_sentencizer(nlp: Language, name: str) -> FastSentencizer:
    return FastSentencizer(nlp, name)


@Language.factory("kg_gazetteer", default_config={})
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)
