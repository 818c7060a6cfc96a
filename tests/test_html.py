"""graph.html without a browser: escaping, URL policy, no remote reference, cap selection, no side effects."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import InputError
from kg.export.html import (
    DEFAULT_MAX_NODES,
    LABEL_STYLES,
    escape,
    page_html,
    render_html,
    safe_url,
    select_nodes,
)
from kg.graph import graph_to_json, to_networkx
from kg.models import Entity, Link, Mention, Paper, PaperRecord, Result

# Each payload, if it ever ran, would set window.__pwned or open a dialog.
PAYLOADS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "\"><svg onload=window.__pwned='svg'><\"",
    "</script><script>window.__pwned='breakout'</script><!--",
    "<a href=\"javascript:window.__pwned='link'\">click me</a>",
    "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "<img src=y onerror=alert(1)>",
    "{{ 7*7 }} ${7*7} &amp; &lt;b&gt; ' \" ` \u2028 end",
]
EVIL = " ".join(PAYLOADS)
BAD_URLS = [
    "javascript:window.__pwned='url'",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x.js",
    "/relative/path",
    "https://",
]


def hostile_graph() -> nx.MultiDiGraph:
    """A graph whose every text field (title, abstract, names, aliases, evidence, URLs, ids) is hostile.

    Built from records directly, bypassing the reader's markup stripping: graph.json
    can come from anywhere, so the page must be safe on its own.
    """
    sentence = "We propose " + PAYLOADS[1] + " and beat " + PAYLOADS[0]
    p1 = Paper(
        id="arxiv:2401.00001",
        title="Title " + EVIL,
        abstract="Abstract " + EVIL,
        url=BAD_URLS[0],
        arxiv_id="2401.00001" + PAYLOADS[6],
        published=PAYLOADS[1],
        authors=[PAYLOADS[2], "O'Brien \"Bob\""],
    )
    p2 = Paper(id="title:" + PAYLOADS[1], title="Second " + PAYLOADS[3], abstract=PAYLOADS[5], url="https://arxiv.org/abs/2401.00002")

    def mention(text: str) -> Mention:
        return Mention(field="abstract", start=0, end=len(text), text=text, rule="rule<" + PAYLOADS[6], sentence=sentence)

    ents1 = [
        Entity(type="Method", name="Evil" + PAYLOADS[1], id="method:" + PAYLOADS[0], role="proposed",
               aliases=[PAYLOADS[2], PAYLOADS[4]], mentions=[mention("EvilNet")]),
        Entity(type="Dataset", name=PAYLOADS[3], id="dataset:evil", role="evaluated", mentions=[mention("x")]),
        Entity(type="Metric", name="acc " + PAYLOADS[7], id="metric:acc", role="measured", mentions=[mention("acc")]),
        Entity(type="Task", name=PAYLOADS[5], id="task:evil", role="addressed", mentions=[mention("t")]),
    ]
    links1 = [
        Link(url=BAD_URLS[0], kind="code", sentence=PAYLOADS[0]),
        Link(url="https://github.com/evil/repo\"onmouseover=\"window.__pwned='attr'", kind="code", sentence=PAYLOADS[1]),
        Link(url=BAD_URLS[4], kind="project"),
        Link(url="https://example.org/project?a=1&b=<x>", kind="project"),
    ]
    results = [Result(metric="acc " + PAYLOADS[7], dataset=PAYLOADS[3], value="91.2" + PAYLOADS[6], text=PAYLOADS[1])]
    ents2 = [Entity(type="Method", name="Evil" + PAYLOADS[1], id="method:" + PAYLOADS[0], role="used",
                    aliases=["EvilNet"], mentions=[mention("EvilNet")])]
    return to_networkx([
        PaperRecord(id=p1.id, title=p1.title, paper=p1, entities=ents1, links=links1, results=results),
        PaperRecord(id=p2.id, title=p2.title, paper=p2, entities=ents2),
    ])


def small_graph() -> nx.MultiDiGraph:
    """Three papers sharing a method and a dataset, one with code."""
    records = []
    for i in range(3):
        p = Paper(id=f"arxiv:2401.0000{i}", title=f"Paper number {i} on graphs", abstract="We use GraphNet on CoraSet.",
                  url=f"https://arxiv.org/abs/2401.0000{i}", published="2024-01-0" + str(i + 1))
        ents = [
            Entity(type="Method", name="GraphNet", id="method:graphnet", role="used", aliases=["GN"],
                   mentions=[Mention(field="abstract", start=7, end=15, text="GraphNet", rule="gaz", sentence="We use GraphNet on CoraSet.")]),
            Entity(type="Dataset", name="CoraSet", id="dataset:coraset", role="evaluated",
                   mentions=[Mention(field="abstract", start=19, end=26, text="CoraSet", rule="gaz", sentence="We use GraphNet on CoraSet.")]),
        ]
        links = [Link(url="https://github.com/org/graphnet", kind="code", sentence="Code: https://github.com/org/graphnet")] if i == 0 else []
        records.append(PaperRecord(id=p.id, title=p.title, paper=p, entities=ents, links=links))
    return to_networkx(records)


def synthetic_graph(n_papers: int, n_entities: int, per_paper: int = 4, seed: int = 0) -> nx.MultiDiGraph:
    """Papers linked to entities with a heavy-tailed popularity, built directly (fast)."""
    import random

    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    labels = ["Method", "Dataset", "Metric", "Task"]
    edges = []
    ents = [f"e{i}" for i in range(n_entities)]
    for i, e in enumerate(ents):
        g.add_node(e, label=labels[i % 4], name=f"Entity {i}", aliases=[f"Entity {i}"], mentions=1)
    cum, total = [], 0.0
    for i in range(n_entities):
        total += 1.0 / (i + 1)
        cum.append(total)
    for j in range(n_papers):
        pid = f"p{j}"
        g.add_node(pid, label="Paper", name=f"Paper {j}", title=f"Paper {j}", abstract="a" * 200, url="", published="",
                   authors=[], sources=[], project_urls=[], other_urls=[], results=[])
        for e in set(rng.choices(ents, cum_weights=cum, k=per_paper)):
            edges.append((pid, e, "USES", {"type": "USES", "sentence": "s", "evidence": ["s"], "rules": ["r"], "count": 1}))
    g.add_edges_from(edges)
    return g


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data):
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def payload_of(page: str) -> dict:
    tags = parse(page)
    data = [text for attrs, text in tags.scripts if attrs.get("id") == "kg-data"]
    assert len(data) == 1
    return json.loads(data[0])


ALLOWED_TIP_TAGS = {"div", "span", "p", "b", "strong", "i", "em", "br", "ul", "li", "dl", "dt", "dd", "a", "small", "blockquote", "q"}


# --------------------------------------------------------------------------- escaping and URLs


def test_escape_neutralises_markup_and_quotes():
    assert escape('<img src=x onerror="a()">') == "&lt;img src=x onerror=&quot;a()&quot;&gt;"
    assert escape("O'Brien & co") == "O&#x27;Brien &amp; co"
    assert escape(None) == ""


@pytest.mark.parametrize("url", BAD_URLS)
def test_safe_url_drops_everything_but_http_and_https(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["http://example.org", "https://github.com/org/repo", "HTTPS://arxiv.org/abs/2401.00001"])
def test_safe_url_keeps_web_links(url):
    assert safe_url(url) == url


# --------------------------------------------------------------------------- the page is self-contained


def test_page_references_no_remote_resource():
    page = page_html(small_graph())
    tags = parse(page)
    for tag, attrs in tags.tags:
        if tag in ("script", "link", "img", "iframe", "embed", "object", "source", "audio", "video", "base"):
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)
        for name in ("src", "href", "srcset", "action", "data"):
            assert "http" not in attrs.get(name, "").lower(), (tag, attrs)
    assert not any(tag == "link" for tag, _ in tags.tags)
    lowered = page.lower()
    for cdn in ("cdn.jsdelivr", "cdnjs", "unpkg.com", "bootstrap", "tom-select", "googleapis", "@import"):
        assert cdn not in lowered, cdn
    # stylesheets may only embed data: URLs
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", page):
        assert url.startswith("data:"), url


def test_csp_allows_exactly_the_inline_scripts_and_no_remote_source():
    page = page_html(small_graph())
    tags = parse(page)
    csp = [a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    assert len(csp) == 1
    policy = dict((d.split(" ", 1) + [""])[:2] for d in (x.strip() for x in csp[0].split(";")) if d)
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'none'" and policy["img-src"] == "data:"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    executable = [text for attrs, text in tags.scripts if attrs.get("type") != "application/json"]
    assert len(executable) == 2  # vis-network and the page script
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'" for t in executable}
    assert hashes == set(policy["script-src"].split())


def test_vis_network_is_inlined_from_pyvis():
    import pyvis

    page = page_html(small_graph())
    js = (Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(encoding="utf-8")
    assert js in page
    assert "@license" in page  # vis-network's licence header travels with it


# --------------------------------------------------------------------------- hostile text


def test_hostile_strings_never_reach_the_page_raw():
    page = page_html(hostile_graph(), title="Report " + PAYLOADS[0])
    for payload in PAYLOADS[:7]:
        assert payload not in page, payload
    for needle in ("<img src=x", "<img src=y", "<svg onload", "<iframe", "<script>window", "</script><script>"):
        assert needle not in page, needle
    assert "{{" not in page.split('id="kg-data"')[0]  # nothing template-like evaluated in the markup
    assert "<title>Report &lt;script&gt;" in page


def test_tooltips_are_allow_listed_markup_with_web_links_only():
    data = payload_of(page_html(hostile_graph()))
    tips = list(data["tips"]["node"].values()) + list(data["tips"]["edge"].values())
    g = hostile_graph()
    assert len(tips) == g.number_of_nodes() + len(set(g.edges()))
    hrefs = []
    for tip in tips:
        tags = parse(tip)
        for tag, attrs in tags.tags:
            assert tag in ALLOWED_TIP_TAGS, tag
            assert set(attrs) <= {"class", "href", "target", "rel"}, attrs
            if "href" in attrs:
                assert re.match(r"^https?://", attrs["href"]), attrs["href"]
                hrefs.append(attrs["href"])
    # the good links survive, escaped inside the attribute; the javascript:/data: ones are gone
    assert "https://example.org/project?a=1&b=<x>" in hrefs
    assert "https://github.com/evil/repo\"onmouseover=\"window.__pwned='attr'" in hrefs
    assert not any("javascript" in h.lower() or h.startswith("data:") for h in hrefs)
    # and the hostile text is shown as text, not dropped
    paper_tip = data["tips"]["node"]["arxiv:2401.00001"]
    assert "&lt;script&gt;window.__pwned=&#x27;script&#x27;&lt;/script&gt;" in paper_tip


def test_labels_travel_as_inert_json():
    page = page_html(hostile_graph())
    block = page.split('<script type="application/json" id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    names = {n["id"]: n["label"] for n in data["nodes"]}
    assert names["dataset:evil"] == PAYLOADS[3][:47] + "\u2026"  # exact text (clipped), drawn on the canvas as text


# --------------------------------------------------------------------------- content


def test_nodes_carry_label_style_size_and_tooltips():
    g = small_graph()
    data = payload_of(page_html(g))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == set(g.nodes)
    for nid, node in nodes.items():
        colour, shape = LABEL_STYLES[g.nodes[nid]["label"]]
        assert node["shape"] == shape and node["color"]["background"] == colour
        assert node["kgLabel"] == g.nodes[nid]["label"]
    assert nodes["method:graphnet"]["value"] > nodes["repository:github.com/org/graphnet"]["value"]
    tip = data["tips"]["node"]["arxiv:2401.00000"]
    assert "Paper number 0 on graphs" in tip and "2024-01-01" in tip
    assert 'href="https://github.com/org/graphnet"' in tip and "GraphNet" in tip and "CoraSet" in tip
    assert "3 papers" in data["tips"]["node"]["method:graphnet"] and "GN" in data["tips"]["node"]["method:graphnet"]
    edge_tips = list(data["tips"]["edge"].values())
    assert any("USES" in t and "We use GraphNet on CoraSet." in t for t in edge_tips)
    assert len(data["edges"]) == g.number_of_edges()
    assert all(e["arrows"] == "to" for e in data["edges"])
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    page = page_html(g)
    for label in ("Paper", "Method", "Dataset", "Repository"):
        assert f'data-label="{label}"' in page  # legend checkbox per label shown


def test_empty_graph_renders_a_page():
    page = page_html(nx.MultiDiGraph())
    assert "This graph has no nodes to show." in page
    assert payload_of(page)["nodes"] == []


# --------------------------------------------------------------------------- selection and cap


def test_cap_keeps_the_most_connected_part_and_says_what_was_left_out():
    g = synthetic_graph(3000, 400)
    sel = select_nodes(g, max_nodes=500)
    assert len(sel.nodes) == 500 and sel.capped
    assert sum(sel.capped_out.values()) == g.number_of_nodes() - 500
    # the biggest hubs are in, and what is shown is one connected piece, not scattered dots
    deg = dict(nx.Graph(g).degree())
    top = sorted(deg, key=lambda n: -deg[n])[:20]
    assert set(top) <= set(sel.nodes)
    assert nx.is_connected(nx.Graph(g).subgraph(sel.nodes))
    assert select_nodes(g, max_nodes=500).nodes == sel.nodes  # deterministic


def test_cap_default_and_note():
    g = synthetic_graph(2500, 300)
    page = page_html(g)
    data = payload_of(page)
    assert len(data["nodes"]) == DEFAULT_MAX_NODES
    assert data["meta"]["capped"] and data["meta"]["total_nodes"] == g.number_of_nodes()
    assert 'id="kg-note"' in page and f"Showing the {DEFAULT_MAX_NODES:,} most connected of {g.number_of_nodes():,} nodes" in page
    assert "Paper" in data["meta"]["capped_out"]


def test_filters_by_label_and_min_degree():
    g = small_graph()
    sel = select_nodes(g, labels=["Paper", "Method"])
    assert {g.nodes[n]["label"] for n in sel.nodes} == {"Paper", "Method"}
    assert sel.filtered_out == {"Dataset": 1, "Repository": 1}
    sel = select_nodes(g, min_degree=2)
    assert "repository:github.com/org/graphnet" not in sel.nodes  # one paper only
    assert {"method:graphnet", "dataset:coraset", "arxiv:2401.00000"} <= set(sel.nodes)
    page = page_html(g, labels=["Paper", "Method"])
    assert "Filtered (labels Paper, Method)" in page
    with pytest.raises(InputError, match="unknown label"):
        select_nodes(g, labels=["Paper", "Author"])
    with pytest.raises(InputError):
        select_nodes(g, max_nodes=0)


def test_twenty_thousand_nodes_still_make_a_compact_capped_page(tmp_path):
    g = synthetic_graph(18_000, 2_000, per_paper=5)
    assert g.number_of_nodes() == 20_000
    out = tmp_path / "big.html"
    render_html(g, out)
    page = out.read_text(encoding="utf-8")
    size = out.stat().st_size
    assert size < 6_000_000, size
    data = payload_of(page)
    assert len(data["nodes"]) == DEFAULT_MAX_NODES
    kept = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])
    assert "Showing the 2,000 most connected of 20,000 nodes" in page
    assert data["options"]["physics"]["stabilization"]["iterations"] <= 1000
    assert data["options"]["layout"]["improvedLayout"] is False


# --------------------------------------------------------------------------- no side effects


def test_graph_is_not_modified_and_nothing_is_written_elsewhere(tmp_path, monkeypatch):
    g = hostile_graph()
    before = json.dumps(graph_to_json(g), sort_keys=True)
    attrs_before = copy.deepcopy(dict(g.nodes(data=True)))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    out = tmp_path / "site" / "graph.html"
    render_html(g, out, max_nodes=3)
    assert json.dumps(graph_to_json(g), sort_keys=True) == before
    assert dict(g.nodes(data=True)) == attrs_before
    assert list(cwd.iterdir()) == []  # pyvis's lib/ folder and index.html did not appear
    assert [p.name for p in out.parent.iterdir()] == ["graph.html"]


def test_failed_render_leaves_the_previous_page(tmp_path):
    out = tmp_path / "graph.html"
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(InputError):
        render_html(small_graph(), out, labels=["Nope"])
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


# --------------------------------------------------------------------------- kg html


def test_kg_html_rerenders_a_built_graph_with_options(tmp_path, capsys):
    from kg.cli import main

    d = tmp_path / "built"
    d.mkdir()
    (d / "graph.json").write_text(json.dumps(graph_to_json(small_graph())), encoding="utf-8")
    view = tmp_path / "view.html"
    assert main(["html", str(d), "--labels", "Paper,Method", "--max-nodes", "3", "--output", str(view)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {view}"
    data = payload_of(view.read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 3 and data["meta"]["capped"]
    assert {n["kgLabel"] for n in data["nodes"]} <= {"Paper", "Method"}
    assert main(["html", str(d), "--title", "My <reading> list"]) == 0
    assert "<title>My &lt;reading&gt; list</title>" in (d / "graph.html").read_text(encoding="utf-8")
    assert main(["html", str(d), "--labels", "Paper,Author"]) == 1
    err = capsys.readouterr().err
    assert "unknown label Author" in err and len(err.splitlines()) == 1


def test_docstring_examples_run():
    import doctest

    import kg.export.html as module

    result = doctest.testmod(module)
    assert result.attempted >= 4 and result.failed == 0


def test_hostile_label_from_an_edited_graph_json_stays_text():
    g = small_graph()
    g.nodes["method:graphnet"]["label"] = PAYLOADS[0]  # graph.json is a file anyone can edit
    page = page_html(g)
    assert PAYLOADS[0] not in page
    assert 'data-label="&lt;script&gt;window.__pwned=&#39;script&#39;&lt;/script&gt;"' in page
    data = payload_of(page)
    assert {n["kgLabel"] for n in data["nodes"]} >= {PAYLOADS[0]}
