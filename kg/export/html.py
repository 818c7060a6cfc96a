"""``graph.html``: the interactive page, offline and safe with hostile abstracts.

pyvis builds the vis-network node and edge records; the page comes from our
own template (``kg/html/``) because pyvis's template loads Bootstrap and
tom-select from CDNs whatever ``cdn_resources`` says. vis-network's script and
stylesheet are read from the installed pyvis package and inlined, so the page
makes no request at all; a Content-Security-Policy (script hashes, no remote
source of any kind) makes that a rule of the page, not only a habit.

Every input-derived string that reaches HTML (tooltips, the note, the title) is
escaped here with :func:`html.escape`; links are kept only for ``http(s)``
URLs. Strings drawn on the canvas (node labels) travel as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written
as ``\\u`` escapes, so nothing in them can close the block. The page script
also sanitises every tooltip (allow-listed tags and attributes, parsed in an
inert document) before it is shown: a second wall, not the first.

Big graphs: past ``max_nodes`` (default :data:`DEFAULT_MAX_NODES`) the page
shows the most connected part, grown best-first from the highest-degree node
(:func:`select_nodes`), with a visible note of what was left out. The layout is
stabilised with physics, then physics is switched off so the graph stops moving.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from heapq import heappop, heappush
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

import networkx as nx

from ..errors import InputError
from ..io import atomic_write
from ..models import NODE_LABELS

#: most nodes drawn unless ``max_nodes`` says otherwise; vis-network stays fluid up to about here
DEFAULT_MAX_NODES = 2000

#: colour (Okabe-Ito, colour-blind safe) and vis-network shape per node label
LABEL_STYLES: dict[str, tuple[str, str]] = {
    "Paper": ("#0072B2", "square"),
    "Method": ("#E69F00", "dot"),
    "Dataset": ("#009E73", "diamond"),
    "Metric": ("#CC79A7", "triangle"),
    "Task": ("#D55E00", "star"),
    "Repository": ("#555555", "hexagon"),
}
OTHER_STYLE = ("#999999", "dot")

#: plural headings for a paper's entities in its tooltip
_PLURAL = {"Method": "Methods", "Dataset": "Datasets", "Metric": "Metrics", "Task": "Tasks", "Repository": "Code"}
#: how a relationship reads from the entity's side ("used by 12 papers")
_REL_VERB = {
    "PROPOSES": "proposed by",
    "USES": "used by",
    "INTRODUCES": "introduced by",
    "EVALUATES_ON": "used for evaluation by",
    "MEASURES": "reported by",
    "ADDRESSES": "addressed by",
    "HAS_CODE": "code of",
}
_PAPER_LABEL_CHARS = 34
_TITLE_CHARS = 300
_ABSTRACT_CHARS = 360
_SENTENCE_CHARS = 400
_LIST_ITEMS = 12
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


# --------------------------------------------------------------------------- escaping


def escape(value: Any) -> str:
    """Text -> HTML text, quotes included, so it is safe in elements and attributes.

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: Any) -> Optional[str]:
    """``url`` if it is an absolute ``http(s)`` URL with a host, else ``None``.

    ``javascript:``, ``data:``, relative and protocol-relative URLs, and URLs
    with spaces or control characters are dropped rather than repaired.

    Examples
    --------
    >>> safe_url("https://github.com/org/repo")
    'https://github.com/org/repo'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _link(url: Any, text: str) -> str:
    good = safe_url(url)
    if good is None:
        return ""
    return f'<a href="{escape(good)}" target="_blank" rel="noopener noreferrer">{escape(text)}</a>'


def _clip(text: Any, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the ``<script>`` block it sits in (nor open a comment)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# --------------------------------------------------------------------------- what to show


@dataclass
class Selection:
    """The nodes a page shows and what was left out, by label.

    ``nodes`` is in selection order (most connected first when capped);
    ``filtered_out`` counts nodes removed by ``labels`` / ``min_degree``;
    ``capped_out`` counts those left out by the ``max_nodes`` cap.
    """

    nodes: list[str]
    total: int
    max_nodes: int
    filtered_out: Counter = field(default_factory=Counter)
    capped_out: Counter = field(default_factory=Counter)

    @property
    def capped(self) -> bool:
        return sum(self.capped_out.values()) > 0


def _neighbours(graph: nx.MultiDiGraph) -> dict[Any, set]:
    nbrs: dict[Any, set] = {n: set() for n in graph}
    for u, v in graph.edges():
        if u != v:
            nbrs[u].add(v)
            nbrs[v].add(u)
    return nbrs


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label") or "")


def select_nodes(
    graph: nx.MultiDiGraph,
    *,
    max_nodes: Optional[int] = None,
    labels: Optional[Iterable[str]] = None,
    min_degree: int = 0,
) -> Selection:
    """Choose the nodes to draw: filter by label and degree, then cap.

    ``labels`` keeps only nodes with those labels; ``min_degree`` drops
    entities linked to fewer distinct papers (papers are kept). Past
    ``max_nodes`` (default :data:`DEFAULT_MAX_NODES`) the most connected part
    is kept: start at the highest-degree node and repeatedly add the
    highest-degree node adjacent to what is kept (then the next component),
    so the page shows hubs *with* their neighbourhoods, not scattered dots.
    Ties break by node id, so the choice is stable.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("p1", "m", key="USES"); g.add_edge("p2", "m", key="USES")
    'USES'
    'USES'
    >>> for n, lab in [("p1", "Paper"), ("p2", "Paper"), ("m", "Method")]:
    ...     g.nodes[n]["label"] = lab
    >>> select_nodes(g, max_nodes=2).nodes
    ['m', 'p1']
    """
    cap = DEFAULT_MAX_NODES if max_nodes is None else int(max_nodes)
    if cap < 1:
        raise InputError(f"max_nodes must be at least 1, got {max_nodes}")
    wanted = None
    if labels is not None:
        wanted = {str(x).strip() for x in labels if str(x).strip()}
        unknown = sorted(wanted - set(NODE_LABELS))
        if unknown:
            raise InputError(f"unknown label {', '.join(unknown)} (expected some of {', '.join(NODE_LABELS)})")
    nbrs = _neighbours(graph)
    filtered_out: Counter = Counter()
    candidates = set()
    for node in graph:
        label = _label(graph, node)
        if wanted is not None and label not in wanted:
            filtered_out[label] += 1
            continue
        if min_degree > 0 and label != "Paper":
            papers = sum(1 for m in nbrs[node] if _label(graph, m) == "Paper")
            if papers < min_degree:
                filtered_out[label] += 1
                continue
        candidates.add(node)
    degree = {n: sum(1 for m in nbrs[n] if m in candidates) for n in candidates}
    order = sorted(candidates, key=lambda n: (-degree[n], str(n)))
    if len(order) <= cap:
        return Selection(order, graph.number_of_nodes(), cap, filtered_out)
    chosen: list = []
    kept: set = set()
    heap: list = []
    seeds = iter(order)
    while len(chosen) < cap:
        if not heap:
            seed = next((n for n in seeds if n not in kept), None)
            if seed is None:
                break
            heappush(heap, (-degree[seed], str(seed), seed))
        _, _, node = heappop(heap)
        if node in kept:
            continue
        kept.add(node)
        chosen.append(node)
        for m in nbrs[node]:
            if m in candidates and m not in kept:
                heappush(heap, (-degree[m], str(m), m))
    capped_out = Counter(_label(graph, n) for n in candidates if n not in kept)
    return Selection(chosen, graph.number_of_nodes(), cap, filtered_out, capped_out)


# --------------------------------------------------------------------------- tooltips (escaped HTML)


def _counts(items: Counter) -> str:
    return ", ".join(f"{n:,} {label or 'unlabelled'}" for label, n in sorted(items.items(), key=lambda kv: (-kv[1], kv[0])))


def _names_list(names: list[str]) -> str:
    shown = ", ".join(escape(_clip(n, 80)) for n in names[:_LIST_ITEMS])
    if len(names) > _LIST_ITEMS:
        shown += f" <i>+{len(names) - _LIST_ITEMS} more</i>"
    return shown


def paper_tooltip(graph: nx.MultiDiGraph, node: Any) -> str:
    """A paper's tooltip: title, date, authors, links, extracted entities, abstract start."""
    data = graph.nodes[node]
    parts = ['<div class="kg-tip kg-tip-paper">', '<div class="kg-tip-kind">Paper</div>']
    parts.append(f'<div class="kg-tip-title">{escape(_clip(data.get("title") or data.get("name"), _TITLE_CHARS))}</div>')
    meta = []
    if data.get("published"):
        meta.append(escape(_clip(data["published"], 40)))
    authors = [str(a) for a in data.get("authors") or []]
    n_authors = data.get("n_authors", -1)
    if authors:
        meta.append(escape(_clip(", ".join(authors[:3]), 120)) + (" et al." if len(authors) > 3 else ""))
    elif isinstance(n_authors, int) and n_authors > 0:
        meta.append(f"{n_authors} author{'s' if n_authors != 1 else ''}")
    if data.get("arxiv_id"):
        meta.append("arXiv " + escape(_clip(data["arxiv_id"], 40)))
    upvotes = data.get("upvotes", -1)
    if isinstance(upvotes, int) and upvotes >= 0:
        meta.append(f"{upvotes} upvote{'s' if upvotes != 1 else ''}")
    if meta:
        parts.append(f'<div class="kg-tip-meta">{" · ".join(meta)}</div>')
    links = []
    by_label: dict[str, list[str]] = {}
    for _, target, key, edata in sorted(graph.out_edges(node, keys=True, data=True), key=lambda e: (str(e[2]), str(e[1]))):
        tdata = graph.nodes[target]
        tlabel = str(tdata.get("label") or "")
        name = str(tdata.get("name") or target)
        if tlabel == "Repository":
            link = _link(tdata.get("url"), "code: " + _clip(name, 60))
            if link:
                links.append(link)
            continue
        shown = name + (" (proposed)" if key == "PROPOSES" else " (introduced)" if key == "INTRODUCES" else "")
        if shown not in by_label.setdefault(tlabel, []):
            by_label[tlabel].append(shown)
    paper_link = _link(data.get("url"), "paper")
    if paper_link:
        links.insert(0, paper_link)
    for url in data.get("project_urls") or []:
        link = _link(url, "project page")
        if link:
            links.append(link)
    if links:
        parts.append(f'<div class="kg-tip-links">{" · ".join(links)}</div>')
    if by_label:
        parts.append('<dl class="kg-tip-entities">')
        for label in [x for x in NODE_LABELS if x in by_label] + sorted(set(by_label) - set(NODE_LABELS)):
            parts.append(f"<dt>{escape(_PLURAL.get(label, label))}</dt><dd>{_names_list(by_label[label])}</dd>")
        parts.append("</dl>")
    results = data.get("results") or []
    if results:
        shown = []
        for r in results[:4]:
            if isinstance(r, dict):
                text = f"{r.get('metric', '')} {r.get('value', '')}" + (f" on {r['dataset']}" if r.get("dataset") else "")
                shown.append(escape(_clip(text, 100)))
        if shown:
            parts.append(f'<div class="kg-tip-results">Results: {"; ".join(shown)}</div>')
    if data.get("abstract"):
        parts.append(f'<div class="kg-tip-text">{escape(_clip(data["abstract"], _ABSTRACT_CHARS))}</div>')
    parts.append("</div>")
    return "".join(parts)


