"""Analysis helpers: the networkx code a notebook would otherwise repeat on every kg graph.

Every function takes the ``networkx.MultiDiGraph`` that :func:`kg.load_graph`
returns (Paper -> entity edges keyed by relationship type) and returns plain
Python values or a new graph; none mutates its input. Results are ordered
deterministically (ties broken by node id), so notebooks and tests see the
same answer every run.

Examples
--------
>>> from kg.analysis import example_graph, top_by_degree, similar_papers
>>> g = example_graph()
>>> top_by_degree(g, "Dataset", k=2)
[('dataset:imagenet', 3), ('dataset:cifar-10', 2)]
>>> similar_papers(g, "paper:p4", k=1)[0].paper
'paper:p5'
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any, NamedTuple, Optional

import networkx as nx

from .models import ENTITY_TYPES, NODE_LABELS

__all__ = [
    "Community",
    "Similar",
    "bipartite",
    "communities",
    "cooccurrence",
    "example_graph",
    "find_entity",
    "leaderboard",
    "neighbourhood",
    "nodes_by_label",
    "paper_entities",
    "paper_projection",
    "parse_number",
    "similar_papers",
    "top_by_degree",
]

#: entity labels two papers are compared by when nothing else is asked
DEFAULT_VIA = ("Method", "Dataset")
_NUMBER = re.compile(r"[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)")
#: words in a metric name that mean "lower is better" (for leaderboard order)
LOWER_IS_BETTER = ("error", "loss", "perplexity", "fid", "wer", "cer", "latency", "mse", "mae", "rmse", "time", "memory")


class Similar(NamedTuple):
    """A paper similar to another: its id, the score in [0, 1] and the entities both have."""

    paper: str
    score: float
    shared: list[str]


class Community(NamedTuple):
    """A community: its members and what characterises it (entity id, number of member papers)."""

    members: list[str]
    top: list[tuple[str, int]]


# --------------------------------------------------------------------------- lookups


def nodes_by_label(graph: nx.MultiDiGraph, label: str) -> list[str]:
    """Ids of the nodes with ``label``, sorted.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    label : str
        One of :data:`kg.models.NODE_LABELS`; anything else raises ``ValueError``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> nodes_by_label(example_graph(), "Task")
    ['task:image-classification', 'task:question-answering']
    """
    _check_label(label)
    return sorted(n for n, d in graph.nodes(data=True) if d.get("label") == label)


def paper_entities(
    graph: nx.MultiDiGraph,
    paper: str,
    *,
    labels: Iterable[str] = ENTITY_TYPES,
    rel_types: Optional[Iterable[str]] = None,
) -> set[str]:
    """The entities a paper links to, restricted to ``labels`` and (optionally) relationship types.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    paper : str
        Id of a Paper node.
    labels : iterable of str, optional
        Entity labels to keep (default: Method, Dataset, Metric, Task).
    rel_types : iterable of str, optional
        Relationship types to follow (default: all).

    Returns
    -------
    set of str
        Entity ids.

    Examples
    --------
    >>> sorted(paper_entities(example_graph(), "paper:p5", labels=["Dataset"]))
    ['dataset:longqa', 'dataset:squad']
    >>> sorted(paper_entities(example_graph(), "paper:p5", rel_types=["INTRODUCES"]))
    ['dataset:longqa']
    """
    labels = _labels(labels)
    rels = None if rel_types is None else set(rel_types)
    return {
        target
        for _, target, key in graph.out_edges(paper, keys=True)
        if graph.nodes[target].get("label") in labels and (rels is None or key in rels)
    }


def find_entity(graph: nx.MultiDiGraph, name: str, *, label: Optional[str] = None) -> list[str]:
    """Ids of the nodes whose id, name or an alias matches ``name``, best first.

    Matching ignores case, spaces and punctuation ("MS-COCO" finds "MSCOCO").
    An exact name match ranks first, then nodes with more mentions.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    name : str
        A name, alias or node id.
    label : str, optional
        Only nodes of this label.

    Returns
    -------
    list of str
        Node ids; empty when nothing matches.

    Examples
    --------
    >>> find_entity(example_graph(), "ILSVRC")
    ['dataset:imagenet']
    >>> find_entity(example_graph(), "vit lite", label="Method")
    ['method:vit-lite']
    """
    if label is not None:
        _check_label(label)
    key = _norm(name)
    if not key:
        return []
    found = []
    for node, data in graph.nodes(data=True):
        if label is not None and data.get("label") != label:
            continue
        forms = [node, data.get("name", ""), *data.get("aliases", [])]
        if any(_norm(str(form)) == key for form in forms):
            exact = data.get("name") == name or node == name
            found.append((not exact, -int(data.get("mentions", 0) or 0), node))
    return [node for *_, node in sorted(found)]


def top_by_degree(
    graph: nx.MultiDiGraph,
    label: str,
    *,
    k: Optional[int] = 10,
    rel_types: Optional[Iterable[str]] = None,
) -> list[tuple[str, int]]:
    """The ``k`` nodes of ``label`` with the most distinct neighbours, as ``(id, count)``.

    For an entity label the count is the number of papers linked to it (the
    most-used datasets are ``top_by_degree(g, "Dataset")``); for ``"Paper"`` it
    is the number of entities the paper links to. Parallel edges (a paper that
    both introduces and evaluates on a dataset) count once. ``rel_types``
    keeps only edges of those types; ``k=None`` returns every node.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    label : str
        The label to rank.
    k : int or None, optional
        How many to return (default 10).
    rel_types : iterable of str, optional
        Count only edges of these types; nodes with none are left out.

    Returns
    -------
    list of (str, int)
        ``(node id, count)``, highest count first, ties by id.

    Examples
    --------
    >>> g = example_graph()
    >>> top_by_degree(g, "Method", k=3)
    [('method:bert', 2), ('method:resnet', 2), ('method:transformer', 2)]
    >>> top_by_degree(g, "Dataset", k=1, rel_types=["INTRODUCES"])
    [('dataset:longqa', 1)]
    """
    rels = None if rel_types is None else set(rel_types)
    counts = []
    for node in nodes_by_label(graph, label):
        edges = list(graph.in_edges(node, keys=True)) + list(graph.out_edges(node, keys=True))
        neighbours = {v if u == node else u for u, v, key in edges if rels is None or key in rels}
        if rels is not None and not neighbours:
            continue
        counts.append((node, len(neighbours)))
    counts.sort(key=lambda item: (-item[1], item[0]))
    return counts if k is None else counts[:k]


# --------------------------------------------------------------------------- projections


def paper_projection(
    graph: nx.MultiDiGraph,
    *,
    labels: Iterable[str] = DEFAULT_VIA,
    rel_types: Optional[Iterable[str]] = None,
    min_weight: int = 1,
) -> nx.Graph:
    """Paper–paper graph: an edge when two papers share entities of ``labels``.

    Every paper is a node (with its ``label``, ``name`` and ``title``); edge
    ``weight`` is the number of shared entities and ``shared`` lists them.
    Edges lighter than ``min_weight`` are left out.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    labels : iterable of str, optional
        Entity labels two papers may share (default Method and Dataset).
    rel_types : iterable of str, optional
        Count an entity only through edges of these types.
    min_weight : int, optional
        Smallest number of shared entities that makes an edge (default 1).

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> p = paper_projection(example_graph())
    >>> p.edges["paper:p4", "paper:p5"]
    {'weight': 2, 'shared': ['dataset:squad', 'method:bert']}
    >>> p.number_of_nodes()
    5
    """
    labels = _labels(labels)
    out = nx.Graph()
    for paper in nodes_by_label(graph, "Paper"):
        data = graph.nodes[paper]
        out.add_node(paper, label="Paper", name=data.get("name", ""), title=data.get("title", ""))
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label in sorted(labels):
        for entity in nodes_by_label(graph, label):
            for pair in combinations(_papers_of(graph, entity, rel_types), 2):
                shared[pair].append(entity)
    for (a, b), entities in sorted(shared.items()):
        if len(entities) >= min_weight:
            out.add_edge(a, b, weight=len(entities), shared=sorted(entities))
    return out


def cooccurrence(
    graph: nx.MultiDiGraph,
    *,
    labels: Iterable[str] = ("Method",),
    rel_types: Optional[Iterable[str]] = None,
    min_weight: int = 1,
) -> nx.Graph:
    """Entity–entity graph: an edge when two entities appear in the same papers.

    Nodes are the entities of ``labels`` that appear in at least one paper
    (with ``label``, ``name`` and ``papers``, the number of papers); edge
    ``weight`` is the number of papers with both and ``papers`` lists them.
    The default is method co-use; ``labels=ENTITY_TYPES`` gives the whole
    field's co-occurrence network.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    labels : iterable of str, optional
        Entity labels to include (default Method).
    rel_types : iterable of str, optional
        Count an entity in a paper only through edges of these types.
    min_weight : int, optional
        Smallest number of common papers that makes an edge (default 1).

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> c = cooccurrence(example_graph())
    >>> c.edges["method:bert", "method:transformer"]
    {'weight': 1, 'papers': ['paper:p4']}
    >>> c.nodes["method:transformer"]["papers"]
    2
    """
    labels = _labels(labels)
    out = nx.Graph()
    together: dict[tuple[str, str], list[str]] = defaultdict(list)
    for paper in nodes_by_label(graph, "Paper"):
        entities = sorted(paper_entities(graph, paper, labels=labels, rel_types=rel_types))
        for entity in entities:
            if entity not in out:
                data = graph.nodes[entity]
                out.add_node(entity, label=data["label"], name=data.get("name", ""), papers=0)
            out.nodes[entity]["papers"] += 1
        for pair in combinations(entities, 2):
            together[pair].append(paper)
    for (a, b), papers in sorted(together.items()):
        if len(papers) >= min_weight:
            out.add_edge(a, b, weight=len(papers), papers=papers)
    return out


def bipartite(
    graph: nx.MultiDiGraph,
    *,
    left: str = "Method",
    right: str = "Dataset",
    rel_types: Optional[Iterable[str]] = None,
) -> nx.Graph:
    """Bipartite entity graph, by default method–dataset: which methods are used with which datasets.

    ``left`` nodes get ``bipartite=0``, ``right`` nodes ``bipartite=1`` (the
    convention of :mod:`networkx.algorithms.bipartite`); an edge means some
    paper links to both, ``weight`` counts those papers and ``papers`` lists
    them.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    left, right : str
        The two entity labels (different; default Method and Dataset).
    rel_types : iterable of str, optional
        Count an entity in a paper only through edges of these types.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> b = bipartite(example_graph())
    >>> b.edges["method:resnet", "dataset:imagenet"]
    {'weight': 2, 'papers': ['paper:p2', 'paper:p3']}
    >>> sorted(b["dataset:squad"])
    ['method:bert', 'method:longbert', 'method:transformer']
    """
    _check_label(left)
    _check_label(right)
    if left == right:
        raise ValueError("left and right must be different labels; use cooccurrence() for one label")
    out = nx.Graph()
    together: dict[tuple[str, str], list[str]] = defaultdict(list)
    for paper in nodes_by_label(graph, "Paper"):
        lefts = sorted(paper_entities(graph, paper, labels=[left], rel_types=rel_types))
        rights = sorted(paper_entities(graph, paper, labels=[right], rel_types=rel_types))
        for side, nodes in ((0, lefts), (1, rights)):
            for node in nodes:
                out.add_node(node, label=graph.nodes[node]["label"], name=graph.nodes[node].get("name", ""), bipartite=side)
        for a in lefts:
            for b in rights:
                together[(a, b)].append(paper)
    for (a, b), papers in sorted(together.items()):
        out.add_edge(a, b, weight=len(papers), papers=papers)
    return out


# --------------------------------------------------------------------------- a paper and its kin


def neighbourhood(
    graph: nx.MultiDiGraph,
    node: str,
    *,
    hops: int = 1,
    labels: Optional[Iterable[str]] = None,
) -> nx.MultiDiGraph:
    """The ego graph of ``node``: every node within ``hops`` steps, edge direction ignored.

    ``hops=1`` from a paper gives its entities; ``hops=2`` adds the papers that
    share them. ``labels`` restricts the walk to nodes of those labels (the
    centre is always kept), e.g. to avoid reaching every paper through a
    ubiquitous metric. Returns a new graph with all attributes copied.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    node : str
        The centre; ``KeyError`` if it is not in the graph.
    hops : int, optional
        Radius of the walk (default 1).
    labels : iterable of str, optional
        Labels the walk may pass through (default: all).

    Returns
    -------
    networkx.MultiDiGraph

    Examples
    --------
    >>> ego = neighbourhood(example_graph(), "paper:p5", hops=2, labels=["Paper", "Dataset"])
    >>> sorted(ego)
    ['dataset:longqa', 'dataset:squad', 'paper:p4', 'paper:p5']
    """
    if node not in graph:
        raise KeyError(f"no node {node!r} in the graph")
    if hops < 0:
        raise ValueError("hops must be >= 0")
    view = graph
    if labels is not None:
        keep = _labels(labels)
        view = graph.subgraph(n for n, d in graph.nodes(data=True) if n == node or d.get("label") in keep)
    return nx.ego_graph(view, node, radius=hops, undirected=True).copy()


def similar_papers(
    graph: nx.MultiDiGraph,
    paper: str,
    *,
    k: Optional[int] = 5,
    labels: Iterable[str] = ("Method", "Dataset", "Task"),
    weighting: str = "jaccard",
) -> list[Similar]:
    """Papers most similar to ``paper`` by the entities they share, best first.

    ``weighting="jaccard"`` scores |A ∩ B| / |A ∪ B| over the two papers'
    entity sets; ``weighting="idf"`` is the same ratio with each entity
    weighted by log(1 + N / df) (N papers, df of them linking the entity), so
    sharing a rare dataset counts more than sharing "Transformer". Papers
    sharing nothing are left out.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    paper : str
        Id of a Paper node; ``KeyError`` otherwise.
    k : int or None, optional
        How many to return (default 5; ``None`` for all).
    labels : iterable of str, optional
        Entity labels compared (default Method, Dataset, Task).
    weighting : {"jaccard", "idf"}, optional
        Plain or rarity-weighted Jaccard (default "jaccard").

    Returns
    -------
    list of Similar
        ``(paper, score, shared)``, best first, ties by id.

    Examples
    --------
    >>> g = example_graph()
    >>> [(s.paper, round(s.score, 2)) for s in similar_papers(g, "paper:p2", k=2)]
    [('paper:p3', 0.75), ('paper:p1', 0.33)]
    >>> similar_papers(g, "paper:p2", k=1)[0].shared
    ['dataset:imagenet', 'method:resnet', 'task:image-classification']
    """
    if graph.nodes.get(paper, {}).get("label") != "Paper":
        raise KeyError(f"no paper {paper!r} in the graph")
    if weighting not in ("jaccard", "idf"):
        raise ValueError("weighting must be 'jaccard' or 'idf'")
    labels = _labels(labels)
    mine = paper_entities(graph, paper, labels=labels)
    weight = _idf(graph) if weighting == "idf" else (lambda _: 1.0)
    candidates = {p for e in mine for p in _papers_of(graph, e, None)} - {paper}
    found = []
    for other in candidates:
        theirs = paper_entities(graph, other, labels=labels)
        shared = mine & theirs
        if not shared:
            continue
        score = sum(weight(e) for e in shared) / sum(weight(e) for e in mine | theirs)
        found.append(Similar(other, score, sorted(shared)))
    found.sort(key=lambda s: (-s.score, s.paper))
    return found if k is None else found[:k]


# --------------------------------------------------------------------------- communities


def communities(
    graph: nx.MultiDiGraph,
    *,
    on: str = "papers",
    labels: Iterable[str] = DEFAULT_VIA,
    algorithm: str = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
    top: int = 5,
    min_size: int = 2,
) -> list[Community]:
    """Communities of papers (or of entities) and what characterises each, largest first.

    ``on="papers"`` partitions :func:`paper_projection` (papers sharing
    entities of ``labels``); each community's ``top`` lists the entities (of
    every entity type) most typical of its papers: ranked by the number of
    member papers linking the entity times its rarity in the whole graph
    (log(1 + N / df)), so that a method every paper uses does not describe
    every community. ``on="entities"`` partitions :func:`cooccurrence` of
    ``labels``; ``top`` then lists the members used by most papers.

    ``algorithm`` is ``"louvain"`` (seeded: the same ``seed`` gives the same
    answer) or ``"greedy"`` (greedy modularity, deterministic). Communities
    smaller than ``min_size`` (lone papers) are left out.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    on : {"papers", "entities"}, optional
        What to partition (default "papers").
    labels : iterable of str, optional
        Entity labels that link papers, or the entities partitioned (default Method, Dataset).
    algorithm : {"louvain", "greedy"}, optional
    seed : int, optional
        Random seed for Louvain (default 0).
    resolution : float, optional
        Above 1 favours smaller communities, below 1 larger ones (default 1).
    top : int, optional
        How many characterising entities per community (default 5).
    min_size : int, optional
        Smallest community reported (default 2).

    Returns
    -------
    list of Community
        ``(members, top)``, largest first.

    Examples
    --------
    >>> found = communities(example_graph(), top=2)
    >>> [c.members for c in found]
    [['paper:p1', 'paper:p2', 'paper:p3'], ['paper:p4', 'paper:p5']]
    >>> found[1].top
    [('dataset:squad', 2), ('method:bert', 2)]
    """
    if on not in ("papers", "entities"):
        raise ValueError("on must be 'papers' or 'entities'")
    projected = paper_projection(graph, labels=labels) if on == "papers" else cooccurrence(graph, labels=labels)
    if algorithm == "louvain":
        parts = nx.community.louvain_communities(projected, weight="weight", resolution=resolution, seed=seed)
    elif algorithm == "greedy":
        parts = nx.community.greedy_modularity_communities(projected, weight="weight", resolution=resolution)
    else:
        raise ValueError("algorithm must be 'louvain' or 'greedy'")
    found = []
    for part in parts:
        members = sorted(part)
        if len(members) < min_size:
            continue
        found.append(Community(members, _describe(graph, members, on=on, top=top)))
    found.sort(key=lambda c: (-len(c.members), c.members[0]))
    return found


def _describe(graph: nx.MultiDiGraph, members: list[str], *, on: str, top: int) -> list[tuple[str, int]]:
    if on == "entities":
        used = [(m, len(_papers_of(graph, m, None))) for m in members]
        return sorted(used, key=lambda item: (-item[1], item[0]))[:top]
    counts: Counter[str] = Counter()
    for paper in members:
        counts.update(paper_entities(graph, paper))
    idf = _idf(graph)
    ranked = sorted(counts.items(), key=lambda item: (-item[1] * idf(item[0]), -item[1], item[0]))
    return ranked[:top]


# --------------------------------------------------------------------------- results


def parse_number(value: str) -> Optional[float]:
    """The first number in an extracted result value (``"91.2%"`` -> 91.2), or None.

    Examples
    --------
    >>> parse_number("91.2%"), parse_number("1,024 tokens"), parse_number("-0.5 dB"), parse_number("n/a")
    (91.2, 1024.0, -0.5, None)
    """
    match = _NUMBER.search(value or "")
    if match is None:
        return None
    return float(match.group().replace(",", ""))


def leaderboard(
    graph: nx.MultiDiGraph,
    *,
    metric: Optional[str] = None,
    dataset: Optional[str] = None,
    ascending: Optional[bool] = None,
) -> list[dict[str, Any]]:
    """Extracted results as rows, best first: ``paper``, ``title``, ``metric``, ``dataset``, ``value``, ``number``, ``text``.

    Rows come from the papers' ``results`` lists. ``metric`` and ``dataset``
    filter by name or alias (as :func:`find_entity` matches). Rows sort by
    ``number`` (the parsed value; rows without one go last), highest first
    unless ``ascending`` is true; ``ascending=None`` picks ascending for a
    single metric whose name says lower is better (error, loss, perplexity,
    FID, ...).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A kg graph, as :func:`kg.load_graph` returns it.
    metric, dataset : str, optional
        Keep only results on this metric / dataset.
    ascending : bool or None, optional
        Sort order of ``number``; ``None`` decides from the metric name.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> rows = leaderboard(example_graph(), metric="accuracy", dataset="ImageNet")
    >>> [(r["title"], r["value"]) for r in rows]
    [('ViT-Lite: small vision transformers', '81.5%'), ('ConvMix: mixing convolutions', '79.0%')]
    """
    metrics = _names(graph, metric, "Metric")
    datasets = _names(graph, dataset, "Dataset")
    rows = []
    for paper in nodes_by_label(graph, "Paper"):
        data = graph.nodes[paper]
        for result in data.get("results", []):
            if metrics is not None and _norm(result.get("metric") or "") not in metrics:
                continue
            if datasets is not None and _norm(result.get("dataset") or "") not in datasets:
                continue
            rows.append(
                {
                    "paper": paper,
                    "title": data.get("title") or data.get("name", ""),
                    "metric": result.get("metric"),
                    "dataset": result.get("dataset"),
                    "value": result.get("value"),
                    "number": parse_number(result.get("value") or ""),
                    "text": result.get("text", ""),
                }
            )
    if ascending is None:
        ascending = metric is not None and any(word in _norm(metric) for word in LOWER_IS_BETTER)
    sign = 1 if ascending else -1
    rows.sort(key=lambda r: (r["number"] is None, sign * (r["number"] or 0.0), r["paper"], r["metric"] or ""))
    return rows


# --------------------------------------------------------------------------- a tiny graph for examples


def example_graph() -> nx.MultiDiGraph:
    """A five-paper graph with the schema of :func:`kg.load_graph`, for examples and experiments.

    Three vision papers (p1–p3: ImageNet, CIFAR-10, ResNet) and two question
    answering papers (p4, p5: SQuAD, BERT); p1 and p4 both use Transformer.

    Examples
    --------
    >>> g = example_graph()
    >>> g.number_of_nodes(), g.nodes["paper:p1"]["label"], g.nodes["dataset:imagenet"]["aliases"]
    (19, 'Paper', ['ILSVRC', 'ImageNet'])
    """
    from .graph import to_networkx
    from .models import Entity, Link, Mention, Paper, PaperRecord, Result

    def ent(kind: str, name: str, role: str, aliases: tuple[str, ...] = ()) -> Entity:
        eid = f"{kind.lower()}:{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"
        mention = Mention(field="abstract", start=0, end=len(name), text=name, rule="example", sentence=f"... {name} ...")
        return Entity(type=kind, name=name, id=eid, role=role, aliases=list(aliases), mentions=[mention])

    def rec(n: int, title: str, entities: list[Entity], results: tuple = (), links: tuple = ()) -> PaperRecord:
        paper = Paper(id=f"paper:p{n}", title=title, abstract=f"Abstract of paper {n}.")
        found = [Result(metric=m, dataset=d, value=v, text=f"{v} {m} on {d}") for m, d, v in results]
        return PaperRecord(id=paper.id, title=title, paper=paper, entities=entities, results=found, links=list(links))

    imagenet = ("Dataset", "ImageNet")
    return to_networkx(
        [
            rec(1, "ViT-Lite: small vision transformers",
                [ent("Method", "ViT-Lite", "proposed"), ent("Method", "Transformer", "used"),
                 ent(*imagenet, "evaluated", ("ILSVRC",)), ent("Dataset", "CIFAR-10", "evaluated"),
                 ent("Metric", "accuracy", "measured"), ent("Task", "image classification", "addressed")],
                results=[("accuracy", "ImageNet", "81.5%")],
                links=[Link(url="https://github.com/example/vit-lite", kind="code")]),
            rec(2, "ConvMix: mixing convolutions",
                [ent("Method", "ResNet", "used"), ent(*imagenet, "evaluated"),
                 ent("Metric", "accuracy", "measured"), ent("Task", "image classification", "addressed")],
                results=[("accuracy", "ImageNet", "79.0%")]),
            rec(3, "Residual networks on small images",
                [ent("Method", "ResNet", "used"), ent(*imagenet, "evaluated"), ent("Dataset", "CIFAR-10", "evaluated"),
                 ent("Metric", "accuracy", "measured"), ent("Task", "image classification", "addressed")],
                results=[("accuracy", "CIFAR-10", "95.1%")]),
            rec(4, "Reading with BERT",
                [ent("Method", "BERT", "used"), ent("Method", "Transformer", "used"), ent("Dataset", "SQuAD", "evaluated"),
                 ent("Metric", "F1", "measured"), ent("Task", "question answering", "addressed")],
                results=[("F1", "SQuAD", "88.0")]),
            rec(5, "LongBERT and the LongQA dataset",
                [ent("Method", "LongBERT", "proposed"), ent("Method", "BERT", "used"), ent("Dataset", "SQuAD", "evaluated"),
                 ent("Dataset", "LongQA", "introduced"), ent("Metric", "F1", "measured"),
                 ent("Task", "question answering", "addressed")],
                results=[("F1", "SQuAD", "90.2"), ("F1", "LongQA", "71.3")]),
        ]
    )


# --------------------------------------------------------------------------- internals


def _check_label(label: str) -> None:
    if label not in NODE_LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(NODE_LABELS)}")


def _labels(labels: Iterable[str]) -> frozenset[str]:
    if isinstance(labels, str):
        labels = [labels]
    out = frozenset(labels)
    for label in out:
        _check_label(label)
    return out


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _papers_of(graph: nx.MultiDiGraph, entity: str, rel_types: Optional[Iterable[str]]) -> list[str]:
    """Papers linking to ``entity`` (through edges of ``rel_types``, if given), sorted, each once."""
    rels = None if rel_types is None else set(rel_types)
    return sorted(
        {
            source
            for source, _, key in graph.in_edges(entity, keys=True)
            if graph.nodes[source].get("label") == "Paper" and (rels is None or key in rels)
        }
    )


def _idf(graph: nx.MultiDiGraph):
    n = sum(1 for _, d in graph.nodes(data=True) if d.get("label") == "Paper") or 1
    cache: dict[str, float] = {}

    def weight(entity: str) -> float:
        if entity not in cache:
            cache[entity] = math.log(1 + n / max(1, len(_papers_of(graph, entity, None))))
        return cache[entity]

    return weight


def _names(graph: nx.MultiDiGraph, name: Optional[str], label: str) -> Optional[set[str]]:
    """Normalised names a filter accepts: the name itself and every name/alias of the entity it finds."""
    if name is None:
        return None
    names = {_norm(name)}
    for node in find_entity(graph, name, label=label):
        data = graph.nodes[node]
        names |= {_norm(form) for form in [data.get("name", ""), *data.get("aliases", [])]}
    return names
