"""Graph: extraction records -> one ``networkx.MultiDiGraph``, and its file round trips.

Nodes are keyed by their ``id`` and carry ``label`` (one of
:data:`~kg.models.NODE_LABELS`) and ``name``. Edges go from a Paper to an
entity, keyed by their relationship type, and carry their provenance:
``sentence`` (the first), ``evidence`` (every distinct sentence), ``rules``
and ``count``.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Union

import networkx as nx

from .models import ROLE_TO_REL, Link, PaperRecord, Relationship

#: node and edge attributes that hold lists or dicts; GraphML stores them as JSON text
LIST_ATTRS = ("aliases", "authors", "sources", "project_urls", "other_urls", "results", "evidence", "rules")
#: most sentences kept as evidence on one edge; ``count`` still counts every mention
MAX_EVIDENCE = 5

PathLike = Union[str, "os.PathLike[str]"]


def repository_id(url: str) -> str:
    """``https://github.com/Org/Repo.git`` -> ``repository:github.com/org/repo``."""
    key = re.sub(r"^[a-z]+://(www\.)?", "", url.strip().lower()).rstrip("/.")
    key = re.sub(r"\.git$", "", key)
    parts = key.split("/")
    if parts[0] in ("github.com", "gitlab.com") and len(parts) > 3:
        key = "/".join(parts[:3])
    return f"repository:{key}"


def _repository_name(url: str) -> str:
    key = repository_id(url).split(":", 1)[1]
    host, _, rest = key.partition("/")
    return rest or host


def add_record(graph: nx.MultiDiGraph, record: PaperRecord) -> None:
    """Add one paper and its entities, links and results to ``graph`` (merging by id)."""
    paper = record.paper
    pid = paper.id
    sources = [f"{s.file}:{s.line}" for s in paper.sources]
    if pid in graph:
        node = graph.nodes[pid]
        node["sources"] = sorted(set(node.get("sources", [])) | set(sources))
        return
    project_urls = [link.url for link in record.links if link.kind == "project"]
    other_urls = [link.url for link in record.links if link.kind == "other"]
    graph.add_node(
        pid,
        label="Paper",
        name=paper.title,
        title=paper.title,
        abstract=paper.abstract,
        url=paper.url or "",
        arxiv_id=paper.arxiv_id or "",
        input_id=paper.input_id or "",
        published=paper.published or "",
        authors=list(paper.authors),
        n_authors=paper.n_authors if paper.n_authors is not None else -1,
        upvotes=paper.upvotes if paper.upvotes is not None else -1,
        sources=sorted(set(sources)),
        project_urls=project_urls,
        other_urls=other_urls,
        results=[r.model_dump() for r in record.results],
    )
    for entity in record.entities:
        eid = entity.id
        if eid in graph:
            node = graph.nodes[eid]
            node["aliases"] = sorted(set(node["aliases"]) | set(entity.aliases) | {entity.name})
            node["mentions"] += len(entity.mentions)
        else:
            graph.add_node(
                eid,
                label=entity.type,
                name=entity.name,
                aliases=sorted(set(entity.aliases) | {entity.name}),
                mentions=len(entity.mentions),
            )
        rel = ROLE_TO_REL[entity.role]
        sentences: list[str] = []
        for m in entity.mentions:
            if m.sentence and m.sentence not in sentences:
                sentences.append(m.sentence)
        results = [
            r
            for r in record.results
            if (entity.type == "Metric" and r.metric == entity.name)
            or (entity.type == "Dataset" and r.dataset == entity.name)
        ]
        _add_edge(graph, Relationship(
            source=pid,
            target=eid,
            type=rel,
            sentence=sentences[0] if sentences else "",
            evidence=sentences[:MAX_EVIDENCE],
            rules=sorted({m.rule for m in entity.mentions}),
            count=max(1, len(entity.mentions)),
            results=results,
        ))
    for link in record.links:
        if link.kind == "code":
            _add_code(graph, pid, link)


def _add_code(graph: nx.MultiDiGraph, pid: str, link: Link) -> None:
    rid = repository_id(link.url)
    if rid not in graph:
        graph.add_node(rid, label="Repository", name=_repository_name(link.url), url=link.url, aliases=[link.url])
    if graph.has_edge(pid, rid, key="HAS_CODE"):
        graph.edges[pid, rid, "HAS_CODE"]["count"] += 1
        return
    _add_edge(graph, Relationship(
        source=pid,
        target=rid,
        type="HAS_CODE",
        sentence=link.sentence,
        evidence=[link.sentence] if link.sentence else [],
        rules=["url"],
        count=1,
    ))