def entity_tooltip(graph: nx.MultiDiGraph, node: Any) -> str:
    """An entity's tooltip: name, label, how many papers link to it and how, aliases."""
    data = graph.nodes[node]
    label = str(data.get("label") or "")
    name = str(data.get("name") or node)
    papers = {u for u, _ in graph.in_edges(node)}
    by_rel: Counter = Counter()
    for _, _, key in graph.in_edges(node, keys=True):
        by_rel[str(key)] += 1
    parts = ['<div class="kg-tip kg-tip-entity">', f'<div class="kg-tip-kind">{escape(label or "Node")}</div>']
    parts.append(f'<div class="kg-tip-title">{escape(_clip(name, _TITLE_CHARS))}</div>')
    line = f"{len(papers):,} paper{'s' if len(papers) != 1 else ''}"
    if by_rel:
        line += ": " + ", ".join(f"{_REL_VERB.get(rel, rel.lower())} {n:,}" for rel, n in sorted(by_rel.items(), key=lambda kv: (-kv[1], kv[0])))
    parts.append(f'<div class="kg-tip-meta">{escape(line)}</div>')
    if label == "Repository":
        link = _link(data.get("url"), _clip(data.get("url") or name, 100))
        if link:
            parts.append(f'<div class="kg-tip-links">{link}</div>')
    aliases = [str(a) for a in data.get("aliases") or [] if str(a) != name and not (label == "Repository" and a == data.get("url"))]
    if aliases:
        parts.append(f'<div class="kg-tip-aliases">Also written: {_names_list(aliases)}</div>')
    parts.append("</div>")
    return "".join(parts)


