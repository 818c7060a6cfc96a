"""The data path on a real Cypher engine: embedded FalkorDB on a unix socket.

Loads the hand-built graph (known answers) and the seed build, twice, and
checks counts, idempotence, text round trips, and every query file against an
independent networkx computation.
"""
from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest

from kg.db import count_in_database, load_graph_into, split_statements, strip_comments
from kg.db.cypher_files import list_queries, load_cypher
from kg.db.falkor import EmbeddedFalkorDB
from kg.db.rows import node_rows, relationship_rows
from kg.graph import load_graph
from test_cypher_rows import P1, P2, P3, TRICKY, hand_graph

pytestmark = [pytest.mark.slow, pytest.mark.database]

_names = (f"g{i}" for i in itertools.count())


@pytest.fixture(scope="module")
def server():
    with EmbeddedFalkorDB() as srv:
        yield srv


@pytest.fixture
def backend(server):
    """A fresh, empty graph on the module's server."""
    return server.backend(next(_names))


def graph_counts(graph: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    nodes = Counter(d["label"] for _, d in graph.nodes(data=True))
    rels = Counter(k for _, _, k in graph.edges(keys=True))
    return dict(nodes), dict(rels)


def query(backend, name: str, **params):
    return backend.run(strip_comments(list_queries()[name].text), params, read_only=True)


# --------------------------------------------------------------------------- the server


def _listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[len("socket:["):-1])
    return out


def test_server_listens_on_no_tcp_port(server):
    assert server.config("port") == "0"
    assert os.path.exists(server.socket_path)
    assert os.stat(server.workdir).st_mode & 0o777 == 0o700
    if os.path.isdir(f"/proc/{server.pid}/fd"):
        assert not (_socket_inodes(server.pid) & _listening_inodes()), "the FalkorDB server has a TCP listener"


def test_server_stops_and_leaves_nothing_behind():
    srv = EmbeddedFalkorDB()
    process, workdir = srv.process, srv.workdir
    assert srv.backend().run("RETURN 1 AS one") == (["one"], [[1]])
    srv.close()
    srv.close()
    assert process.poll() is not None
    assert not os.path.exists(workdir)


def _is_server(pid: int) -> bool:
    try:
        return b"redis-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")
