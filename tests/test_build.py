"""kg build: outputs, provenance on every edge, idempotent re-runs, merging, atomic writes."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import kg
from kg.models import Relationship
from kg.pipeline import OUTPUT_FILES
from conftest import EXAMPLE

FIX = Path(__file__).parent / "fixtures" / "read"


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def test_build_writes_every_output(tmp_path):
    summary = kg.build([str(EXAMPLE)], tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    for name in OUTPUT_FILES:
        stat = (tmp_path / name).stat()
        assert stat.st_size > 0, name
        assert stat.st_mode & 0o777 == 0o666 & ~umask, f"{name} should be readable like any file the user writes"
    assert summary.papers == 8
    graph = kg.load_graph(tmp_path)
    assert sum(1 for _, d in graph.nodes(data=True) if d["label"] == "Paper") == 8
    assert summary.nodes == {label: n for label, n in summary.nodes.items() if n}
    assert sum(summary.edges.values()) == graph.number_of_edges()
    lines = (tmp_path / "papers.jsonl").read_text().splitlines()
    assert len(lines) == 8
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_every_edge_carries_its_evidence_sentence(tmp_path):
    kg.build([str(EXAMPLE)], tmp_path)
    graph = kg.load_graph(tmp_path)
    assert graph.number_of_edges() > 20
    for u, v, k, d in graph.edges(keys=True, data=True):
        assert d["type"] == k
        assert d["sentence"], (u, v, k)
        assert d["rules"] and d["count"] >= 1
        text = graph.nodes[u]["title"] + " " + graph.nodes[u]["abstract"]
        assert d["sentence"] in text, "evidence must be a sentence of the paper"


def test_code_links_become_repositories(tmp_path):
    kg.build([str(EXAMPLE)], tmp_path)
    graph = kg.load_graph(tmp_path)
    repos = {n: d for n, d in graph.nodes(data=True) if d["label"] == "Repository"}
    assert "repository:github.com/example-lab/toolarena" in repos
    assert any(k == "HAS_CODE" for _, _, k in graph.in_edges("repository:github.com/example-lab/toolarena", keys=True))
    pages = [d["project_urls"] for _, d in graph.nodes(data=True) if d["label"] == "Paper" and d["project_urls"]]
    assert ["https://flowdit.example.org"] in pages


def test_rerun_with_same_inputs_changes_nothing(tmp_path):
    kg.build([str(EXAMPLE)], tmp_path)
    first = snapshot(tmp_path)
    summary = kg.build([str(EXAMPLE)], tmp_path)
    assert summary.new_papers == 0
    assert snapshot(tmp_path) == first


def test_adding_inputs_merges_and_sources_grow(tmp_path):
    kg.build([str(FIX / "blank_separated.txt")], tmp_path)
    summary = kg.build([str(FIX / "with_metadata.txt")], tmp_path)
    assert summary.papers == 3 and summary.new_papers == 1
    graph = kg.load_graph(tmp_path)
    papers = {d["title"]: d for _, d in graph.nodes(data=True) if d["label"] == "Paper"}
    assert len(papers["Tiny Adapters for Big Models"]["sources"]) == 2
    assert len(papers["Audio Tagging at Scale"]["sources"]) == 1
    # metadata only the second listing has is kept on the merged paper
    assert papers["Tiny Adapters for Big Models"]["n_authors"] == 5
    # order of builds does not matter for the graph
    other = tmp_path / "other"
    kg.build([str(FIX / "blank_separated.txt"), str(FIX / "with_metadata.txt")], other)
    assert (other / "graph.json").read_bytes() == (tmp_path / "graph.json").read_bytes()


def test_failed_write_leaves_previous_outputs_intact(tmp_path, monkeypatch):
    kg.build([str(EXAMPLE)], tmp_path)
    before = snapshot(tmp_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kg.export.html.render_html", boom)
    with pytest.raises(RuntimeError):
        kg.build([str(FIX / "with_metadata.txt")], tmp_path)
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_no_readable_paper_is_an_input_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(kg.InputError, match="empty file"):
        kg.build([str(empty)], tmp_path / "out")
    assert not (tmp_path / "out" / "graph.json").exists()


def test_seed_build_has_295_papers_with_evidence(seed_build, seed_files):
    graph = kg.load_graph(seed_build)
    papers = [d for _, d in graph.nodes(data=True) if d["label"] == "Paper"]
    assert len(papers) == 295
    assert sum(len(p["sources"]) for p in papers) == 332
    assert {s.rsplit(":", 1)[0] for p in papers for s in p["sources"]} == set(seed_files)
    assert graph.number_of_edges() > 295
    assert all(d["sentence"] for _, _, d in graph.edges(data=True))
    for u, v, d in graph.edges(data=True):  # every edge is a valid Relationship (schemas/relationship.schema.json)
        Relationship(source=u, target=v, **d)
    data = json.loads((seed_build / "graph.json").read_text())
    assert data["multigraph"] and data["directed"]