def edge_tooltip(graph: nx.MultiDiGraph, source: Any, target: Any) -> str:
    """The tooltip of every relationship from ``source`` to ``target``: type, evidence, results."""
    sname = _clip(graph.nodes[source].get("name") or source, 70)
    tname = _clip(graph.nodes[target].get("name") or target, 70)
    rels = sorted(graph.get_edge_data(source, target, default={}).items(), key=lambda kv: str(kv[0]))
    kinds = " + ".join(escape(str(data.get("type") or key)) for key, data in rels)
    parts = ['<div class="kg-tip kg-tip-edge">', f'<div class="kg-tip-kind">{kinds}</div>']
    parts.append(f'<div class="kg-tip-title">{escape(sname)} \u2192 {escape(tname)}</div>')
    for key, data in rels:
        rel = str(data.get("type") or key)
        count = data.get("count", 1)
        head = f"{rel} · {count} mention{'s' if count != 1 else ''}" if isinstance(count, int) else rel
        rules = [str(r) for r in data.get("rules") or []]
        if rules:
            head += " · rule " + ", ".join(rules[:3])
        parts.append(f'<div class="kg-tip-rel">{escape(head)}</div>')
        evidence = [str(s) for s in data.get("evidence") or [] if s] or ([str(data["sentence"])] if data.get("sentence") else [])
        for sentence in evidence[:2]:
            parts.append(f'<blockquote class="kg-tip-text">{escape(_clip(sentence, _SENTENCE_CHARS))}</blockquote>')
        for r in (data.get("results") or [])[:3]:
            if isinstance(r, dict):
                text = f"{r.get('metric', '')} {r.get('value', '')}" + (f" on {r['dataset']}" if r.get("dataset") else "")
                parts.append(f'<div class="kg-tip-results">{escape(_clip(text, 100))}</div>')
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- pyvis network


