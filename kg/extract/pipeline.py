"""The extraction pipeline behind :mod:`kg.extract` (which imports this module lazily).

:func:`extract` (papers in, :class:`~kg.models.ExtractionRecord` out, lazily, in
input order) and :func:`make_nlp` (the shared, cached pipeline).

Title and abstract are tokenised as separate docs (a newline inside a text makes
spaCy's tokenizer several times slower), so every offset is relative to its field.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain, islice

import spacy
from spacy.language import Language

from ..models import ExtractionRecord, Link, Paper
from ..resolve import resolve
from . import components  # noqa: F401  (registers the factories)
from .candidates import S_GAZ_REF, field_candidates, title_candidates
from .components import GAZ_KEY, TRIGGER_KEY
from .results import find_results
from .rules import Sentences, find_links, lexicon, sentence_starts

__all__ = ["extract", "extract_one", "make_nlp"]


@lru_cache(maxsize=None)
def make_nlp(model: str | None = None) -> Language:
    """The extraction pipeline: ``spacy.blank("en")`` (or ``model``) + a fast sentencizer + kg components.

    Built once per process and cached; safe to share.
    """
    nlp = spacy.load(model) if model else spacy.blank("en")
    if "sentencizer" not in nlp.pipe_names and "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
        nlp.add_pipe("kg_sentencizer")
    nlp.add_pipe("kg_gazetteer")  # names and trigger phrases
    return nlp


_SAME_LENGTH = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "~": " ", "\u00a0": " "})


def _field_texts(paper: Paper) -> tuple[str, str]:
    """Title and abstract with newlines (slow for the tokenizer) and LaTeX ``~`` blanked, offsets unchanged."""
    return paper.title.translate(_SAME_LENGTH), paper.abstract.translate(_SAME_LENGTH)


#: longest run without a space the tokenizer gets; spaCy strips prefixes and suffixes one at a time and searches
#: the rest of the chunk for a suffix each time, so a chunk of n brackets or quotes costs O(n^2) (30,000 "(" took
#: 150 s; see benchmarks/bench_hostile.py)
MAX_CHUNK = 100


def _tokenizer_text(text: str, limit: int = MAX_CHUNK) -> str:
    """``text`` with a space put into every run of more than ``limit`` non-space characters, every ``limit`` characters.

    The length and every other character stay, so offsets into the doc are offsets into ``text``. Words are far
    shorter; such a run is a URL (links are found in the untouched text), a long slash-joined list, or an attack,
    and at worst a name across a cut is missed. Each step looks at one window of ``limit + 1`` characters with
    ``str.rfind``: a few steps per abstract.

    >>> _tokenizer_text("ab " + "(" * 7 + " c", limit=3)
    'ab ((( ((  c'
    """
    p, n = 0, len(text)
    pieces, done = [], 0
    while n - p > limit:
        q = text.rfind(" ", p, p + limit + 1)
        if q != -1:
            p = q + 1
            continue
        end = text.find(" ", p)
        end = n if end == -1 else end
        for cut in range(p + limit, end, limit):
            pieces += (text[done:cut], " ")
            done = cut + 1
        p = end
    return "".join(pieces) + text[done:] if pieces else text


def _gaz_tuples(doc) -> list[tuple]:
    """Gazetteer matches as (label, start_char, end_char, canonical, rule, strength)."""
    return [(label, s, e, canonical, rule, S_GAZ_REF) for label, s, e, canonical, rule in doc.user_data.get(GAZ_KEY, ())]


def _record(paper: Paper, title_doc, abstract_doc, texts: tuple[str, str] | None = None) -> ExtractionRecord:
    lex = lexicon()
    cands, defs, links = [], [], []
    title_text, abstract_text = texts or _field_texts(paper)
    title_cands, own_names = [], []
    abstract_sents = Sentences(abstract_text, [0])
    for field, doc, text in (("title", title_doc, title_text), ("abstract", abstract_doc, abstract_text)):
        gaz = _gaz_tuples(doc)
        if field == "title":
            title_known = [(g[1], g[2]) for g in gaz]
            title_cands = title_candidates(title_text, abstract_text, lex, title_known)
            own_names = [c.text for c in title_cands if c.type == "Method"]
        trig = [tuple(t) for t in doc.user_data.get(TRIGGER_KEY, ())]
        sents = Sentences(text, sentence_starts(doc))
        abstract_sents = sents
        c, d = field_candidates(doc, field, gaz, trig, lex, text=text, sents=sents, own_names=own_names)
        cands += c
        defs += d
        for s, e, url, kind in find_links(text):
            links.append(Link(url=url, kind=kind, field=field, sentence=sents.of(s)))
    cands += title_cands
    originals = {"title": paper.title, "abstract": paper.abstract}
    for c in cands:
        c.text = originals[c.field][c.start:c.end]
    for d in defs:
        d.long = originals[d.field][d.long_start:d.long_end]
        d.short = originals[d.field][d.short_start:d.short_end]
    entities = resolve(cands, defs)
    results = find_results(abstract_text, entities, abstract_sents, "abstract")
    seen, uniq = set(), []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            uniq.append(link)
    return ExtractionRecord(id=paper.input_id or paper.id, title=paper.title, entities=entities,
                            links=uniq, results=results)


def extract(papers: Iterable[Paper], *, batch_size: int = 256, n_process: int = 1,
            nlp: Language | None = None) -> Iterator[ExtractionRecord]:
    """Yield one :class:`ExtractionRecord` per paper, lazily and in input order.

    Title and abstract go through ``nlp.pipe`` as two documents per paper, ``batch_size``
    documents at a time. With ``n_process > 1`` whole batches of papers are extracted in
    worker processes (the rules, not the tokenizer, are most of the work), a few batches
    ahead at most, and the records come back in input order, the same as with one process.
    The record ``id`` is the input's id when it had one.

    >>> from kg.models import Paper
    >>> rec = next(extract([Paper(id="p1", title="VDR: Retrieval", abstract="We evaluate on BEIR.")]))
    >>> sorted((e.type, e.name, e.role) for e in rec.entities)
    [('Dataset', 'BEIR', 'evaluated'), ('Method', 'VDR', 'proposed')]
    """
    it = iter(papers)
    first = next(it, None)
    if first is None:
        return  # nothing to extract: do not pay for loading the pipeline
    papers = chain([first], it)
    if n_process is not None and n_process > 1 and nlp is None:
        yield from _extract_parallel(papers, batch_size=batch_size, n_process=n_process)
        return
    workers = n_process if nlp is not None else 1  # a caller's own pipeline parallelises through spaCy
    nlp = nlp or make_nlp()
    pending: deque[tuple[Paper, tuple[str, str]]] = deque()

    def texts() -> Iterator[str]:
        for paper in papers:
            fields = _field_texts(paper)
            pending.append((paper, fields))
            yield _tokenizer_text(fields[0])
            yield _tokenizer_text(fields[1])

    docs = nlp.pipe(texts(), batch_size=batch_size, n_process=workers)
    for title_doc in docs:
        abstract_doc = next(docs)
        paper, fields = pending.popleft()
        yield _record(paper, title_doc, abstract_doc, fields)


#: papers sent to a worker at a time: small enough to spread a short input over every worker
CHUNK_SIZE = 64


def _extract_batch(batch: list[Paper]) -> list[ExtractionRecord]:
    """Worker side of :func:`extract` with several processes."""
    return list(extract(batch, batch_size=max(len(batch), 1)))


def _extract_parallel(papers: Iterable[Paper], *, batch_size: int, n_process: int) -> Iterator[ExtractionRecord]:
    """Whole chunks of papers extracted in worker processes; records in input order.

    At most ``2 * n_process`` chunks are in flight, so the input is still read
    lazily. Workers ignore SIGINT: Ctrl-C interrupts the parent, which stops them.
    Nothing is loaded when there is nothing to extract.
    """
    it = iter(papers)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if ctx.get_start_method() == "fork":
        make_nlp()  # built once here; forked workers share it
    size = max(1, min(batch_size, CHUNK_SIZE))
    window: deque = deque()
    with _quiet_pool(ctx, n_process) as pool:
        for chunk in iter(lambda: list(islice(it, size)), []):
            window.append(pool.apply_async(_extract_batch, (chunk,)))
            if len(window) >= 2 * n_process:
                yield from window.popleft().get()
        while window:
            yield from window.popleft().get()


@contextlib.contextmanager
def _quiet_pool(ctx, jobs: int):
    """A process pool whose workers ignore SIGINT, even one sent while they start."""
    blockable = hasattr(signal, "pthread_sigmask")
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blockable else None
    try:
        pool = ctx.Pool(jobs, initializer=_worker_init)
    finally:
        if blockable:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a Ctrl-C held meanwhile reaches us now
    with pool:
        yield pool


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def extract_one(paper: Paper) -> ExtractionRecord:
    """Extraction record of a single paper."""
    return next(extract([paper]))
