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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Union

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
        data[key] = _encode_value(value)


def _encode_value(value: Any) -> Any:
    """One attribute as GraphML holds it: lists/dicts as JSON text, None as "", XML-invalid characters as U+FFFD."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, str):
        return _XML_INVALID.sub("\ufffd", value)
    return value


def _encoded_type(value: Any) -> type:
    """``type(_encode_value(value))`` without encoding anything (``re.sub`` always returns a plain str)."""
    if value is None or isinstance(value, (list, dict, str)):
        return str
    return type(value)


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


# --------------------------------------------------------------------------- streaming writers
#
# graph.json and graph.graphml of a large build, written one node / edge at a time: the same bytes as
# json.dump(graph_to_json(graph), ...) and nx.write_graphml(graphml_ready(graph), ...) without their two
# canonical() copies, the node-link dict and networkx's in-memory ElementTree.


def _sorted_nodes(graph: nx.MultiDiGraph) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(node, data) in ``sorted(graph.nodes)`` order, as :func:`canonical` adds them."""
    nodes = graph.nodes
    for node in sorted(nodes):
        yield node, nodes[node]


def _sorted_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    """(u, v, key, data) in ``sorted(graph.edges(keys=True))`` order, as :func:`canonical` adds them.

    For a directed graph the order comes from sorting sources, then each one's
    targets, then keys (lexicographic tuple order), so no list of every edge is built.
    """
    if not graph.is_directed():
        for u, v, k in sorted(graph.edges(keys=True)):
            yield u, v, k, graph.edges[u, v, k]
        return
    adj = graph.adj
    for u in sorted(adj):
        nbrs = adj[u]
        for v in sorted(nbrs):
            keydict = nbrs[v]
            for k in sorted(keydict):
                yield u, v, k, keydict[k]


def _json_at(obj: Any, depth: int) -> str:
    """``obj`` as ``json.dump(..., indent=1)`` writes it ``depth`` levels deep (JSON strings hold no raw newline)."""
    text = json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("\n", "\n" + " " * depth) if depth else text


def _write_json_list(fh: IO[str], items: Iterable[Any]) -> None:
    sep = "[\n  "
    for item in items:
        fh.write(sep)
        fh.write(_json_at(item, 2))
        sep = ",\n  "
    fh.write("[]" if sep == "[\n  " else "\n ]")


def write_graph_json(graph: nx.MultiDiGraph, fh: IO[str]) -> None:
    """Write graph.json to the text file ``fh``, one element at a time.

    The same text, trailing newline included, as
    ``json.dump(graph_to_json(graph), fh, ensure_ascii=False, indent=1, sort_keys=True); fh.write("\\n")``,
    without copying the graph or building the node-link dict.
    """
    fh.write('{\n "directed": true,\n "edges": ')
    _write_json_list(fh, ({**d, "source": u, "target": v, "key": k} for u, v, k, d in _sorted_edges(graph)))
    fh.write(',\n "graph": ')
    fh.write(_json_at(graph.graph, 1))
    fh.write(',\n "multigraph": true,\n "nodes": ')
    _write_json_list(fh, ({**d, "id": n} for n, d in _sorted_nodes(graph)))
    fh.write("\n}\n")