class _IdList(list):
    """pyvis keeps node ids in a list and scans it per node and per edge; keep its
    API but answer ``in`` from a set, so 20,000 nodes do not take minutes."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: set = set()

    def append(self, item: Any) -> None:  # type: ignore[override]
        super().append(item)
        self._ids.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._ids


def _style(label: str) -> tuple[str, str]:
    return LABEL_STYLES.get(label, OTHER_STYLE)


def _value(label: str, degree: int) -> float:
    """Size by degree; papers stay small so the shared entities (and their labels) stand out."""
    if label == "Paper":
        return round(1 + 0.3 * math.sqrt(degree), 3)
    return round(math.sqrt(degree + 1), 3)


def _node_text(data: dict, node: Any) -> str:
    if data.get("label") == "Paper":
        return _clip(data.get("title") or data.get("name") or node, _PAPER_LABEL_CHARS)
    return _clip(data.get("name") or node, 48)


def _options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options: forceAtlas2 layout stabilised in a bounded number of steps, sizes by degree."""
    iterations = int(max(120, min(1000, 250_000 / max(1, n_nodes))))
    # big graphs are seen zoomed out: hubs need big labels to stay readable; small graphs do not
    node_max = int(min(50, max(24, n_nodes / 20)))
    label_max = int(min(95, max(18, n_nodes / 12)))
    return {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {"size": 14, "face": "system-ui, 'DejaVu Sans', sans-serif", "color": "#1f2328",
                     "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"min": 7, "max": node_max,
                        "label": {"enabled": True, "min": 12, "max": label_max, "maxVisible": 28, "drawThreshold": 8}},
        },
        "edges": {
            "color": {"color": "#b9c1cc", "highlight": "#33383f", "hover": "#33383f", "inherit": False, "opacity": 0.8},
            "width": 1,
            "selectionWidth": 2,
            "hoverWidth": 1.5,
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.35}},
        },
        "physics": {
            "enabled": n_nodes > 1,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -45, "centralGravity": 0.02,
                                 "springLength": 45 if n_nodes > 200 else 90,
                                 "springConstant": 0.06, "damping": 0.5, "avoidOverlap": 0.5},
            "maxVelocity": 60,
            "minVelocity": 1,
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 20, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_edges > 3000,
                        "hideEdgesOnZoom": n_edges > 6000, "multiselect": False, "navigationButtons": False},
        "layout": {"improvedLayout": n_nodes <= 100, "randomSeed": 7},
    }


