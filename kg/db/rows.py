"""The graph as rows for Cypher: one map per node and per relationship.

Both ``kg neo4j push`` / ``kg query`` (rows sent as the ``$rows`` parameter)
and ``graph.cypher`` (rows inlined as literals) use these functions, so every
route builds the same graph. Property values are what Neo4j can store: scalars
and homogeneous lists of scalars. Lists of maps (``results``) become a JSON
string, and their numbers are also spread over parallel scalar lists
(``result_metrics``, ``result_datasets``, ``result_values``, ``result_scores``)
so plain Cypher can rank them. :class:`RowStream` gives the same rows one
label or relationship group at a time, so writers and loaders need not hold
every row.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

import networkx as nx

from ..models import NODE_LABELS, REL_TYPES

#: optional Paper metadata the graph stores as "" or -1 when unknown; left out of the database
_UNKNOWN = {"url": "", "arxiv_id": "", "input_id": "", "published": "", "n_authors": -1, "upvotes": -1}
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Row = dict[str, Any]


def check_label(label: Any) -> str:
    """Return ``label`` if it is one of :data:`~kg.models.NODE_LABELS`, else raise ``ValueError``.

    Labels and relationship types cannot be Cypher parameters, so they are
    spliced into statements; only names from the fixed graph model get there.

    Examples
    --------
    >>> check_label("Paper")
    'Paper'
    """
    if label not in NODE_LABELS:
        raise ValueError(f"not a node label of the graph model: {label!r}")
    return label


def check_rel_type(rel_type: Any) -> str:
    """Return ``rel_type`` if it is one of :data:`~kg.models.REL_TYPES`, else raise ``ValueError``.

    Examples
    --------
    >>> check_rel_type("USES")
    'USES'
    """
    if rel_type not in REL_TYPES:
        raise ValueError(f"not a relationship type of the graph model: {rel_type!r}")
    return rel_type


def result_score(value: str) -> float | None:
    """The first number in a stated result value (``"8.7%"`` -> 8.7), or None.

    Examples
    --------
    >>> result_score("+3.2 points"), result_score("n/a")
    (3.2, None)
    """
    match = _NUMBER.search(str(value).replace(",", ""))
    return float(match.group()) if match else None


def _scalar_list(values: list[Any]) -> bool:
    kinds = {type(v) for v in values}
    return len(kinds) <= 1 and kinds <= {str, int, float, bool}


def to_properties(attrs: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Node or edge attributes -> properties a Cypher database can store.

    Examples
    --------
    >>> to_properties({"name": "BERT", "aliases": ["BERT"], "upvotes": -1})
    {'aliases': ['BERT'], 'name': 'BERT'}
    """
    props: dict[str, Any] = {}
    for key in sorted(attrs):
        value = attrs[key]
        if key in skip or value is None or (key in _UNKNOWN and value == _UNKNOWN[key]):
            continue
        if not _IDENTIFIER.match(key):
            raise ValueError(f"property name not allowed in Cypher: {key!r}")
        if key == "results":
            props.update(_result_lists(value))
        if isinstance(value, tuple):
            value = list(value)
        if isinstance(value, dict) or (isinstance(value, list) and not _scalar_list(value)):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        props[key] = value
    return props


def _result_lists(results: Any) -> dict[str, list[Any]]:
    metrics, datasets, values, scores = [], [], [], []
    for r in results if isinstance(results, list) else []:
        score = result_score(r.get("value", "")) if isinstance(r, dict) else None
        if score is None:
            continue
        metrics.append(str(r.get("metric") or ""))
        datasets.append(str(r.get("dataset") or ""))
        values.append(str(r.get("value")))
        scores.append(score)
    return {"result_metrics": metrics, "result_datasets": datasets, "result_values": values, "result_scores": scores}


