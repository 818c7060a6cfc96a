"""Round trips of :mod:`kg.graph`: records -> graph -> graph.json / graph.graphml -> load_graph.

Lossless means the same nodes, edges (with their keys) and attributes, values of
the same type, lists and lists of dicts included.
"""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.errors import InputError
from kg.graph import graph_from_json, graph_to_json, graphml_ready, load_graph, to_networkx
from kg.models import Entity, Link, Mention, Paper, PaperRecord, Result, Source


def mention(text: str, sentence: str, rule: str = "gazetteer", field: str = "abstract") -> Mention:
    return Mention(field=field, start=0, end=len(text), text=text, rule=rule, sentence=sentence)


def records() -> list[PaperRecord]:
    """Papers that exercise every attribute kg.graph writes, awkward values included."""
    p1 = Paper(
        id="arxiv:2301.00001",
        title="Fast <b>Transformers</b> & \"friends\"",
        abstract="We propose FastFormer (FF).\nIt reaches 91.2% accuracy on ImageNet.",
        url="https://arxiv.org/abs/2301.00001",
        arxiv_id="2301.00001",
        published="2023-01-02",
        authors=["Ana Núñez", "李雷"],
        n_authors=2,
        upvotes=0,
        sources=[Source(file="a.txt", line=3)],
    )
    r1 = Result(metric="accuracy", dataset="ImageNet", value="91.2%", text="91.2% accuracy on ImageNet", rule="result.pct")
    r2 = Result(metric="FID", dataset=None, value="3.1", text="an FID of 3.1")
    rec1 = PaperRecord(
        id=p1.id,
        title=p1.title,
        paper=p1,
        entities=[
            Entity(type="Method", name="FastFormer", id="method:fastformer", role="proposed", aliases=["FF"],
                   mentions=[mention("FastFormer", "We propose FastFormer (FF).", "acronym"), mention("FF", "FF is fast.")]),
            Entity(type="Method", name="Transformer", id="method:transformer", role="used",
                   mentions=[mention("Transformers", "Fast <b>Transformers</b> & \"friends\"", field="title")]),
            Entity(type="Dataset", name="ImageNet", id="dataset:imagenet", role="evaluated",
                   aliases=["ILSVRC", "ImageNet-1k"], mentions=[mention("ImageNet", "It reaches 91.2% accuracy on ImageNet.")]),
            Entity(type="Metric", name="accuracy", id="metric:accuracy", role="measured",
                   mentions=[mention("accuracy", "It reaches 91.2% accuracy on ImageNet.")]),
            Entity(type="Metric", name="FID", id="metric:fid", role="measured", mentions=[]),
            Entity(type="Task", name="2023", id="task:2023", role="addressed",
                   mentions=[mention("2023", "A name that looks like a number.")]),
        ],
        links=[
            Link(url="https://github.com/Org/FastFormer.git", kind="code", sentence="Code: https://github.com/Org/FastFormer.git"),
            Link(url="https://github.com/org/fastformer/tree/main", kind="code", sentence="Also here."),
            Link(url="https://fastformer.io", kind="project"),
            Link(url="https://example.org/x?a=1&b=2", kind="other"),
        ],
        results=[r1, r2],
    )
    p2 = Paper(id="title:abc123", title="No abstract, no metadata", sources=[Source(file="-", line=0)])
    rec2 = PaperRecord(
        id=p2.id,
        title=p2.title,
        paper=p2,
        entities=[
            Entity(type="Method", name="Transformer", id="method:transformer", role="used", aliases=["transformers"],
                   mentions=[mention("transformers", "")]),
            Entity(type="Dataset", name="ImageNet", id="dataset:imagenet", role="introduced",
                   mentions=[mention("ImageNet", "s1"), mention("ImageNet", "s1"), mention("ImageNet", "s2")]),
        ],
    )
    # the same paper seen in a second listing: only its sources grow
    p1_again = p1.model_copy(update={"sources": [Source(file="b.txt", line=7)]})
    return [rec1, rec2, PaperRecord(id=p1.id, title=p1.title, paper=p1_again)]


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return to_networkx(records())


def assert_same_graph(got: nx.MultiDiGraph, want: nx.MultiDiGraph) -> None:
    assert isinstance(got, nx.MultiDiGraph)
    assert got.graph == want.graph
    assert set(got.nodes) == set(want.nodes)
    for node, data in want.nodes(data=True):
        assert got.nodes[node] == data, node
        assert _types(got.nodes[node]) == _types(data), node
    assert sorted(got.edges(keys=True)) == sorted(want.edges(keys=True))
    for u, v, k, data in want.edges(keys=True, data=True):
        assert got.edges[u, v, k] == data, (u, v, k)
        assert _types(got.edges[u, v, k]) == _types(data), (u, v, k)


def _types(data: dict) -> dict:
    """Attribute types, so that 1 and 1.0 or True and 1 do not pass as equal."""
    return {k: type(v).__name__ for k, v in data.items()}


