"""kg: knowledge graphs of machine-learning papers from paper listings.

The pipeline runs one way: :mod:`kg.read` -> :mod:`kg.extract` -> :mod:`kg.resolve`
-> :mod:`kg.graph` -> :mod:`kg.export`. The Python API mirrors the command line::

    import kg
    summary = kg.build(["listing.txt"], "out")      # kg build listing.txt --out out
    records = list(kg.extract(kg.read_papers(["papers.jsonl"])))
    graph = kg.load_graph("out")                      # networkx.MultiDiGraph

Note that ``kg.extract`` is the function; the subpackage of the same name is
reached with ``from kg.extract import ...``.
"""
from __future__ import annotations

from .errors import InputError, KgError, ServiceUnavailable
from .graph import load_graph, to_networkx
from .read import read_papers

from .extract import extract as _extract_fn  # noqa: E402  (binds the function over the subpackage name)
from .pipeline import build

extract = _extract_fn

__all__ = [
    "build",
    "extract",
    "load_graph",
    "to_networkx",
    "read_papers",
    "KgError",
    "InputError",
    "ServiceUnavailable",
]
