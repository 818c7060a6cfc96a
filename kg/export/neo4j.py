"""``kg neo4j push``: load a built graph (or inputs, built on the fly) into Neo4j, idempotently."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import networkx as nx

from ..db.bolt import BoltBackend
from ..db.load import LoadSummary, load_graph_into
from ..errors import InputError
from ..graph import load_graph


@dataclass
class PushSummary:
    """What a push did; ``str()`` is the line ``kg neo4j push`` prints."""

    uri: str
    database: Optional[str]
    load: LoadSummary = field(default_factory=LoadSummary)

    def __str__(self) -> str:
        where = self.uri + (f" (database {self.database})" if self.database else "")
        return f"pushed to {where}: {self.load}"


def source_graph(source: "str | Path", *, on_warning: Optional[Callable[[InputError], None]] = None) -> nx.MultiDiGraph:
    """The graph to push: a build directory, a ``graph.json``/``.graphml``, or input files built now."""
    path = Path(source)
    if path.is_dir() or (path.is_file() and _looks_like_graph(path)):
        return load_graph(path)
    if not path.exists() and str(source) != "-":
        raise InputError("no such file or directory", str(source))
    from ..pipeline import build

    with tempfile.TemporaryDirectory(prefix="kg-push-") as tmp:
        build([str(source)], tmp, on_warning=on_warning, html=False)
        return load_graph(tmp)


def _looks_like_graph(path: Path) -> bool:
    if path.suffix.lower() == ".graphml":
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "nodes" in data and "edges" in data


def push(
    source: "str | Path | nx.MultiDiGraph",
    *,
    uri: str,
    user: str = "neo4j",
    password: str = "",
    database: Optional[str] = None,
    batch_size: int = 1000,
    progress: bool = False,
    on_warning: Optional[Callable[[InputError], None]] = None,
    driver: Any = None,
) -> PushSummary:
    """Push a graph into Neo4j: schema first, then batched MERGE upserts.

    ``source`` is a build directory, a graph file, an input file (built in a
    temporary directory first) or a graph. ``driver`` replaces the Bolt
    connection (tests at the seam). Raises :class:`kg.errors.ServiceUnavailable`
    when the server is down or refuses the login.

    Examples
    --------
    >>> print(push("out", uri="bolt://localhost:7687", password="secret"))   # doctest: +SKIP
    pushed to bolt://localhost:7687: 412 nodes (Paper 295, ...) ...
    """
    backend = BoltBackend(uri, user, password, database=database, driver=driver)
    try:
        backend.verify()  # a dead server or a bad password fails before a long build
        graph = source if isinstance(source, nx.MultiDiGraph) else source_graph(source, on_warning=on_warning)
        summary = load_graph_into(backend, graph, batch_size=batch_size, progress=progress)
    finally:
        backend.close()
    return PushSummary(uri=uri, database=database, load=summary)