def test_a_server_left_open_dies_with_its_process():
    import subprocess
    import sys
    import time

    start = "from kg.db.falkor import EmbeddedFalkorDB; s = EmbeddedFalkorDB(); print(s.pid, s.workdir, flush=True)"
    done = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True, timeout=120)
    pid, workdir = done.stdout.split()
    assert not _is_server(int(pid)) and not os.path.exists(workdir), "not stopped at interpreter exit"

    child = subprocess.Popen([sys.executable, "-c", start + "; import time; time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    pid_text, workdir = child.stdout.readline().split()
    pid = int(pid_text)
    assert _is_server(pid)
    child.kill()
    child.wait(timeout=30)
    child.stdout.close()
    deadline = time.monotonic() + 10
    while _is_server(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _is_server(pid), "server outlived a killed parent"
    shutil.rmtree(workdir, ignore_errors=True)  # a killed process cannot remove its socket directory


# --------------------------------------------------------------------------- loading


def test_hand_graph_counts_after_one_and_two_loads(backend):
    graph = hand_graph()
    load_graph_into(backend, graph, batch_size=3)
    assert count_in_database(backend) == graph_counts(graph)
    load_graph_into(backend, graph, batch_size=1000)
    assert count_in_database(backend) == graph_counts(graph)


def test_interrupted_load_then_full_load_leaves_one_of_each(backend):
    graph = hand_graph()

    class Interrupted(Exception):
        pass

    class Flaky:
        name, schema_file = backend.name, backend.schema_file
        calls = 0

        def run(self, statement, params=None):
            Flaky.calls += 1
            if Flaky.calls > 6:
                raise Interrupted
            return backend.run(statement, params)

        def apply_schema(self, statements):
            backend.apply_schema(statements)

    with pytest.raises(Interrupted):
        load_graph_into(Flaky(), graph, batch_size=2)
    nodes, _ = count_in_database(backend)
    assert 0 < sum(nodes.values()) < graph.number_of_nodes()
    load_graph_into(backend, graph, batch_size=2)
    assert count_in_database(backend) == graph_counts(graph)


def test_schema_creates_one_index_per_label_and_reruns(backend):
    statements = split_statements(load_cypher("schema.falkordb"))
    backend.apply_schema(statements)
    backend.apply_schema(statements)
    _, rows = backend.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    assert sorted((label, props) for label, props in rows) == sorted(
        (label, ["id"]) for label in ("Paper", "Method", "Dataset", "Metric", "Task", "Repository"))


def _stored(backend) -> tuple[dict[str, dict], dict[tuple[str, str, str], dict]]:
    _, nodes = backend.run("MATCH (n) RETURN n")
    _, rels = backend.run("MATCH (a)-[r]->(b) RETURN a.id, type(r), b.id, r")
    by_id = {}
    for (node,) in nodes:
        props = dict(node)
        labels, node_id = props.pop("_labels"), props.pop("id")
        by_id[node_id] = {"label": labels[0], **props}
    edges = {}
    for source, rel_type, target, rel in rels:
        props = dict(rel)
        props.pop("_type")
        edges[(source, rel_type, target)] = props
    return by_id, edges


def _expected(graph: nx.MultiDiGraph):
    nodes = {r["id"]: {"label": label, **r["props"]} for label, rows in node_rows(graph).items() for r in rows}
    rels = {(r["source"], t, r["target"]): r["props"] for (_, t, _), rows in relationship_rows(graph).items() for r in rows}
    return nodes, rels


def test_every_property_round_trips(backend):
    graph = hand_graph()
    load_graph_into(backend, graph)
    nodes, rels = _stored(backend)
    exp_nodes, exp_rels = _expected(graph)
    assert nodes == exp_nodes
    assert rels == exp_rels
    assert nodes[P1]["title"] == "AlphaNet: " + TRICKY
    assert rels[(P1, "EVALUATES_ON", "dataset:imagenet")]["sentence"] == TRICKY


def test_markup_and_quotes_come_back_unchanged_through_parameters(backend):
    _, rows = backend.run("RETURN $text AS text, $list AS list", {"text": TRICKY, "list": [TRICKY, "\\", "'", '"']})
    assert rows == [[TRICKY, [TRICKY, "\\", "'", '"']]]


# --------------------------------------------------------------------------- queries, hand graph


@pytest.fixture(scope="module")
def hand_backend(server):
    backend = server.backend("hand")
    load_graph_into(backend, hand_graph())
    return backend


def _titles(*ids):
    titles = {n: d["title"] for n, d in hand_graph().nodes(data=True) if d["label"] == "Paper"}
    return [titles[i] for i in ids]


HAND_ANSWERS = {
    "papers_evaluated_on_dataset": [
        ({"dataset": "ImageNet"}, [[P1, _titles(P1)[0], TRICKY], [P2, "Beta study", "On ImageNet."]]),
        ({"dataset": "ilsvrc"}, []),  # aliases match exactly; names in any case
        ({"dataset": "ILSVRC"}, [[P1, _titles(P1)[0], TRICKY], [P2, "Beta study", "On ImageNet."]]),
        ({"dataset": "coco"}, [[P1, _titles(P1)[0], "Also on COCO."], [P3, "Gamma set", "Evaluated on COCO."]]),
        ({"dataset": "dataset:newset"}, []),
    ],
    "co_used_methods": [
        ({"method": "Transformer", "limit": 10}, [["Adam", 2], ["AlphaNet", 1], ["BERT", 1]]),
        ({"method": "transformer", "limit": 1}, [["Adam", 2]]),
        ({"method": "AlphaNet", "limit": 10}, [["Adam", 1], ["Transformer", 1]]),
        ({"method": "Nothing", "limit": 10}, []),
    ],
    "methods_on_dataset": [
        ({"dataset": "ImageNet", "limit": 10}, [["Transformer", 2], ["Adam", 1], ["AlphaNet", 1], ["BERT", 1]]),
    ],
    "most_used_datasets": [
        ({"limit": 10}, [["COCO", 2], ["ImageNet", 2], ["NewSet", 1]]),
        ({"limit": 2}, [["COCO", 2], ["ImageNet", 2]]),
    ],
    "most_used_metrics": [
        ({"limit": 10}, [["F1", 2], ["Top-1 Accuracy", 2], ["mAP", 1]]),
    ],
    "papers_with_code_for_task": [
        ({"task": "image classification"},
         [[P1, _titles(P1)[0], "https://github.com/org/alpha"], [P3, "Gamma set", "https://gitlab.com/x/y"]]),
        ({"task": "Question Answering"}, []),
    ],
    "paper_neighbourhood": [
        ({"paper": P3}, [
            ["ADDRESSES", "Task", "Image Classification", 1, "Image classification again."],
            ["EVALUATES_ON", "Dataset", "COCO", 1, "Evaluated on COCO."],
            ["HAS_CODE", "Repository", "x/y", 1, "See https://gitlab.com/x/y"],
            ["INTRODUCES", "Dataset", "NewSet", 1, "We introduce NewSet."],
            ["MEASURES", "Metric", "F1", 1, "F1 is 0.7."],
            ["MEASURES", "Metric", "mAP", 1, "42.0 mAP."],
            ["USES", "Method", "Adam", 1, "Adam again."],
            ["USES", "Method", "Transformer", 1, "Transformer again."],
        ]),
        ({"paper": "delta: NO arxiv id"}, [["ADDRESSES", "Task", "Question Answering", 1, "Question answering."]]),
        ({"paper": "2001.00002"}, None),  # by arXiv id: checked for length below
    ],
    "dataset_leaderboard": [
        ({"dataset": "ImageNet"}, [["Top-1 Accuracy", "85.3%", 85.3, P1, _titles(P1)[0]],
                                   ["Top-1 Accuracy", "80.1%", 80.1, P2, "Beta study"]]),
        ({"dataset": "COCO"}, [["mAP", "42.0 mAP", 42.0, P3, "Gamma set"]]),
        ({"dataset": "NewSet"}, []),
    ],
}


def test_every_query_file_has_hand_answers():
    assert set(HAND_ANSWERS) == set(list_queries())


@pytest.mark.parametrize("name,params,expected", [(n, p, e) for n, cases in HAND_ANSWERS.items() for p, e in cases],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_query_file_on_hand_graph(hand_backend, name, params, expected):
    columns, rows = query(hand_backend, name, **params)
    assert columns and all(isinstance(c, str) for c in columns)
    if expected is None:
        assert len(rows) == 6 and {r[0] for r in rows} == {"USES", "EVALUATES_ON", "MEASURES", "ADDRESSES"}
    else:
        assert rows == expected


# --------------------------------------------------------------------------- the seed graph


@pytest.fixture(scope="module")
def seed_graph(seed_build) -> nx.MultiDiGraph:
    return load_graph(seed_build)


@pytest.fixture(scope="module")
def seed_backend(server, seed_graph):
    backend = server.backend("seed")
    load_graph_into(backend, seed_graph, batch_size=5000)
    return backend


def test_seed_counts_equal_graph_json_after_one_and_two_loads(server, seed_build, seed_graph):
    import json

    data = json.loads((seed_build / "graph.json").read_text(encoding="utf-8"))
    expected_nodes = dict(Counter(n["label"] for n in data["nodes"]))
    expected_rels = dict(Counter(e["type"] for e in data["edges"]))
    backend = server.backend(next(_names))
    load_graph_into(backend, seed_graph, batch_size=5000)
    assert count_in_database(backend) == (expected_nodes, expected_rels)
    load_graph_into(backend, seed_graph, batch_size=500)
    assert count_in_database(backend) == (expected_nodes, expected_rels)
    _, rows = backend.run("MATCH (n) WITH n.id AS id, count(*) AS c WHERE c > 1 RETURN count(id)")
    assert rows == [[0]]


def test_seed_every_property_round_trips(seed_backend, seed_graph):
    nodes, rels = _stored(seed_backend)
    exp_nodes, exp_rels = _expected(seed_graph)
    assert nodes == exp_nodes
    assert rels == exp_rels


# Reference answers from networkx, written independently of the Cypher files.


def _matches(data: dict, key: str, wanted: str) -> bool:
    return data["name"].lower() == wanted.lower() or key == wanted or wanted in data.get("aliases", [])


def _entities(g, label, wanted):
    return [n for n, d in g.nodes(data=True) if d["label"] == label and _matches(d, n, wanted)]


def _papers_to(g, node, types):
    return {u: g.edges[u, node, k] for u, _, k in g.in_edges(node, keys=True) if k in types}


def _ranked(counter: dict[str, set], limit: int):
    rows = sorted(([name, len(papers)] for name, papers in counter.items()), key=lambda r: (-r[1], r[0]))
    return rows[:limit]


def ref_papers_evaluated_on_dataset(g, dataset):
    rows = [[p, g.nodes[p]["title"], e["sentence"]] for d in _entities(g, "Dataset", dataset)
            for p, e in _papers_to(g, d, {"EVALUATES_ON"}).items()]
    return sorted(rows, key=lambda r: (r[1], r[0]))


def ref_co_used_methods(g, method, limit):
    counter = defaultdict(set)
    for m in _entities(g, "Method", method):
        for p in _papers_to(g, m, {"USES", "PROPOSES"}):
            for _, other, k in g.out_edges(p, keys=True):
                if k in ("USES", "PROPOSES") and other != m:
                    counter[g.nodes[other]["name"]].add(p)
    return _ranked(counter, limit)


def ref_methods_on_dataset(g, dataset, limit):
    counter = defaultdict(set)
    for d in _entities(g, "Dataset", dataset):
        for p in _papers_to(g, d, {"EVALUATES_ON"}):
            for _, m, k in g.out_edges(p, keys=True):
                if k in ("USES", "PROPOSES"):
                    counter[g.nodes[m]["name"]].add(p)
    return _ranked(counter, limit)


def _most_used(g, label, types, limit):
    counter = defaultdict(set)
    for p, n, k in g.edges(keys=True):
        if k in types and g.nodes[n]["label"] == label:
            counter[g.nodes[n]["name"]].add(p)
    return _ranked(counter, limit)


def ref_most_used_datasets(g, limit):
    return _most_used(g, "Dataset", {"EVALUATES_ON", "INTRODUCES"}, limit)


def ref_most_used_metrics(g, limit):
    return _most_used(g, "Metric", {"MEASURES"}, limit)


def ref_papers_with_code_for_task(g, task):
    rows = []
    for t in _entities(g, "Task", task):
        for p in _papers_to(g, t, {"ADDRESSES"}):
            rows += [[p, g.nodes[p]["title"], g.nodes[r]["url"]] for _, r, k in g.out_edges(p, keys=True) if k == "HAS_CODE"]
    return sorted(rows, key=lambda r: (r[1], r[2]))


def ref_paper_neighbourhood(g, paper):
    papers = [n for n, d in g.nodes(data=True) if d["label"] == "Paper"
              and (n == paper or d.get("arxiv_id") == paper or d["title"].lower() == paper.lower())]
    rows = [[k, g.nodes[n]["label"], g.nodes[n]["name"], e["count"], e["sentence"]]
            for p in papers for _, n, k, e in g.out_edges(p, keys=True, data=True)]
    return sorted(rows, key=lambda r: (r[0], r[2]))


def ref_dataset_leaderboard(g, dataset):
    from kg.db.rows import result_score

    rows = []
    for d in _entities(g, "Dataset", dataset):
        for p, e in _papers_to(g, d, {"EVALUATES_ON", "INTRODUCES"}).items():
            for r in e["results"]:
                score = result_score(r["value"])
                if score is not None:
                    rows.append([r["metric"], r["value"], score, p, g.nodes[p]["title"]])
    return sorted(rows, key=lambda r: (r[0], -r[2], r[4]))


def _seed_params(g) -> dict[str, dict]:
    """Parameters that give non-trivial answers on the seed graph, chosen from the graph itself."""

    def busiest(label, types, having=lambda p: True):
        counts = Counter(n for p, n, k in g.edges(keys=True) if k in types and g.nodes[n]["label"] == label and having(p))
        node, count = counts.most_common(1)[0]
        return g.nodes[node]["name"], count

    has_code = lambda p: any(k == "HAS_CODE" for _, _, k in g.out_edges(p, keys=True))  # noqa: E731
    with_results = Counter()
    for p, n, k, e in g.edges(keys=True, data=True):
        if k == "EVALUATES_ON" and e["results"]:
            with_results[g.nodes[n]["name"]] += len(e["results"])
    paper = max((n for n, d in g.nodes(data=True) if d["label"] == "Paper"), key=lambda n: (g.out_degree(n), n))
    return {
        "papers_evaluated_on_dataset": {"dataset": busiest("Dataset", {"EVALUATES_ON"})[0]},
        "co_used_methods": {"method": busiest("Method", {"USES", "PROPOSES"})[0], "limit": 10_000},
        "methods_on_dataset": {"dataset": busiest("Dataset", {"EVALUATES_ON"})[0], "limit": 10_000},
        "most_used_datasets": {"limit": 10_000},
        "most_used_metrics": {"limit": 10_000},
        "papers_with_code_for_task": {"task": busiest("Task", {"ADDRESSES"}, has_code)[0]},
        "paper_neighbourhood": {"paper": paper},
        "dataset_leaderboard": {"dataset": with_results.most_common(1)[0][0] if with_results else "ImageNet"},
    }


ORDER_KEYS = {
    "papers_evaluated_on_dataset": lambda r: (r[1], r[0]),
    "co_used_methods": lambda r: (-r[1], r[0]),
    "methods_on_dataset": lambda r: (-r[1], r[0]),
    "most_used_datasets": lambda r: (-r[1], r[0]),
    "most_used_metrics": lambda r: (-r[1], r[0]),
    "papers_with_code_for_task": lambda r: (r[1], r[2]),
    "paper_neighbourhood": lambda r: (r[0], r[2]),
    "dataset_leaderboard": lambda r: (r[0], -r[2], r[4]),
}


@pytest.mark.parametrize("name", sorted(ORDER_KEYS))
def test_query_file_on_seed_graph_matches_networkx(seed_backend, seed_graph, name):
    assert set(ORDER_KEYS) == set(list_queries())
    params = _seed_params(seed_graph)[name]
    expected = globals()[f"ref_{name}"](seed_graph, **params)
    _, rows = query(seed_backend, name, **params)
    # every query has an answer on the seed graph, except results while the extractor finds none
    assert rows or (name == "dataset_leaderboard" and not expected), f"{name} {params}: no rows on the seed graph"
    key = ORDER_KEYS[name]
    assert [key(r) for r in rows] == sorted(key(r) for r in rows), "rows not in the documented order"
    assert sorted(rows, key=repr) == sorted(expected, key=repr)
