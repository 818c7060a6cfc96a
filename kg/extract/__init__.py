"""Extract: spaCy rule-based extraction of methods, datasets, metrics, tasks, links and results.

Public entry points: :func:`extract` (papers in, :class:`~kg.models.ExtractionRecord` out,
lazily, in input order), :func:`extract_one` and :func:`make_nlp` (the shared, cached pipeline).

This module stays light: spaCy and the rules load on the first call (from
:mod:`kg.extract.pipeline`), so ``import kg`` and commands that never extract
(``kg query``, ``kg html``) do not pay spaCy's ~2 s import.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..models import ExtractionRecord, Paper

__all__ = ["extract", "extract_one", "make_nlp"]


def make_nlp(model: str | None = None) -> "Language":
    """The extraction pipeline: ``spacy.blank("en")`` (or ``model``) + a fast sentencizer + kg components.

    Built once per process and cached; safe to share.
    """
    from .pipeline import make_nlp as _make_nlp

    # the same cache entry as extract()'s own make_nlp() call: lru_cache keys () and (None,) differ
    return _make_nlp() if model is None else _make_nlp(model)


def extract(papers: Iterable["Paper"], *, batch_size: int = 256, n_process: int = 1,
            nlp: "Language | None" = None) -> Iterator["ExtractionRecord"]:
    """Yield one :class:`~kg.models.ExtractionRecord` per paper, lazily and in input order.

    See :func:`kg.extract.pipeline.extract`; title and abstract go through ``nlp.pipe``
    as two documents per paper, ``batch_size`` documents at a time; ``n_process > 1``
    extracts whole batches in worker processes, with the same output as one process.

    >>> from kg.models import Paper
    >>> rec = next(extract([Paper(id="p1", title="VDR: Retrieval", abstract="We evaluate on BEIR.")]))
    >>> sorted((e.type, e.name, e.role) for e in rec.entities)
    [('Dataset', 'BEIR', 'evaluated'), ('Method', 'VDR', 'proposed')]
    """
    from .pipeline import extract as _extract

    return _extract(papers, batch_size=batch_size, n_process=n_process, nlp=nlp)


def extract_one(paper: "Paper") -> "ExtractionRecord":
    """Extraction record of a single paper."""
    from .pipeline import extract_one as _extract_one

    return _extract_one(paper)