def _add_edge(graph: nx.MultiDiGraph, rel: Relationship) -> None:
    """An edge keyed by its type, its attributes those of the :class:`Relationship` model."""
    graph.add_edge(rel.source, rel.target, key=rel.type, **rel.model_dump(exclude={"source", "target"}))


def to_networkx(records: Iterable[PaperRecord]) -> nx.MultiDiGraph:
    """Build the graph from in-memory records.

    Examples
    --------
    >>> from kg.models import Paper, PaperRecord
    >>> p = Paper(id="arxiv:2101.00001", title="A paper")
    >>> g = to_networkx([PaperRecord(id=p.id, title=p.title, paper=p)])
    >>> g.nodes["arxiv:2101.00001"]["label"]
    'Paper'
    """
    graph = nx.MultiDiGraph()
    for record in records:
        add_record(graph, record)
    return graph


def canonical(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes and edges in a stable order, so equal graphs serialise equally."""
    out = nx.MultiDiGraph()
    out.graph.update(graph.graph)
    for node in sorted(graph.nodes):
        out.add_node(node, **graph.nodes[node])
    for u, v, k in sorted(graph.edges(keys=True)):
        out.add_edge(u, v, key=k, **graph.edges[u, v, k])
    return out


# --------------------------------------------------------------------------- node-link JSON


def graph_to_json(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link data (``edges="edges"``) of the graph in canonical order."""
    return nx.node_link_data(canonical(graph), edges="edges")


def graph_from_json(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Inverse of :func:`graph_to_json`."""
    graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    return nx.MultiDiGraph(graph)


# --------------------------------------------------------------------------- GraphML


def graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose list/dict attributes are JSON strings (GraphML holds scalars only)."""
    out = canonical(graph)
    for _, data in out.nodes(data=True):
        _encode(data)
    for _, _, data in out.edges(data=True):
        _encode(data)
    return out


#: characters XML 1.0 cannot carry at all; left in, they make graph.graphml unreadable
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _encode(data: dict[str, Any]) -> None:
    for key, value in list(data.items()):
        if isinstance(value, (list, dict)):
            data[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif value is None:
            data[key] = ""
        elif isinstance(value, str):
            data[key] = _XML_INVALID.sub("\ufffd", value)


def _decode(data: dict[str, Any]) -> None:
    for key in LIST_ATTRS:
        value = data.get(key)
        if isinstance(value, str):
            data[key] = json.loads(value) if value else []


def read_graphml(path: PathLike) -> nx.MultiDiGraph:
    graph = nx.read_graphml(path, force_multigraph=True)
    graph = nx.MultiDiGraph(graph)
    for default in ("node_default", "edge_default"):
        if graph.graph.get(default) == {}:
            del graph.graph[default]
    for _, data in graph.nodes(data=True):
        _decode(data)
    for _, _, data in graph.edges(data=True):
        _decode(data)
    return graph


# --------------------------------------------------------------------------- loading


def load_graph(path: PathLike) -> nx.MultiDiGraph:
    """Load a built graph as a ``networkx.MultiDiGraph``.

    ``path`` is a build directory (``graph.json`` inside it), a ``graph.json``
    node-link file or a ``graph.graphml`` file. Node labels, names, aliases and
    edge evidence come back as attributes.

    Examples
    --------
    >>> g = load_graph("out")                                  # doctest: +SKIP
    >>> [n for n, d in g.nodes(data=True) if d["label"] == "Dataset"][:3]  # doctest: +SKIP
    ['dataset:cifar10', 'dataset:imagenet', 'dataset:mscoco']
    """
    from .errors import InputError

    p = Path(path)
    if p.is_dir():
        p = p / "graph.json"
    if not p.exists():
        raise InputError("no built graph here (run `kg build` first)", str(p))
    if p.suffix.lower() == ".graphml":
        return read_graphml(p)
    try:
        with open(p, encoding="utf-8") as fh:
            return graph_from_json(json.load(fh))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"not a kg graph.json ({exc})", str(p)) from None