def _xml_text(text: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _xml_attr(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    text = _xml_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _xml_element(tag: str, attrs: dict[str, str], text: str = "") -> str:
    """A childless element as ElementTree writes it (``<tag a="v" />`` when it has no text)."""
    head = "<" + tag + "".join(f' {k}="{_xml_attr(v)}"' for k, v in attrs.items())
    return f"{head}>{_xml_text(text)}</{tag}>" if text else head + " />"


class _GraphMLKeys:
    """The GraphML ``<key>`` table: one id ``d0, d1, ...`` per (name, type, scope), in creation order."""

    def __init__(self) -> None:
        types = nx.readwrite.graphml.GraphML()
        types.construct_types()
        self.xml_type = types.xml_type  # the writer's python type -> GraphML type (for int the last, "long", wins)
        self.ids: dict[tuple[str, str, str], str] = {}
        self.elements: list[str] = []

    def add(self, scope: str, data: dict[Any, Any], default: dict[Any, Any], encoded: bool) -> None:
        for k, v in data.items():
            self.id(str(k), _encoded_type(v) if encoded else type(v), scope, default.get(k))

    def id(self, name: str, python_type: type, scope: str, default: Any = None) -> str:
        if python_type not in self.xml_type:
            raise nx.NetworkXError(f"GraphML writer does not support {python_type} as data values.")
        key = (name, self.xml_type[python_type], scope)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = f"d{len(self.ids)}"
            attrs = {"id": found, "for": scope, "attr.name": name, "attr.type": key[1]}
            if default is None:
                self.elements.append(_xml_element("key", attrs))
            else:
                head = _xml_element("key", attrs)[:-3] + ">"
                self.elements.append(f"{head}\n    {_xml_element('default', {}, str(default))}\n  </key>")
        return found


def _graphml_data(keys: _GraphMLKeys, scope: str, data: dict[Any, Any], indent: str, encode: bool) -> str:
    parts = []
    for k, v in data.items():
        if encode:
            v = _encode_value(v)
        parts.append(indent + _xml_element("data", {"key": keys.id(str(k), type(v), scope)}, str(v)))
    return "".join(parts)


@nx.utils.open_file(1, mode="wb")
def write_graphml(graph: nx.MultiDiGraph, path_or_fh: Union[PathLike, IO[bytes]]) -> None:
    """Write graph.graphml to a path or binary file, one node / edge at a time.

    The same bytes as ``nx.write_graphml(graphml_ready(graph), path, encoding="utf-8",
    prettyprint=True)`` (networkx's ElementTree writer), without copying the
    graph or building the XML tree: a first pass collects the ``<key>``
    table, which precedes ``<graph>``, and a second writes the elements.
    Node and edge values are encoded as :func:`graphml_ready` does, graph
    attributes are written as they are.
    """
    fh = path_or_fh
    node_default = graph.graph.get("node_default", {})
    edge_default = graph.graph.get("edge_default", {})
    graph_data = {k: v for k, v in graph.graph.items() if k not in ("node_default", "edge_default", "id")}
    keys = _GraphMLKeys()
    keys.add("graph", graph_data, {}, encoded=False)
    for _, data in _sorted_nodes(graph):
        keys.add("node", data, node_default, encoded=True)
    for _, _, _, data in _sorted_edges(graph):
        keys.add("edge", data, edge_default, encoded=True)

    gml = nx.readwrite.graphml.GraphML
    root = {"xmlns": gml.NS_GRAPHML, "xmlns:xsi": gml.NS_XSI, "xsi:schemaLocation": gml.SCHEMALOCATION}
    graph_attrs = {"edgedefault": "directed"}
    if graph.graph.get("id") is not None:
        graph_attrs["id"] = graph.graph["id"]
    buf: list[str] = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        _xml_element("graphml", root)[:-3] + ">",
        *("\n  " + key for key in reversed(keys.elements)),
        "\n  ",
    ]
    graph_open = _xml_element("graph", graph_attrs)[:-3] + ">"
    has_children = bool(graph_data) or len(graph) > 0
    buf.append(graph_open if has_children else graph_open[:-1] + " />")
    size = 0

    def emit(tag: str, attrs: dict[str, str], body: str) -> None:
        nonlocal size
        element = _xml_element(tag, attrs)
        if body:
            element = element[:-3] + ">" + body + f"\n    </{tag}>"
        buf.append("\n    " + element)
        size += len(element)
        if size > 1 << 16:
            flush()

    def flush() -> None:
        nonlocal size
        fh.write("".join(buf).encode("utf-8", "xmlcharrefreplace"))
        buf.clear()
        size = 0

    for node, data in _sorted_nodes(graph):
        emit("node", {"id": str(node)}, _graphml_data(keys, "node", data, "\n      ", encode=True))
    for u, v, k, data in _sorted_edges(graph):
        emit("edge", {"source": str(u), "target": str(v), "id": str(k)},
             _graphml_data(keys, "edge", data, "\n      ", encode=True))
    buf.append(_graphml_data(keys, "graph", graph_data, "\n    ", encode=False))
    if has_children:
        buf.append("\n  </graph>")
    buf.append("\n</graphml>\n")
    flush()


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
