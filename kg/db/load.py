"""Load a graph through a Cypher backend: schema first, then batched ``UNWIND $rows`` upserts.

Nodes go before relationships (relationships MATCH both ends). Every
statement MERGEs on a key, so loading twice, or again after an interrupted
load, leaves one node per id and one relationship per (source, type, target).
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..errors import InputError
from .cypher_files import fill, load_cypher, split_statements, strip_comments
from .rows import RowStream, batched

if TYPE_CHECKING:
    from . import CypherBackend


@dataclass
class LoadSummary:
    """What a load sent: rows per label and type, statements, seconds."""

    nodes: Counter = field(default_factory=Counter)
    relationships: Counter = field(default_factory=Counter)
    statements: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.nodes.values()) + sum(self.relationships.values())

    def __str__(self) -> str:
        nodes = ", ".join(f"{label} {n}" for label, n in self.nodes.items())
        rels = ", ".join(f"{t} {n}" for t, n in self.relationships.items())
        return (
            f"{sum(self.nodes.values())} nodes ({nodes or 'none'}), "
            f"{sum(self.relationships.values())} relationships ({rels or 'none'}) "
            f"in {self.statements} statements, {self.seconds:.1f} s"
        )


def load_graph_into(
    backend: "CypherBackend",
    graph: nx.MultiDiGraph,
    *,
    batch_size: int = 1000,
    progress: bool = False,
    schema: bool = True,
) -> LoadSummary:
    """Upsert every node and relationship of ``graph`` through ``backend``.

    Parameters
    ----------
    backend
        Where the Cypher runs (:class:`~kg.db.CypherBackend`).
    graph
        A graph from :func:`kg.graph.to_networkx` or :func:`kg.load_graph`.
    batch_size
        Rows per ``UNWIND $rows`` statement (one transaction each).
    progress
        Show a tqdm bar on standard error, when standard error is a terminal.
    schema
        Run the backend's schema file first.

    Examples
    --------
    >>> from kg.db.falkor import EmbeddedFalkorDB          # doctest: +SKIP
    >>> with EmbeddedFalkorDB() as server:                 # doctest: +SKIP
    ...     print(load_graph_into(server.backend(), graph))
    """
    started = time.perf_counter()
    summary = LoadSummary()
    try:
        rows = RowStream(graph)  # refuses a graph before anything is sent; rows are made batch by batch
    except ValueError as exc:
        raise InputError(f"cannot load this graph into Cypher: {exc}") from None
    if schema:
        backend.apply_schema(split_statements(load_cypher(backend.schema_file)))
    node_template = strip_comments(load_cypher("upsert_nodes"))
    rel_template = strip_comments(load_cypher("upsert_relationships"))
    total = sum(rows.node_counts.values()) + sum(rows.relationship_counts.values())
    bar = _bar(total, progress)
    try:
        for label in rows.node_counts:
            statement = fill(node_template, label=label)
            for batch in batched(rows.nodes(label), batch_size):
                backend.run(statement, {"rows": batch})
                summary.nodes[label] += len(batch)
                summary.statements += 1
                bar.update(len(batch))
        for group in rows.relationship_counts:
            source_label, rel_type, target_label = group
            statement = fill(rel_template, source_label=source_label, type=rel_type, target_label=target_label)
            for batch in batched(rows.relationships(group), batch_size):
                backend.run(statement, {"rows": batch})
                summary.relationships[rel_type] += len(batch)
                summary.statements += 1
                bar.update(len(batch))
    finally:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def count_in_database(backend: "CypherBackend") -> tuple[dict[str, int], dict[str, int]]:
    """``({label: nodes}, {type: relationships})`` as the database counts them."""
    _, node_counts = backend.run(strip_comments(load_cypher("count_nodes")))
    _, rel_counts = backend.run(strip_comments(load_cypher("count_relationships")))
    return {row[0]: row[1] for row in node_counts}, {row[0]: row[1] for row in rel_counts}


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, progress: bool) -> Any:
    if not progress or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="loading", unit=" rows", file=sys.stderr, leave=False)