def write_json(graph: nx.MultiDiGraph, path: Path) -> None:
    """As kg.pipeline.write_outputs writes graph.json."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(graph_to_json(graph), fh, ensure_ascii=False, indent=1, sort_keys=True)


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """As kg.pipeline.write_outputs writes graph.graphml."""
    nx.write_graphml(graphml_ready(graph), path, encoding="utf-8", prettyprint=True)


def test_fixture_exercises_the_schema(graph):
    """Guard for the tests below: the hand-made graph has what makes a round trip hard."""
    paper = graph.nodes["arxiv:2301.00001"]
    assert paper["sources"] == ["a.txt:3", "b.txt:7"]
    assert paper["results"][1]["dataset"] is None
    assert paper["project_urls"] == ["https://fastformer.io"]
    assert graph.nodes["title:abc123"]["n_authors"] == -1
    assert graph.nodes["dataset:imagenet"]["aliases"] == ["ILSVRC", "ImageNet", "ImageNet-1k"]
    assert graph.nodes["dataset:imagenet"]["mentions"] == 4
    assert graph.nodes["task:2023"]["name"] == "2023"
    code = graph.edges["arxiv:2301.00001", "repository:github.com/org/fastformer", "HAS_CODE"]
    assert code["count"] == 2
    assert graph.edges["title:abc123", "dataset:imagenet", "INTRODUCES"]["evidence"] == ["s1", "s2"]
    assert graph.edges["arxiv:2301.00001", "metric:accuracy", "MEASURES"]["results"][0]["value"] == "91.2%"
    assert graph.edges["arxiv:2301.00001", "metric:fid", "MEASURES"]["evidence"] == []


def test_json_data_round_trip(graph):
    assert_same_graph(graph_from_json(json.loads(json.dumps(graph_to_json(graph)))), graph)


def test_json_file_round_trip(graph, tmp_path):
    write_json(graph, tmp_path / "graph.json")
    assert_same_graph(load_graph(tmp_path / "graph.json"), graph)
    assert_same_graph(load_graph(str(tmp_path / "graph.json")), graph)


def test_graphml_file_round_trip(graph, tmp_path):
    write_graphml(graph, tmp_path / "graph.graphml")
    assert_same_graph(load_graph(tmp_path / "graph.graphml"), graph)


def test_parallel_edges_keep_their_keys(tmp_path):
    """A paper that both introduces and evaluates on a dataset has two edges, told apart by key."""
    p = Paper(id="arxiv:2302.00002", title="Both")
    ds = [
        Entity(type="Dataset", name="D", id="dataset:d", role=role, mentions=[mention("D", f"{role} D.")])
        for role in ("introduced", "evaluated")
    ]
    graph = to_networkx([PaperRecord(id=p.id, title=p.title, paper=p, entities=ds)])
    assert graph.number_of_edges(p.id, "dataset:d") == 2
    write_json(graph, tmp_path / "graph.json")
    write_graphml(graph, tmp_path / "graph.graphml")
    for name in ("graph.json", "graph.graphml"):
        loaded = load_graph(tmp_path / name)
        assert_same_graph(loaded, graph)
        assert set(loaded[p.id]["dataset:d"]) == {"INTRODUCES", "EVALUATES_ON"}


def test_json_and_graphml_load_the_same_graph(graph, tmp_path):
    write_json(graph, tmp_path / "graph.json")
    write_graphml(graph, tmp_path / "graph.graphml")
    assert_same_graph(load_graph(tmp_path / "graph.graphml"), load_graph(tmp_path / "graph.json"))


def test_second_round_trip_writes_identical_files(graph, tmp_path):
    """Writing a loaded graph again gives byte-identical files (re-running changes nothing)."""
    write_json(graph, tmp_path / "a.json")
    write_json(load_graph(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    write_graphml(graph, tmp_path / "a.graphml")
    write_graphml(load_graph(tmp_path / "a.graphml"), tmp_path / "b.graphml")
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()


def test_load_graph_from_build_dir(graph, tmp_path):
    write_json(graph, tmp_path / "graph.json")
    assert_same_graph(load_graph(tmp_path), graph)
    assert_same_graph(kg.load_graph(str(tmp_path)), graph)


def test_load_graph_from_pipeline_outputs(graph, tmp_path):
    """The files kg.pipeline.write_outputs writes load back losslessly."""
    from kg.pipeline import write_outputs

    try:
        write_outputs(graph, records(), tmp_path, html=False)
    except NotImplementedError:
        pytest.skip("kg.export.cypher_script is still a placeholder")
    assert_same_graph(load_graph(tmp_path), graph)
    assert_same_graph(load_graph(tmp_path / "graph.graphml"), graph)


def test_kg_to_networkx_is_the_graph_builder():
    assert kg.to_networkx is to_networkx


def test_empty_graph_round_trip(tmp_path):
    graph = to_networkx([])
    write_json(graph, tmp_path / "graph.json")
    write_graphml(graph, tmp_path / "graph.graphml")
    assert_same_graph(load_graph(tmp_path / "graph.json"), graph)
    assert_same_graph(load_graph(tmp_path / "graph.graphml"), graph)


def test_load_graph_missing(tmp_path):
    with pytest.raises(InputError, match="kg build"):
        load_graph(tmp_path)


def test_load_graph_not_a_graph(tmp_path):
    (tmp_path / "graph.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="graph.json"):
        load_graph(tmp_path)


def test_graphml_stays_readable_with_control_characters(tmp_path):
    """Regression: an ESC byte in an abstract (a JSONL input can carry one) made graph.graphml unparsable.

    XML 1.0 cannot hold such characters at all, so GraphML shows them as U+FFFD;
    inside list attributes (JSON text) and in graph.json they survive exactly.
    """
    p = Paper(id="arxiv:2303.00003", title="Esc\x1bape", abstract="bell\x07 and nul\x00", authors=["a\x1bb"])
    graph = to_networkx([PaperRecord(id=p.id, title=p.title, paper=p)])
    write_json(graph, tmp_path / "graph.json")
    write_graphml(graph, tmp_path / "graph.graphml")
    assert_same_graph(load_graph(tmp_path / "graph.json"), graph)
    node = load_graph(tmp_path / "graph.graphml").nodes[p.id]
    assert node["title"] == "Esc\ufffdape"
    assert node["abstract"] == "bell\ufffd and nul\ufffd"
    assert node["authors"] == ["a\x1bb"]
