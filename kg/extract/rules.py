"""Contextual rules: the pure functions behind the pipeline components.

Each function takes plain text or a tokenised ``Doc`` plus the matches of the
earlier components and returns plain tuples, so it can be tested on sentences
written for the test and reused outside spaCy.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from functools import lru_cache
from importlib import resources
from typing import Callable, Iterable, Iterator, NamedTuple

from spacy.attrs import IDX, SENT_START


URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'{}|\\^`]+|\b(?:github\.com|gitlab\.com)/[^\s<>\"'{}|\\^`]+",
                 re.IGNORECASE)
CODE_HOSTS = ("github.com/", "gitlab.com/", "bitbucket.org/", "huggingface.co/", "codeberg.org/", "sourceforge.net/")
_SCHEME = re.compile(r"^https?://(www\.)?")
_LETTER_DIGIT = re.compile(r"[A-Za-z]\d+[A-Za-z]|[A-Z][a-z]*\d")
_DOTTED_VERSION = re.compile(r"[^.]+(?:\.\d+)+")
_PART_SPLIT = re.compile(r"[-/]")
_CITATION_KEY = re.compile(r"[a-z]{2,}(?:19|20)\d\d[a-z]{2,}")
_NUMBERISH = re.compile(r"\d+(\.\d+)?[a-zA-Z]?")
_TIMES = re.compile(r"\d+[xX×](?:-\d+[xX×])?")
_WS_SPLIT = re.compile(r"[\s]+")
#: name-shaped words: CamelCase (InfoGAN, nuScenes), ALL-CAPS (BERT), letters with digits (GPT-4, wav2vec),
#: joined by - + . ^ inside (MM-LoRA, DSI++, BT^2); optionally a version number after a space (wav2vec 2.0)
SHAPE = re.compile(
    r"(?<![\w@#/.\-])"
    r"(?=[\w+.^/-]*(?:[A-Z][\w+.^/-]*[A-Z]|[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]))"
    r"((?:[A-Za-z0-9]+(?:[-+.^/][A-Za-z0-9]+)*\+*))"
    r"(?:\s(v?\d+(?:\.\d+)+|v\d+|\d+(?:\.\d+)?[BMK]?))?"
    r"(?![\w@])"
)


class Lexicon(NamedTuple):
    np_skip: frozenset
    np_stop: frozenset
    connectors: frozenset
    dataset_words: frozenset
    dataset_heads: frozenset
    task_heads: frozenset
    metric_heads: frozenset
    method_heads: frozenset
    title_prefix_stop: frozenset
    eval_words: frozenset
    generic_names: frozenset
    task_head_nouns: frozenset
    non_method_heads: frozenset
    eval_prepositions: frozenset
    not_eval_before_on: frozenset
    adjectival_suffixes: frozenset
    stop_methods: frozenset
    modifiers: frozenset
    dataset_names: frozenset
    stop_tasks: frozenset
    variant_suffixes: frozenset
    modifiers_nounlike: frozenset


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Closed word lists from ``kg/data/lexicon.json`` and ``kg/data/curated/stop_methods.txt``."""
    data = json.loads(resources.files("kg.data").joinpath("lexicon.json").read_text(encoding="utf-8"))
    stop = resources.files("kg.data").joinpath("curated/stop_methods.txt").read_text(encoding="utf-8")
    stops = frozenset(s.strip() for s in stop.splitlines() if s.strip() and not s.startswith("#"))
    fields = {k: frozenset(v) for k, v in data.items() if not k.startswith("_")}
    mods = resources.files("kg.data").joinpath("modifiers.txt").read_text(encoding="utf-8").split()
    datasets = set()
    for line in resources.files("kg.data").joinpath("gazetteer_orth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] == "Dataset":
            datasets.add(row["pattern"])
    stop_text = resources.files("kg.data").joinpath("curated/stop_tasks.txt").read_text(encoding="utf-8")
    stop_tasks = frozenset(s.strip().lower() for s in stop_text.splitlines() if s.strip() and not s.startswith("#"))
    return Lexicon(stop_methods=stops, modifiers=frozenset(mods), dataset_names=frozenset(datasets),
                   stop_tasks=stop_tasks, **fields)


# ---------------------------------------------------------------- links

def classify_url(url: str) -> str:
    """``code`` for repository hosts (not their ``*.github.io`` pages or HF datasets), else ``project``."""
    low = url.lower()
    low = _SCHEME.sub("", low)
    if low.startswith("huggingface.co/"):
        rest = low[len("huggingface.co/"):]
        return "project" if rest.startswith(("spaces/", "datasets/", "papers/", "blog/")) else "code"
    return "code" if low.startswith(CODE_HOSTS) else "project"


_URL_STARTS = ("http", "www.", "github.com/", "gitlab.com/")  # each URL match starts with one (any case)
#: lower-cases ASCII letters only, so offsets in the result are those of the original
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def find_all(text: str, needle: str) -> Iterator[int]:
    """Every start of ``needle`` in ``text``, overlapping ones included (``str.find`` in a loop)."""
    p = text.find(needle)
    while p != -1:
        yield p
        p = text.find(needle, p + 1)


def matches_at(pattern: re.Pattern, text: str, starts: Iterable[int]) -> list[re.Match]:
    """``pattern.match`` at each of ``starts`` (ascending), skipping those inside an earlier match.

    When every match of ``pattern`` begins at one of ``starts``, this is
    ``list(pattern.finditer(text))``: the scanners below use it for patterns that
    ``re`` would otherwise try at every character (a leading look-behind or optional
    part keeps it from skipping ahead). ``re`` still sees the characters before each
    start, so look-behinds and ``\\b`` hold as in a search.

    >>> [m.group() for m in matches_at(re.compile(r"(?<!\\w)\\d+"), "a1 22 333", [1, 3, 4, 6])]
    ['22', '333']
    """
    out, end = [], 0
    for p in starts:
        if p < end:
            continue
        m = pattern.match(text, p)
        if m:
            out.append(m)
            end = m.end()
    return out


def _url_matches(text: str) -> list[re.Match]:
    """The matches of ``URL.finditer(text)``, tried only where a URL can start.

    A case-insensitive search of the whole text is slow; on ASCII text the few places
    that start like a URL are found with ``str.find``.
    """
    if not text.isascii():
        return list(URL.finditer(text))
    low = text.translate(ASCII_LOWER)
    return matches_at(URL, text, sorted({p for prefix in _URL_STARTS for p in find_all(low, prefix)}))


def find_links(text: str) -> list[tuple[int, int, str, str]]:
    """URLs as written, minus trailing sentence punctuation: (start, end, url, kind)."""
    out: list[tuple[int, int, str, str]] = []
    if "://" not in text:
        low = text.lower()
        if "www." not in low and ".com/" not in low:
            return out  # every URL match holds one of these (case-insensitive); most abstracts have none
    for m in _url_matches(text):
        url = m.group(0)
        while url and url[-1] in ".,;:!?'\"":
            url = url[:-1]
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1]
        while url.endswith("]") and url.count("]") > url.count("["):
            url = url[:-1]
        while url.endswith("}") and url.count("}") > url.count("{"):
            url = url[:-1]
        if len(url) > 8:
            out.append((m.start(), m.start() + len(url), url, classify_url(url)))
    return out