def _network(graph: nx.MultiDiGraph, selection: Selection) -> tuple[Any, dict, dict]:
    """pyvis ``Network`` of the selection, plus the node and edge tooltips by vis id."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    net.node_ids = _IdList()
    keep = set(selection.nodes)
    node_tips: dict[str, str] = {}
    for node in selection.nodes:
        data = graph.nodes[node]
        label = str(data.get("label") or "")
        colour, shape = _style(label)
        vid = str(node)
        degree = len((set(graph.successors(node)) | set(graph.predecessors(node))) - {node})
        net.add_node(
            vid,
            label=_node_text(data, node) or vid,
            shape=shape,
            color={"background": colour, "border": "#ffffff" if shape in ("dot", "square", "hexagon") else colour,
                   "highlight": {"background": colour, "border": "#1f2328"},
                   "hover": {"background": colour, "border": "#1f2328"}},
            value=_value(label, degree),
            kgLabel=label,
        )
        node_tips[vid] = paper_tooltip(graph, node) if label == "Paper" else entity_tooltip(graph, node)
    edge_tips: dict[str, str] = {}
    pairs = sorted({(u, v) for u, v in graph.edges() if u in keep and v in keep}, key=lambda p: (str(p[0]), str(p[1])))
    for i, (u, v) in enumerate(pairs):
        eid = f"e{i}"
        net.add_edge(str(u), str(v), id=eid)
        edge_tips[eid] = edge_tooltip(graph, u, v)
    net.options = _options(len(selection.nodes), len(pairs))
    return net, node_tips, edge_tips


# --------------------------------------------------------------------------- the page


def _asset(name: str) -> str:
    return resources.files("kg").joinpath("html", name).read_text(encoding="utf-8")


def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside the installed pyvis wheel."""
    import pyvis

    base = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    if not base.is_dir():
        base = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
    try:
        js = (base / "vis-network.min.js").read_text(encoding="utf-8")
        css = (base / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(f"vis-network 9.1.2 not found in the installed pyvis ({base}); reinstall pyvis>=0.3.2") from exc
    if "</script" in js.lower() or "</style" in css.lower():
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return js, css


def _csp(scripts: list[str]) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'" for s in scripts
    )
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; font-src 'none'; connect-src 'none'; media-src 'none'; "
        "object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'"
    )


_SHAPE_SVG = {
    "square": '<rect x="3" y="3" width="12" height="12"/>',
    "dot": '<circle cx="9" cy="9" r="6.5"/>',
    "diamond": '<polygon points="9,1.5 16.5,9 9,16.5 1.5,9"/>',
    "triangle": '<polygon points="9,2 16.5,15.5 1.5,15.5"/>',
    "star": '<polygon points="9,1.2 11.1,6.6 16.8,6.8 12.3,10.3 13.9,15.9 9,12.6 4.1,15.9 5.7,10.3 1.2,6.8 6.9,6.6"/>',
    "hexagon": '<polygon points="9,1.5 15.5,5.2 15.5,12.8 9,16.5 2.5,12.8 2.5,5.2"/>',
}


def _legend(graph: nx.MultiDiGraph, selection: Selection) -> list[dict[str, Any]]:
    shown = Counter(_label(graph, n) for n in selection.nodes)
    labels = [x for x in NODE_LABELS if shown[x]] + sorted(x for x in shown if x not in NODE_LABELS)
    items = []
    for label in labels:
        colour, shape = _style(label)
        svg = _SHAPE_SVG.get(shape, _SHAPE_SVG["dot"])
        items.append({"label": label, "count": shown[label], "colour": colour, "svg": svg})
    return items


