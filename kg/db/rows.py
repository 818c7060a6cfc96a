"""The graph as rows for Cypher: one map per node and per relationship.

Both ``kg neo4j push`` / ``kg query`` (rows sent as the ``$rows`` parameter)
and ``graph.cypher`` (rows inlined as literals) use these functions, so every
route builds the same graph. Property values are what Neo4j can store: scalars
and homogeneous lists of scalars. Lists of maps (``results``) become a JSON
string, and their numbers are also spread over parallel scalar lists
(``result_metrics``, ``result_datasets``, ``result_values``, ``result_scores``)
so plain Cypher can rank them.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
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