# ---------------------------------------------------------------- shapes

_UNIT = re.compile(r"\d+(?:\.\d+)?(?:[kKMBGT]?B|[kKMGT]|ms|s|h|m|min|px|x|X|times|bit|bits|fps|FPS|Hz|kHz|GHz|D|d|st|nd|rd|th|K)$")


def _part_is_name(part: str) -> bool:
    letters = [c for c in part if c.isalpha()]
    if not letters:
        return False
    if part[0].isdigit() and sum(c.isupper() for c in part) < 3:
        return False  # "3times", "4MP", "6DoF": numbers with units; "3DGS" is a name
    if _UNIT.fullmatch(part):
        return False
    core = part[:-1] if len(part) > 2 and part.endswith("s") else part
    if sum(c.isupper() for c in core) >= 2:
        return True
    if any(c.isupper() for c in part[1:]):
        return True
    # letters around a digit: wav2vec, n2c2, seq2seq, Qwen2, GPT4o
    return bool(_LETTER_DIGIT.search(part))


@lru_cache(maxsize=65536)
def is_name_shape(word: str, suffixes: frozenset = frozenset()) -> bool:
    """A word whose shape marks a name: inner capital, two capitals, or letters mixed with digits.

    Hyphenated words are judged part by part ("Language-Inspired" is not a name, "MM-LoRA" is);
    a name with an adjectival suffix ("LLM-based") is not itself a name.
    """
    if "." in word and not _DOTTED_VERSION.fullmatch(word):
        return False  # "U.S", "framework.The"; but "Qwen2.5"
    parts = [p for p in _PART_SPLIT.split(word) if p]
    if not parts:
        return False
    if len(parts) > 1 and parts[-1].lower() in suffixes:
        return False
    if all(_NUMBERISH.fullmatch(p) for p in parts):
        return False
    if _TIMES.fullmatch(word):
        return False
    if _CITATION_KEY.fullmatch(word):
        return False  # a BibTeX key left in the text ("vaswani2017attention"): author, year, title word
    return any(_part_is_name(p.rstrip("+^")) for p in parts)


