"""Result tuples: a stated number tied to a metric and, where stated, a dataset.

"achieving an 8.7% improvement in NDCG@10 on the BEIR benchmark" ->
``Result(metric="NDCG@10", dataset="BEIR", value="8.7%", text=...)``.
A number is tied to the nearest metric mention in its sentence (within a few
words), and to the nearest dataset mention of the same sentence when there is one.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterable, NamedTuple, Sequence

from ..models import Entity, Field_, Result
from .rules import Sentences, matches_at

#: a value: signed number with an optional unit (%, x, times), or a range of them ("14-34%", "10x-50x")
VALUE = re.compile(
    r"(?<![\w.@-])([+-]?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:\\?%|x|×|times|\\times|pp|points?))?"
    r"(?:\s?[-–]\s?\d+(?:\.\d+)?(?:\s?(?:\\?%|x|×|times))?)?)(?!\.?[\w@])"
)
MAX_GAP = 60  # characters between a value and its metric
MAX_GAP_PLAIN = 12  # ... when the value is a bare integer ("1000 FPS")
MAX_GAP_DATASET = 100
_YEAR = re.compile(r"(19|20)\d\d")
_PLAIN_INT = re.compile(r"[+-]?\d+(?:,\d{3})*")


_VALUE_START = re.compile(r"[+-](?=\d)|\d")  # where a VALUE match can start: a digit, or a sign before one


def value_matches(text: str) -> list[re.Match]:
    """The matches of ``VALUE.finditer(text)``, tried only where a number starts.

    ``VALUE`` opens with a look-behind, which keeps ``re`` from skipping ahead to
    digits: it is tried at every character. Matching it at each digit (or sign before
    one) in order, past the end of the last match, finds the same matches.

    >>> [m.group(1) for m in value_matches("up 8.7% on GSM8K, 3x faster in 2023, 10-20 pp")]
    ['8.7%', '3x', '2023', '10-20']
    """
    return matches_at(VALUE, text, (c.start() for c in _VALUE_START.finditer(text)))


class Span(NamedTuple):
    start: int
    end: int
    name: str


def _mentions(entities: Iterable[Entity], etype: str, field: str) -> list[Span]:
    return [Span(m.start, m.end, e.name) for e in entities if e.type == etype
            for m in e.mentions if m.field == field]


class _ByStart:
    """Spans looked up by where they start, handed back in their original order (ties keep resolving the same).

    A few dozen spans are filtered in one pass; more are indexed by start, so that a text with thousands of
    numbers and mentions costs O(n log n), not O(n^2).
    """

    INDEX_FROM = 32

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.longest = max((x.end - x.start for x in spans), default=0)
        self.order: list[int] = []
        if len(spans) >= self.INDEX_FROM:
            self.order = sorted(range(len(spans)), key=lambda i: spans[i].start)
            self.starts = [spans[i].start for i in self.order]

    def starting_in(self, lo: int, hi: int) -> list[Span]:
        """The spans with ``lo <= start <= hi``."""
        if not self.order:
            return [x for x in self.spans if lo <= x.start <= hi]
        i, j = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [self.spans[k] for k in sorted(self.order[i:j])]


def _is_value(text: str, m: re.Match) -> bool:
    v = m.group(1)
    if _YEAR.fullmatch(v):
        return False  # a year
    return True


def find_results(text: str, entities: Sequence[Entity], sents: Sentences,
                 field: Field_ = "abstract") -> list[Result]:
    """Numbers tied to a metric mention (and a dataset mention) of the same sentence."""
    metrics = _mentions(entities, "Metric", field)
    if not metrics:
        return []
    datasets = _mentions(entities, "Dataset", field)
    names = _ByStart([Span(m.start, m.end, e.name) for e in entities for m in e.mentions if m.field == field])
    by_metric, by_dataset = _ByStart(metrics), _ByStart(datasets)
    out: list[Result] = []
    seen = set()
    for m in value_matches(text):
        if not _is_value(text, m):
            continue
        vs, ve = m.start(1), m.end(1)
        if any(n.start <= vs < n.end for n in names.starting_in(vs - names.longest, vs)):
            continue  # part of a name: CIFAR-10, GPT-4
        s0, s1 = sents.bounds(vs)
        # a mention within ``gap`` of the value starts at most gap + its length before the value, gap after it
        near = [(min(abs(vs - x.end), abs(x.start - ve)), x)
                for x in by_metric.starting_in(max(s0, vs - MAX_GAP - by_metric.longest), min(s1 - 1, ve + MAX_GAP))]
        plain = _PLAIN_INT.fullmatch(m.group(1)) is not None
        near = [(d, x) for d, x in near if d <= (MAX_GAP_PLAIN if plain else MAX_GAP)]
        if not near:
            continue
        _, metric = min(near, key=lambda t: t[0])
        ds = [(min(abs(vs - x.end), abs(x.start - ve)), x)
              for x in by_dataset.starting_in(max(s0, vs - MAX_GAP_DATASET - by_dataset.longest),
                                              min(s1 - 1, ve + MAX_GAP_DATASET))]
        ds = [(d, x) for d, x in ds if d <= MAX_GAP_DATASET]
        dataset = min(ds, key=lambda t: t[0])[1] if ds else None
        spans = [(vs, ve), (metric.start, metric.end)] + ([(dataset.start, dataset.end)] if dataset else [])
        start = min(s for s, _ in spans)
        end = max(e for _, e in spans)
        key = (metric.name, m.group(1))
        if key in seen:
            continue
        seen.add(key)
        out.append(Result(metric=metric.name, dataset=dataset.name if dataset else None, value=m.group(1),
                          text=text[start:end], field=field, rule="value-near-metric"))
    return out
