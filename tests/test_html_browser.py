"""graph.html in headless Chromium with the network cut: it draws, it searches and filters, it runs nothing hostile.

Needs Debian's ``chromium`` at /usr/bin/chromium and the ``playwright`` Python
package (its own browser download is never used). The seed test also needs
``../shared``. The screenshot of the seed page goes to ``test-artifacts/``.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.export.html import DEFAULT_MAX_NODES, render_html
from kg.graph import load_graph
from test_html import PAYLOADS, hostile_graph, small_graph, synthetic_graph

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
FIXTURES = Path(__file__).parent / "fixtures" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1600, "height": 1000}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is needed for browser tests")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Opened:
    page: object
    url: str
    requests: list = field(default_factory=list)
    console: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def assert_clean(self) -> None:
        assert self.requests == [], f"the page asked for {self.requests}"
        assert self.errors == [], self.errors
        assert [m for m in self.console if m[0] in ("error", "assert")] == [], self.console
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"


def open_page(browser, path: Path, *, bypass_csp: bool = False) -> Opened:
    """Open ``path`` offline; every request other than the file itself is recorded and refused."""
    context = browser.new_context(viewport=VIEWPORT, offline=True, bypass_csp=bypass_csp)
    page = context.new_page()
    opened = Opened(page=page, url=path.resolve().as_uri())

    def route(r):
        if r.request.url == opened.url:
            r.continue_()
        else:
            opened.requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("request", lambda req: req.url not in (opened.url, *opened.requests) and not req.url.startswith("data:")
            and opened.requests.append(req.url))
    page.on("console", lambda m: opened.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def dialog(d):
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(opened.url)
    # wait_for_function would evaluate a string, which the page's CSP forbids: wait on the DOM instead
    page.wait_for_selector("body[data-state=ready]", state="attached", timeout=300_000)
    return opened


def search_index(graph) -> dict[str, str]:
    out = {}
    for node, data in graph.nodes(data=True):
        words = [str(data.get("name") or ""), str(data.get("title") or "")] + [str(a) for a in data.get("aliases") or []]
        out[str(node)] = " \u0001 ".join(w for w in words if w).lower()
    return out


def check_interactive(opened: Opened, graph, expected_nodes: int, query: str) -> None:
    """Counts, layout settled, search by typing, label filter by clicking."""
    page = opened.page
    n, drawn, ids = opened.js("() => [kg.nodes.length, kg.drawnCount(), kg.nodes.getIds()]")
    assert n == drawn == expected_nodes
    assert set(ids) <= {str(x) for x in graph.nodes}
    assert opened.js("() => kg.network.physics.options.enabled") is False
    before = opened.js("() => kg.network.getPositions()")
    time.sleep(0.6)
    assert opened.js("() => kg.network.getPositions()") == before, "the layout keeps moving"

    # search: type a name; the matches are the nodes whose name/title/aliases contain it, the rest dim
    index = search_index(graph)
    expected = sorted(i for i in ids if query.lower() in index[i])
    assert 0 < len(expected) < len(ids)
    page.click("#kg-search")
    page.keyboard.type(query, delay=15)
    label = f"{len(expected)} match" + ("" if len(expected) == 1 else "es")
    page.locator("#kg-search-count", has_text=label).wait_for(timeout=10_000)
    assert sorted(opened.js("() => kg.matches")) == expected
    assert opened.js("() => kg.dimmedCount()") == len(ids) - len(expected)
    selected = opened.js("() => kg.network.getSelectedNodes()")
    assert set(selected) <= set(expected) and len(selected) == min(200, len(expected))  # matches are highlighted
    page.keyboard.press("Escape")
    assert page.input_value("#kg-search") == ""
    assert opened.js("() => kg.dimmedCount()") == 0

    # filter: untick Paper, papers are no longer drawn; tick it again, they are back
    papers = opened.js("() => kg.nodes.get({filter: n => n.kgLabel === 'Paper'}).length")
    assert papers > 0
    page.click("input.kg-filter[data-label=Paper]")
    assert opened.js("() => kg.drawnCount()") == expected_nodes - papers
    page.click("input.kg-filter[data-label=Paper]")
    assert opened.js("() => kg.drawnCount()") == expected_nodes


def test_small_page_offline_draws_searches_and_filters(browser, tmp_path):
    g = small_graph()
    path = tmp_path / "graph.html"
    render_html(g, path)
    opened = open_page(browser, path)
    check_interactive(opened, g, g.number_of_nodes(), "graphnet")
    assert opened.page.is_visible("#kg-legend")
    opened.assert_clean()


def test_seed_page_offline(browser, seed_build):
    """The page `kg build` wrote for the seeds: offline, complete, interactive, and a screenshot to look at."""
    graph = load_graph(seed_build)
    expected = min(graph.number_of_nodes(), DEFAULT_MAX_NODES)
    opened = open_page(browser, seed_build / "graph.html")
    meta = opened.js("() => kg.meta")
    assert meta["shown_nodes"] == expected and meta["total_nodes"] == graph.number_of_nodes()
    assert opened.page.is_visible("#kg-note") == meta["capped"]
    ARTIFACTS.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(ARTIFACTS / "seed-graph.png"))
    assert opened.page.is_visible("#kg-legend")
    # search for the most linked dataset by (part of) its name
    datasets = [(graph.degree(n), d["name"]) for n, d in graph.nodes(data=True) if d.get("label") == "Dataset"]
    query = max(datasets)[1] if datasets else "learning"
    check_interactive(opened, graph, expected, query)
    opened.assert_clean()


def test_twenty_thousand_node_graph_opens_capped_with_a_note(browser, tmp_path):
    g = synthetic_graph(18_000, 2_000, per_paper=5)
    path = tmp_path / "graph.html"
    render_html(g, path)
    opened = open_page(browser, path)
    assert opened.js("() => [kg.nodes.length, kg.drawnCount()]") == [DEFAULT_MAX_NODES, DEFAULT_MAX_NODES]
    note = opened.page.locator("#kg-note")
    assert note.is_visible() and "Showing the 2,000 most connected of 20,000 nodes" in note.inner_text()
    assert opened.js("() => kg.network.physics.options.enabled") is False
    opened.assert_clean()


# --------------------------------------------------------------------------- hostile input


def hover_everything(opened: Opened) -> int:
    """Hover every node and every link with the mouse so vis-network shows each tooltip; click each too.

    Everything else is hidden while one item is hovered, so the pointer cannot land on a neighbour
    (the page's layout is disturbed; use a fresh page afterwards for anything positional).
    """
    page = opened.page
    box = page.locator("#kg-network").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    shown = 0
    items = [("node", i) for i in opened.js("() => kg.nodes.getIds()")] + [("edge", i) for i in opened.js("() => kg.edges.getIds()")]
    for kind, item in items:
        opened.js(
            """([kind, id]) => {
                 const net = kg.network;
                 const e = kind === 'edge' ? kg.edges.get(id) : null;
                 const keep = new Set(e ? [e.from, e.to] : [id]);
                 kg.nodes.update(kg.nodes.getIds().map(n => ({id: n, hidden: !keep.has(n)})));
                 kg.edges.update(kg.edges.getIds().map(x => ({id: x, hidden: !(e && x === id)})));
                 let p;
                 if (!e) { p = net.getPositions([id])[id]; }
                 else {  // pull the two ends 800px apart so the middle of the link is clear of both nodes
                   const a = net.getPositions([e.from])[e.from], b = net.getPositions([e.to])[e.to];
                   const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
                   const ux = len > 1 ? (b.x - a.x) / len : 1, uy = len > 1 ? (b.y - a.y) / len : 0;
                   net.moveNode(e.to, a.x + 800 * ux, a.y + 800 * uy);
                   p = {x: a.x + 400 * ux, y: a.y + 400 * uy};
                 }
                 net.moveTo({position: p, scale: 1, animation: false});
               }""",
            [kind, item],
        )
        page.mouse.move(box["x"] + 3, box["y"] + 3)
        if page.locator("div.vis-tooltip").count():
            page.locator("div.vis-tooltip").wait_for(state="hidden", timeout=5_000)
        page.mouse.move(centre[0] - 1, centre[1])
        page.mouse.move(*centre)
        tip = page.locator("div.vis-tooltip")
        tip.wait_for(state="visible", timeout=5_000)
        expected = opened.js("([kind, id]) => kg.tooltip(kind, id).outerHTML", [kind, item])
        assert tip.inner_html() == expected and 'class="kg-tip ' in expected
        page.mouse.click(*centre)  # the details panel shows the same content
        assert page.locator("#kg-details-body").inner_html() == expected
        shown += 1
    opened.js("""() => { kg.nodes.update(kg.nodes.getIds().map(n => ({id: n, hidden: false})));
                         kg.edges.update(kg.edges.getIds().map(x => ({id: x, hidden: false}))); }""")
    return shown


def assert_nothing_ran(opened: Opened) -> None:
    time.sleep(0.5)  # give any onerror/onload a chance to fire
    assert opened.js("() => typeof window.__pwned") == "undefined"
    dom = opened.js(
        """() => ({
             scripts: document.scripts.length,
             embedded: document.querySelectorAll('img, iframe, object, embed, video, audio, svg:not(.kg-swatch)').length,
             handlers: [...document.querySelectorAll('*')].filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
             hrefs: [...document.querySelectorAll('[href]')].map(a => a.getAttribute('href')),
           })"""
    )
    assert dom["scripts"] == 3 and dom["embedded"] == 0 and dom["handlers"] == 0, dom
    assert all(h.startswith(("http://", "https://")) for h in dom["hrefs"]), dom["hrefs"]
    opened.assert_clean()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-disabled"])
def test_hostile_text_in_every_tooltip_executes_nothing(browser, tmp_path, bypass_csp):
    """Escaping alone must hold: the run with CSP disabled proves the policy is a second wall, not the only one."""
    g = hostile_graph()
    path = tmp_path / "graph.html"
    render_html(g, path, title="Hostile " + PAYLOADS[0])
    opened = open_page(browser, path, bypass_csp=bypass_csp)
    assert hover_everything(opened) == g.number_of_nodes() + len(set(g.edges()))
    # the hostile text is shown, as text
    opened.js("id => kg.showDetails('node', id)", "arxiv:2401.00001")
    details = opened.page.locator("#kg-details-body").inner_text()
    assert PAYLOADS[0] in details and "<img src=x onerror=" in details
    assert opened.page.title() == "Hostile " + PAYLOADS[0]
    assert_nothing_ran(opened)


def test_page_sanitiser_is_a_second_wall(browser, tmp_path):
    """Even raw, unescaped markup handed to the tooltip code comes out inert."""
    path = tmp_path / "graph.html"
    render_html(small_graph(), path)
    opened = open_page(browser, path, bypass_csp=True)
    # the payloads last: one of them opens an HTML comment that swallows the rest
    raw = "<a href='javascript:alert(7)' onclick='alert(8)'>x</a><a href='https://ok.example/'>ok</a><b style='x'>b</b>" + "".join(PAYLOADS)
    html = opened.js(
        "h => { const el = kg.toElement(h); document.getElementById('kg-details-body').replaceChildren(el); return el.innerHTML; }",
        raw,
    )
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html
    assert "href=\"javascript" not in html.lower()
    assert 'href="https://ok.example/"' in html and "style=" not in html and "onclick" not in html
    assert_nothing_ran(opened)


def test_built_from_hostile_input_file(browser, tmp_path):
    """The whole road: a JSONL file with script and event-handler HTML through `kg build` to the page."""
    import kg

    out = tmp_path / "out"
    kg.build([str(FIXTURES / "hostile.jsonl")], out)
    graph = load_graph(out)
    assert graph.number_of_nodes() > 2
    opened = open_page(browser, out / "graph.html")
    hovered = hover_everything(opened)
    assert hovered == graph.number_of_nodes() + len(set(graph.edges()))
    page_text = (out / "graph.html").read_text(encoding="utf-8")
    assert "javascript:window.__pwned" not in json.dumps(opened.js("() => [...document.querySelectorAll('a')].map(a => a.href)"))
    assert "<img src=x" not in page_text
    assert_nothing_ran(opened)