#: the rest of a run of ``[\\w+.^/-]`` from its first capital or digit: every SHAPE look-ahead
#: alternative needs one, and a pattern that starts with a character class is searched for quickly
#: runs whose first capital starts the run and is their only capital or digit ("The", "We", "Our-based")
#: fit no look-ahead alternative and are passed over: the first capital or digit must follow a run character,
#: be followed by another capital or digit in the run, or be a digit
_CAP_RUN = re.compile(r"[A-Z\d](?:(?<=[\w+.^/-][A-Z\d])|(?=[\w+.^/-]*[A-Z\d])|(?<=\d))[\w+.^/-]*")
_RUN_CHARS = frozenset("_+.^/-")


def shape_matches(text: str) -> list[re.Match]:
    """The matches of ``SHAPE.finditer(text)``, found faster.

    ``SHAPE`` is tried only where it can start: in a run of ``[\\w+.^/-]`` holding a
    capital or a digit, at the run's start or just after a ``+``/``^`` inside it (the
    only places its look-behind allows). Lower-case words are never visited.

    >>> [m.group(1) for m in shape_matches("we train BERT and wav2vec 2.0 on data")]
    ['BERT', 'wav2vec']
    """
    out = []
    pos = 0
    for cap in _CAP_RUN.finditer(text):
        rs, re_ = cap.span()
        if re_ <= pos:
            continue
        while rs > 0 and (text[rs - 1].isalnum() or text[rs - 1] in _RUN_CHARS):
            rs -= 1
        starts = [rs] if rs == 0 or text[rs - 1] not in "@#" else []
        if "+" in text[rs:re_ - 1] or "^" in text[rs:re_ - 1]:
            starts += [i + 1 for i in range(rs, re_ - 1) if text[i] in "+^"]
        for st in starts:
            if st < pos:
                continue
            m = SHAPE.match(text, st)
            if m:
                out.append(m)
                pos = m.end()
    return out


def find_shapes(text: str, suffixes: frozenset = frozenset()) -> list[tuple[int, int, str]]:
    """Name-shaped words with an optional version number: (start, end, text)."""
    out = []
    for m in shape_matches(text):
        word = m.group(1)
        if not is_name_shape(word, suffixes):
            continue
        end = m.end(2) if m.group(2) else m.end(1)
        out.append((m.start(1), end, text[m.start(1):end]))
    return out


# ---------------------------------------------------------------- sentences

def sentence_starts(doc) -> list[int]:
    """Character offsets where the doc's sentences start (fast: array access, no Span objects)."""
    if len(doc) == 0:
        return [0]
    starts = doc.user_data.get("kg_sent_starts")  # kg_sentencizer's, when it set the boundaries
    if starts is None:
        arr = doc.to_array([SENT_START, IDX])
        starts = arr[arr[:, 0] == 1, 1].tolist()
    return starts if starts and starts[0] == 0 else [0] + starts


