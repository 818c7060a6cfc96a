"""``kg neo4j push``: the Bolt backend at its seam, a closed port, and a real Neo4j when NEO4J_URI is set.

There is no Neo4j server on these machines, and FalkorDB's Bolt listener is not
usable for real data, so the Bolt backend is checked where it meets the
driver: a recording driver double stands in for ``neo4j.Driver`` and the tests
assert the exact statements, parameters, batching, retries and error mapping.
The data path itself runs on a real engine in test_cypher_falkordb.py.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import networkx as nx
import pytest
from neo4j.exceptions import AuthError, CypherSyntaxError, ServiceUnavailable as DriverUnavailable
from neo4j.exceptions import SessionExpired, TransientError

from kg.db import split_statements
from kg.db.bolt import BoltBackend
from kg.db.cypher_files import fill, load_cypher, strip_comments
from kg.db.rows import node_rows, relationship_rows
from kg.errors import InputError, ServiceUnavailable
from kg.export.neo4j import push
from kg.graph import graph_to_json
from test_cypher_rows import TRICKY, hand_graph

ROOT = Path(__file__).resolve().parents[1]


class FakeRecord:
    def __init__(self, values):
        self._values = values

    def values(self):
        return list(self._values)


class FakeResult:
    def __init__(self, keys, rows):
        self._keys, self._rows = keys, rows

    def __iter__(self):
        return iter(FakeRecord(r) for r in self._rows)

    def keys(self):
        return list(self._keys)

    def consume(self):
        return None


class FakeSession:
    def __init__(self, driver, database):
        self.driver, self.database = driver, database

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.driver.sessions_closed += 1

    def run(self, statement, params=None):
        self.driver.calls.append((statement, params, self.database))
        if self.driver.failures:
            raise self.driver.failures.pop(0)
        return FakeResult(["ok"], [[1]])


class FakeDriver:
    """Records what the Bolt backend hands to ``neo4j.Driver``; raises queued failures."""

    def __init__(self, failures=(), verify_failures=()):
        self.calls: list[tuple[str, dict, str | None]] = []
        self.failures = list(failures)
        self.verify_failures = list(verify_failures)
        self.verified = 0
        self.closed = False
        self.sessions_closed = 0

    def session(self, database=None):
        return FakeSession(self, database)

    def verify_connectivity(self):
        self.verified += 1
        if self.verify_failures:
            raise self.verify_failures.pop(0)

    def close(self):
        self.closed = True


# --------------------------------------------------------------------------- statements and parameters


def test_push_sends_schema_then_batched_merges_with_values_only_as_parameters():
    graph = hand_graph()
    driver = FakeDriver()
    summary = push(graph, uri="bolt://db.example:7687", database="papers", batch_size=3, driver=driver)
    assert driver.verified == 1 and driver.closed
    assert all(db == "papers" for _, _, db in driver.calls)

    schema = split_statements(load_cypher("schema"))
    assert [s for s, _, _ in driver.calls[: len(schema)]] == schema
    expected = []
    node_template = strip_comments(load_cypher("upsert_nodes"))
    for label, rows in node_rows(graph).items():
        expected += [(fill(node_template, label=label), {"rows": rows[i : i + 3]}) for i in range(0, len(rows), 3)]
    rel_template = strip_comments(load_cypher("upsert_relationships"))
    for (a, t, b), rows in relationship_rows(graph).items():
        statement = fill(rel_template, source_label=a, type=t, target_label=b)
        expected += [(statement, {"rows": rows[i : i + 3]}) for i in range(0, len(rows), 3)]
    sent = [(s, p) for s, p, _ in driver.calls[len(schema):]]
    assert sent == expected
    assert all(len(p["rows"]) <= 3 for _, p in sent)
    for statement, _ in sent:
        assert statement.startswith("UNWIND $rows AS row") and "MERGE" in statement and "CREATE" not in statement
        assert "arxiv:" not in statement and "Ann" not in statement and "'" not in statement
    assert sum(summary.load.nodes.values()) == graph.number_of_nodes()
    assert sum(summary.load.relationships.values()) == graph.number_of_edges()
    assert str(summary).startswith("pushed to bolt://db.example:7687 (database papers): 18 nodes (Paper 4,")


def test_paper_rows_carry_title_abstract_and_metadata():
    driver = FakeDriver()
    push(hand_graph(), uri="bolt://x", driver=driver)
    papers = [row for s, p, _ in driver.calls if "MERGE (n:Paper" in s for row in p["rows"]]
    p1 = next(r for r in papers if r["id"] == "arxiv:2001.00001")["props"]
    assert p1["title"] == "AlphaNet: " + TRICKY and p1["abstract"].endswith(TRICKY)
    assert p1["authors"] == ["Ann O'Neil", "Bo"] and p1["arxiv_id"] == "2001.00001" and p1["upvotes"] == 7
    # lists of maps travel as JSON text; Neo4j stores lists of scalars only
    assert isinstance(p1["results"], str) and json.loads(p1["results"])[0]["metric"] == "Top-1 Accuracy"
    for row in papers:
        for value in row["props"].values():
            assert isinstance(value, (str, int, float, bool)) or (
                isinstance(value, list) and len({type(v) for v in value}) <= 1
                and all(isinstance(v, (str, int, float, bool)) for v in value)), value


def test_pushing_twice_sends_the_same_idempotent_statements():
    first, second = FakeDriver(), FakeDriver()
    push(hand_graph(), uri="bolt://x", driver=first)
    push(hand_graph(), uri="bolt://x", driver=second)
    assert first.calls == second.calls


def test_a_label_outside_the_model_stops_the_push_before_any_write():
    graph = hand_graph()
    graph.add_node("evil", label="Person`) DETACH DELETE (m", name="x")
    driver = FakeDriver()
    with pytest.raises(InputError, match="not a node label"):
        push(graph, uri="bolt://x", driver=driver)
    assert not [c for c in driver.calls if "MERGE" in c[0]]


# --------------------------------------------------------------------------- retries and errors


def test_transient_errors_are_retried_with_backoff():
    waits = []
    driver = FakeDriver(failures=[TransientError("deadlock"), DriverUnavailable("leader switch"), SessionExpired("gone")])
    backend = BoltBackend("bolt://x", driver=driver, sleep=waits.append, backoff=0.5)
    assert backend.run("RETURN $x AS ok", {"x": 1}) == (["ok"], [[1]])
    assert waits == [0.5, 1.0, 2.0]
    assert [c[0] for c in driver.calls] == ["RETURN $x AS ok"] * 4
    assert driver.sessions_closed == 4


def test_retries_are_bounded_and_end_in_service_unavailable():
    waits = []
    driver = FakeDriver(failures=[TransientError("busy")] * 10)
    backend = BoltBackend("bolt://db:7687", driver=driver, sleep=waits.append, max_attempts=4, backoff=0.1)
    with pytest.raises(ServiceUnavailable, match="gave up after 4 attempts") as info:
        backend.run("RETURN 1")
    assert info.value.exit_code == 2
    assert len(driver.calls) == 4 and waits == pytest.approx([0.1, 0.2, 0.4])


def test_a_refused_login_is_service_unavailable_without_retry():
    driver = FakeDriver(verify_failures=[AuthError("The client is unauthorized due to authentication failure.")])
    with pytest.raises(ServiceUnavailable, match="refused the login for user 'neo4j'") as info:
        push(hand_graph(), uri="bolt://db:7687", user="neo4j", password="wrong", driver=driver)
    assert driver.verified == 1 and driver.calls == [] and driver.closed
    assert info.value.exit_code == 2 and "\n" not in str(info.value)


def test_a_rejected_statement_is_input_error_without_retry():
    driver = FakeDriver(failures=[CypherSyntaxError("Invalid input 'X'")])
    with pytest.raises(InputError, match="Neo4j rejected a statement: Invalid input"):
        BoltBackend("bolt://x", driver=driver, sleep=lambda s: None).run("X")
    assert len(driver.calls) == 1


def test_a_bad_uri_is_input_error():
    with pytest.raises(InputError, match="bad Neo4j URI"):
        BoltBackend("ftp://nowhere", "neo4j", "x")


# --------------------------------------------------------------------------- sources and progress


def test_push_reads_a_build_directory_or_graph_file(tmp_path):
    (tmp_path / "graph.json").write_text(json.dumps(graph_to_json(hand_graph())), encoding="utf-8")
    for source in (tmp_path, tmp_path / "graph.json"):
        driver = FakeDriver()
        summary = push(source, uri="bolt://x", driver=driver)
        assert sum(summary.load.nodes.values()) == 18


def test_push_of_a_missing_path_is_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        push(tmp_path / "nope.txt", uri="bolt://x", driver=FakeDriver())


@pytest.mark.slow
def test_push_builds_an_input_file_first(tmp_path):
    listing = tmp_path / "papers.jsonl"
    listing.write_text(json.dumps({"id": "p1", "title": "O'Brien's \"Retrieval\" Transformer",
                                   "abstract": "We evaluate BERT on ImageNet and report 85.3% top-1 accuracy."}) + "\n",
                       encoding="utf-8")
    driver = FakeDriver()
    summary = push(listing, uri="bolt://x", driver=driver)
    titles = [r["props"]["title"] for s, p, _ in driver.calls if "MERGE (n:Paper" in s for r in p["rows"]]
    assert titles == ["O'Brien's \"Retrieval\" Transformer"]
    assert summary.load.nodes["Paper"] == 1


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    push(hand_graph(), uri="bolt://x", driver=FakeDriver(), progress=True)
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    push(hand_graph(), uri="bolt://x", driver=FakeDriver(), progress=True, batch_size=2)
    assert "loading" in capsys.readouterr().err


# --------------------------------------------------------------------------- a server that is down


def _closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_cli_push_to_a_closed_port_exits_2_with_one_line(tmp_path):
    (tmp_path / "graph.json").write_text(json.dumps(graph_to_json(hand_graph())), encoding="utf-8")
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    done = subprocess.run([sys.executable, "-m", "kg.cli", "neo4j", "push", str(tmp_path),
                           "--uri", f"bolt://127.0.0.1:{port}", "--password", "x"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert lines[0].startswith(f"kg: error: cannot reach Neo4j at bolt://127.0.0.1:{port}")
    assert done.stdout == ""


# --------------------------------------------------------------------------- a real Neo4j, when there is one


NEO4J_URI = os.environ.get("NEO4J_URI")


@pytest.mark.slow
@pytest.mark.database
@pytest.mark.skipif(not NEO4J_URI, reason="no real Neo4j here: set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to run")
def test_real_neo4j_push_twice_leaves_one_node_per_id_and_one_edge_per_relationship():
    prefix = f"kgtest-{uuid.uuid4().hex[:8]}:"
    graph = nx.relabel_nodes(hand_graph(), {n: prefix + n for n in hand_graph().nodes})
    settings = dict(uri=NEO4J_URI, user=os.environ.get("NEO4J_USER", "neo4j"),
                    password=os.environ.get("NEO4J_PASSWORD", ""), database=os.environ.get("NEO4J_DATABASE") or None)
    backend = BoltBackend(settings["uri"], settings["user"], settings["password"], database=settings["database"])
    try:
        for _ in range(2):
            push(graph, batch_size=5, **settings)
            _, nodes = backend.run("MATCH (n) WHERE n.id STARTS WITH $p RETURN n.id, count(*)", {"p": prefix})
            assert len(nodes) == graph.number_of_nodes() and all(c == 1 for _, c in nodes)
            _, rels = backend.run("MATCH (a)-[r]->(b) WHERE a.id STARTS WITH $p RETURN count(r)", {"p": prefix})
            assert rels == [[graph.number_of_edges()]]
        _, rows = backend.run("MATCH (p:Paper {id: $id}) RETURN p.title, p.authors", {"id": prefix + "arxiv:2001.00001"})
        assert rows == [["AlphaNet: " + TRICKY, ["Ann O'Neil", "Bo"]]]
    finally:
        backend.run("MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n", {"p": prefix})
        backend.close()