def node_rows(graph: nx.MultiDiGraph) -> dict[str, list[Row]]:
    """``{label: [{"id", "props"}]}`` for every node, labels in model order, ids sorted."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for node_id in sorted(graph.nodes):
        attrs = graph.nodes[node_id]
        label = check_label(attrs.get("label"))
        props = to_properties(attrs, skip=("label", "id"))
        groups[label].append({"id": str(node_id), "props": props})
    return {label: groups[label] for label in NODE_LABELS if label in groups}


def relationship_rows(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[Row]]:
    """``{(source label, type, target label): [{"source", "target", "props"}]}`` for every edge.

    One edge per (source, type, target): a second edge of the same type between
    the same nodes would MERGE into the first, so it is refused here.
    """
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for u, v, key, attrs in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        rel_type = check_rel_type(attrs.get("type", key))
        if (u, rel_type, v) in seen:
            raise ValueError(f"two {rel_type} edges from {u!r} to {v!r}; the graph model allows one")
        seen.add((u, rel_type, v))
        group = (check_label(graph.nodes[u].get("label")), rel_type, check_label(graph.nodes[v].get("label")))
        groups[group].append({"source": str(u), "target": str(v), "props": to_properties(attrs, skip=("type",))})
    order = {t: i for i, t in enumerate(REL_TYPES)}
    return dict(sorted(groups.items(), key=lambda kv: (order[kv[0][1]], kv[0])))


class RowStream:
    """The rows of :func:`node_rows` and :func:`relationship_rows` one label or group at a time.

    Same rows, same order, same content, without a list of every row:
    ``graph.cypher`` and the loaders hold one batch at a time. Building a
    ``RowStream`` is a counting pass that refuses, with the same first
    ``ValueError``, every graph those two functions refuse; afterwards it holds
    the row counts and, per label, the sorted node ids (a reference per node).
    Each generator walks the graph again and makes rows as they are taken.

    Examples
    --------
    >>> from kg.models import Paper, PaperRecord
    >>> from kg.graph import to_networkx
    >>> p = Paper(id="arxiv:2101.00001", title="A paper")
    >>> stream = RowStream(to_networkx([PaperRecord(id=p.id, title=p.title, paper=p)]))
    >>> stream.node_counts, [(row["id"], row["props"]["title"]) for row in stream.nodes("Paper")]
    ({'Paper': 1}, [('arxiv:2101.00001', 'A paper')])
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        node_data = graph._node  # networkx's own dicts: the views cost more than the walk itself
        names: set[str] = set()
        ids: dict[str, list[Any]] = defaultdict(list)
        for node_id in sorted(node_data):  # node_rows' order, so its first error is raised first
            attrs = node_data[node_id]
            ids[check_label(attrs.get("label"))].append(node_id)
            _check_names(attrs, ("label", "id"), names)
        self._ids = {label: ids[label] for label in NODE_LABELS if label in ids}
        #: ``{label: rows}`` in :func:`node_rows` order
        self.node_counts = {label: len(node_ids) for label, node_ids in self._ids.items()}
        try:
            counts = self._count_relationships(names)
        except ValueError:
            relationship_rows(graph)  # raises the error relationship_rows meets first in its order
            raise
        order = {t: i for i, t in enumerate(REL_TYPES)}
        #: ``{(source label, type, target label): rows}`` in :func:`relationship_rows` order
        self.relationship_counts = dict(sorted(counts.items(), key=lambda kv: (order[kv[0][1]], kv[0])))

    def _count_relationships(self, names: set[str]) -> Counter:
        node_data, counts = self.graph._node, Counter()
        for u, nbrs in self.graph._succ.items():
            source_label = node_data[u]["label"]
            for v, keydict in nbrs.items():
                target_label = node_data[v]["label"]
                types = set()
                for key, attrs in keydict.items():
                    rel_type = check_rel_type(attrs.get("type", key))
                    if rel_type in types:
                        raise ValueError(f"two {rel_type} edges from {u!r} to {v!r}; the graph model allows one")
                    types.add(rel_type)
                    _check_names(attrs, ("type",), names)
                    counts[source_label, rel_type, target_label] += 1
        return counts

    def nodes(self, label: str) -> Iterator[Row]:
        """The rows ``node_rows(graph)[label]`` holds, one at a time."""
        node_data = self.graph._node
        for node_id in self._ids.get(label, ()):
            yield {"id": str(node_id), "props": to_properties(node_data[node_id], skip=("label", "id"))}

    def relationships(self, group: tuple[str, str, str]) -> Iterator[Row]:
        """The rows ``relationship_rows(graph)[group]`` holds, one at a time.

        Sources in sorted id order (the label's id list), then each source's
        matching edges sorted by (key, target): the ``(u, key, v)`` sort of
        :func:`relationship_rows`, without a list of every edge.
        """
        source_label, rel_type, target_label = group
        node_data, succ = self.graph._node, self.graph._succ

        def sort_key(edge: tuple[Any, Any, Any]) -> tuple[Any, Any]:
            return edge[0], edge[1]

        for u in self._ids.get(source_label, ()):
            edges = [
                (key, v, attrs)
                for v, keydict in succ[u].items()
                if node_data[v]["label"] == target_label
                for key, attrs in keydict.items()
                if attrs.get("type", key) == rel_type
            ]
            if len(edges) > 1:
                edges.sort(key=sort_key)
            source = str(u)
            for _, v, attrs in edges:
                yield {"source": source, "target": str(v), "props": to_properties(attrs, skip=("type",))}


def _check_names(attrs: Mapping[str, Any], skip: tuple[str, ...], good: set[str]) -> None:
    """Raise what :func:`to_properties` raises for a property name Cypher refuses; ``good`` caches names seen."""
    for key in attrs:
        if key not in good:
            if isinstance(key, str) and _IDENTIFIER.match(key):
                good.add(key)
            else:
                to_properties(attrs, skip)


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """The batches :func:`batches` makes of ``list(rows)``, taking rows from ``rows`` one batch at a time.

    Examples
    --------
    >>> [len(b) for b in batched(iter(range(5)), 2)]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError("batch size must be at least 1")
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def batches(rows: list[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive slices of at most ``size`` rows.

    Examples
    --------
    >>> [len(b) for b in batches(list(range(5)), 2)]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