class Sentences:
    """Sentence lookup by character offset."""

    def __init__(self, text: str, starts: list[int]):
        self.text = text
        self.starts = starts or [0]
        self._sentence: dict[int, str] = {}  # sentence start -> its stripped text: most mentions share a sentence
        self._known: dict[tuple, object] = {}  # (sentence start, question) -> answer: asked once per sentence

    def bounds(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.starts, pos) - 1
        start = self.starts[max(i, 0)]
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return start, end

    def of(self, pos: int) -> str:
        s, e = self.bounds(pos)
        sentence = self._sentence.get(s)
        if sentence is None:
            sentence = self._sentence[s] = self.text[s:e].strip()
        return sentence

    def holds(self, pos: int, test: Callable[[str], object]) -> bool:
        """``bool(test(sentence))`` for the sentence at ``pos``, worked out once per sentence and test.

        Rules ask it of every mention; asked afresh, a sentence as long as the text made them quadratic.
        """
        key = (self.bounds(pos)[0], test)
        answer = self._known.get(key)
        if answer is None:
            answer = self._known[key] = bool(test(self.of(pos)))
        return answer  # type: ignore[return-value]

    def first_match_end(self, pattern: re.Pattern, pos: int) -> int | None:
        """Where the leftmost match of ``pattern`` in the (unstripped) sentence at ``pos`` ends, or None."""
        s, e = self.bounds(pos)
        key = (s, pattern)
        if key not in self._known:
            m = pattern.search(self.text[s:e])
            self._known[key] = s + m.end() if m else None
        return self._known[key]  # type: ignore[return-value]


# ---------------------------------------------------------------- typing heuristics

def head_type(phrase: str, lex: Lexicon, default: str = "Method") -> str:
    """Type of a spelled-out name from its last word ("... Semantic Segmentation" -> Task)."""
    words = _WS_SPLIT.split(phrase.strip())
    last = words[-1].lower() if words else ""
    last_part = last.split("-")[-1]
    if last in lex.dataset_heads or last.rstrip("s") in lex.dataset_heads:
        return "Dataset"
    if last_part in lex.metric_heads or last in lex.metric_heads:
        return "Metric"
    if last_part in lex.task_heads or last in lex.task_heads:
        return "Task"
    return default


def looks_like_name(tok_text: str, lex: Lexicon) -> bool:
    """A token that can start or continue a proper name: capitalised or name-shaped."""
    if tok_text in lex.generic_names:
        return False
    return (tok_text[:1].isupper() or is_name_shape(tok_text)) and any(c.isalpha() for c in tok_text)


METRIC_AT = re.compile(r"(?<![\w@])((?:[A-Z][a-z]+ )?[A-Za-z][A-Za-z0-9-]*@(?:\d+|[kKN]))(?![\w@])")


def find_metric_shapes(text: str) -> list[tuple[int, int, str]]:
    """Metric names written with a cut-off: NDCG@10, Recall@K, pass@1."""
    if "@" not in text:
        return []
    return [(m.start(1), m.end(1), m.group(1)) for m in METRIC_AT.finditer(text)]


_WORD_BEFORE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)\s+$")


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def extend_left(text: str, start: int, words: frozenset, limit: int = 3) -> int:
    """New start after taking up to ``limit`` modifier words just before ``start``.

    Each step takes the word that ``_WORD_BEFORE.search(text, max(0, new - 40), new)``
    would find (an ASCII word, inner hyphens allowed, then whitespace up to ``new``,
    within 40 characters), scanning back from ``new`` instead of searching the window.

    >>> text = "robust zero-shot image classification"
    >>> text[extend_left(text, text.index("classification"), frozenset({"image", "zero-shot"})):]
    'zero-shot image classification'
    """
    new = start
    for _ in range(limit):
        lo = max(0, new - 40)
        i = new
        while i > lo and text[i - 1].isspace():
            i -= 1
        if i == new:
            break
        j = i
        while j > lo and text[j - 1] in _WORD_CHARS:
            j -= 1
        while j < i and text[j] == "-":
            j += 1
        if j == i or text[j:i].lower() not in words:
            break
        new = j
    return new
