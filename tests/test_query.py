"""``kg query``: Cypher on the embedded FalkorDB loaded from a built graph."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kg.query
from kg.db.falkor import EmbeddedFalkorDB
from kg.errors import InputError
from kg.graph import graph_to_json
from kg.cli import main
from kg.query import format_table, resolve_query, run_query
from test_cypher_rows import P1, P3, TRICKY, hand_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hand_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hand-build")
    (out / "graph.json").write_text(json.dumps(graph_to_json(hand_graph()), ensure_ascii=False), encoding="utf-8")
    return out


def kg_cli(*args: str) -> subprocess.CompletedProcess:
    """The real ``kg`` command in a child process (one per test at most: importing kg takes seconds)."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120)


def kg_main(capsys, *args: str) -> subprocess.CompletedProcess:
    """``kg.cli.main`` in this process, with what it printed."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["kg", *args], code, out, err)


def _our_servers() -> set[int]:
    """pids of running embedded FalkorDB servers started by kg (their socket dir names them)."""
    pids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"redis-server" in cmdline and b"kg-falkordb-" in cmdline:
            pids.add(int(pid))
    return pids


# --------------------------------------------------------------------------- format_table


def test_format_table_aligns_columns_and_counts_rows():
    text = format_table(["name", "papers"], [["ImageNet", 12], ["COCO", 3]])
    assert text.splitlines() == ["name     | papers", "---------+-------", "ImageNet | 12", "COCO     | 3", "(2 rows)"]


def test_format_table_keeps_each_row_on_one_line_and_cuts_long_cells():
    text = format_table(["t", "n", "l"], [["a\nb\tc", None, ["x", 1]], ["y" * 200, True, {"k": "é"}]], max_width=20)
    lines = text.splitlines()
    assert len(lines) == 5 and lines[-1] == "(2 rows)"
    assert lines[2].startswith("a b c ") and '["x", 1]' in lines[2]
    assert "y" * 19 + "…" in lines[3] and "true" in lines[3] and '{"k": "é"}' in lines[3]


def test_format_table_with_no_rows():
    assert format_table(["a"], []).splitlines() == ["a", "-", "(0 rows)"]


def test_resolve_query_by_name_file_or_text(tmp_path):
    assert "MATCH (p:Paper)-[:MEASURES]->(m:Metric)" in resolve_query("most_used_metrics")
    path = tmp_path / "q.cypher"
    path.write_text("RETURN 42 AS answer", encoding="utf-8")
    assert resolve_query(str(path)) == "RETURN 42 AS answer"
    assert resolve_query("RETURN 1") == "RETURN 1"
    with pytest.raises(InputError, match="missing.cypher"):
        resolve_query(str(tmp_path / "missing.cypher"))


# --------------------------------------------------------------------------- run_query


@pytest.mark.slow
@pytest.mark.database
def test_run_query_on_a_build_opens_no_tcp_port_and_stops_its_server(hand_build, monkeypatch):
    seen = {}

    class Observed(EmbeddedFalkorDB):
        def backend(self, graph="kg"):
            seen["port"], seen["pid"] = self.config("port"), self.pid
            seen["fds"] = [os.readlink(f"/proc/{self.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{self.pid}/fd")]
            return super().backend(graph)

    monkeypatch.setattr(kg.query, "EmbeddedFalkorDB", Observed)
    before = _our_servers()
    columns, rows = run_query(hand_build, "MATCH (p:Paper) RETURN p.id AS id, p.title AS title ORDER BY id")
    assert columns == ["id", "title"] and rows[0] == [P1, "AlphaNet: " + TRICKY] and len(rows) == 4
    assert seen["port"] == "0"
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            if line.split()[3] == "0A":
                listening.add(f"socket:[{line.split()[9]}]")
    assert not listening & set(seen["fds"])
    assert not os.path.exists(f"/proc/{seen['pid']}") or seen["pid"] not in _our_servers()
    assert _our_servers() <= before


@pytest.mark.slow
@pytest.mark.database
def test_run_query_takes_names_parameters_and_returns_nodes_as_maps(hand_build):
    columns, rows = run_query(hand_build, "papers_with_code_for_task", {"task": "Image Classification"})
    assert columns == ["paper", "title", "code"] and [r[0] for r in rows] == [P1, P3]
    _, rows = run_query(hand_build, "MATCH (d:Dataset {id: $id}) RETURN d", {"id": "dataset:imagenet"})
    assert rows == [[{"_labels": ["Dataset"], "id": "dataset:imagenet", "name": "ImageNet",
                      "aliases": ["ILSVRC", "ImageNet"], "mentions": 2}]]
    _, rows = run_query(hand_build, "RETURN $t AS t", {"t": TRICKY})
    assert rows == [[TRICKY]]


@pytest.mark.slow
@pytest.mark.database
@pytest.mark.parametrize("cypher,message", [
    ("CREATE (:Paper {id: 'x'})", "read-only"),
    ("MATCH (n RETURN n", "Cypher error"),
    ("// only a comment", "empty query"),
])
def test_run_query_refuses_writes_and_reports_bad_cypher(hand_build, cypher, message):
    with pytest.raises(InputError, match=message):
        run_query(hand_build, cypher)


def test_a_named_query_says_which_parameters_it_needs(hand_build):
    with pytest.raises(InputError, match="co_used_methods needs parameters method, limit: --params"):
        run_query(hand_build, "co_used_methods")
    with pytest.raises(InputError, match="needs parameters limit"):
        run_query(hand_build, "co_used_methods", {"method": "Adam"})


def test_run_query_needs_a_build(tmp_path):
    with pytest.raises(InputError, match="kg build"):
        run_query(tmp_path, "RETURN 1")


# --------------------------------------------------------------------------- the command line


@pytest.mark.slow
@pytest.mark.database
def test_cli_query_table_and_json(hand_build, capsys):
    before = _our_servers()
    done = kg_main(capsys, "query", str(hand_build), "most_used_datasets", "--params", '{"limit": 2}')
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["dataset  | papers", "---------+-------", "COCO     | 2", "ImageNet | 2", "(2 rows)"]
    done = kg_main(capsys, "query", str(hand_build), "MATCH (p:Paper {id: $id}) RETURN p.title AS title, p.authors AS authors",
                  "--params", json.dumps({"id": P1}), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"title": "AlphaNet: " + TRICKY, "authors": ["Ann O'Neil", "Bo"]}]
    assert _our_servers() <= before


@pytest.mark.slow
@pytest.mark.database
@pytest.mark.parametrize("args", [
    ["MATCH (n RETURN n"],
    ["RETURN 1", "--params", "{not json"],
    ["RETURN 1", "--params", "[1, 2]"],
])
def test_cli_query_errors_are_one_line_with_exit_code_1(hand_build, args, capsys):
    done = kg_main(capsys, "query", str(hand_build), *args)
    assert done.returncode == 1
    assert done.stderr.startswith("kg: error: ") and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.database
def test_cli_query_on_the_seed_build(seed_build, capsys):
    done = kg_cli("query", str(seed_build), "MATCH (p:Paper) RETURN count(p) AS papers", "--json")
    assert done.returncode == 0, done.stderr
    papers = json.loads(done.stdout)[0]["papers"]
    graph = json.loads((seed_build / "graph.json").read_text(encoding="utf-8"))
    assert papers == sum(1 for n in graph["nodes"] if n["label"] == "Paper") > 0
    done = kg_main(capsys, "query", str(seed_build), "most_used_datasets", "--params", '{"limit": 5}')
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["dataset", "|", "papers"] and done.stdout.rstrip().endswith("(5 rows)")