def _notes(selection: Selection, labels: Optional[list[str]], min_degree: int) -> list[str]:
    notes = []
    if selection.capped:
        left = sum(selection.capped_out.values())
        notes.append(
            f"Showing the {len(selection.nodes):,} most connected of {len(selection.nodes) + left:,} nodes "
            f"(cap {selection.max_nodes:,}). Left out: {_counts(selection.capped_out)}. "
            "Run `kg html DIR --max-nodes N` to show more, or --labels / --min-degree to focus."
        )
    if selection.filtered_out:
        why = []
        if labels is not None:
            why.append("labels " + ", ".join(labels))
        if min_degree > 0:
            why.append(f"entities in fewer than {min_degree} papers dropped")
        notes.append(f"Filtered ({'; '.join(why)}): {_counts(selection.filtered_out)} hidden.")
    return notes


def page_html(
    graph: nx.MultiDiGraph,
    *,
    max_nodes: Optional[int] = None,
    labels: Optional[list[str]] = None,
    min_degree: int = 0,
    title: str = "kg graph",
) -> str:
    """The whole self-contained page as a string (see :func:`render_html`)."""
    import jinja2

    selection = select_nodes(graph, max_nodes=max_nodes, labels=labels, min_degree=min_degree)
    net, node_tips, edge_tips = _network(graph, selection)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    search = {}
    for node in selection.nodes:
        data = graph.nodes[node]
        words = [str(data.get("name") or ""), str(data.get("title") or "")]
        words += [str(a) for a in data.get("aliases") or []]
        search[str(node)] = " \u0001 ".join(w for w in words if w).lower()
    notes = _notes(selection, labels, min_degree)
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "tips": {"node": node_tips, "edge": edge_tips},
        "search": search,
        "meta": {
            "total_nodes": selection.total,
            "shown_nodes": len(selection.nodes),
            "max_nodes": selection.max_nodes,
            "capped": selection.capped,
            "capped_out": dict(selection.capped_out),
            "filtered_out": dict(selection.filtered_out),
            "notes": notes,
        },
    }
    vis_js, vis_css = _vis_assets()
    page_js, page_css = _asset("page.js"), _asset("page.css")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("template.html"))
    return template.render(
        title=_clip(title, 200) or "kg graph",
        csp=_csp([vis_js, page_js]),
        vis_css=vis_css,
        page_css=page_css,
        vis_js=vis_js,
        page_js=page_js,
        data_json=_json_for_script(payload),
        legend=_legend(graph, selection),
        notes=notes,
        shown=len(selection.nodes),
        n_edges=len(edges),
        total=selection.total,
    )


def render_html(
    graph: nx.MultiDiGraph,
    path: "str | os.PathLike[str]",
    *,
    max_nodes: Optional[int] = None,
    labels: Optional[list[str]] = None,
    min_degree: int = 0,
    title: str = "kg graph",
) -> None:
    """Write the interactive page of ``graph`` to ``path``, atomically.

    The page is one self-contained file: vis-network inlined, no request to
    any server, every input string escaped. Colour and shape per label with a
    legend, node size by degree, search by name, filter by label, tooltips
    with titles, links and evidence sentences. ``graph`` is not modified and
    nothing is written anywhere but ``path``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A built graph (:func:`kg.load_graph`).
    path : path-like
        The HTML file to write (replaced only once complete).
    max_nodes : int, optional
        Draw at most this many nodes, the most connected part (default
        :data:`DEFAULT_MAX_NODES`); the page says what was left out.
    labels : list of str, optional
        Only nodes with these labels (e.g. ``["Paper", "Dataset"]``).
    min_degree : int
        Drop entities linked to fewer papers than this.
    title : str
        Page title and heading.

    Examples
    --------
    >>> import kg
    >>> render_html(kg.load_graph("out"), "out/graph.html", max_nodes=500)  # doctest: +SKIP
    """
    text = page_html(graph, max_nodes=max_nodes, labels=labels, min_degree=min_degree, title=title)
    with atomic_write(path) as fh:
        fh.write(text)
