"""Round trips of :mod:`kg.graph`: records -> graph -> graph.json / graph.graphml -> load_graph.

Lossless means the same nodes, edges (with their keys) and attributes, values of
the same type, lists and lists of dicts included.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.errors import InputError
from kg.graph import _XML_INVALID, graph_from_json, graph_to_json, graphml_ready, load_graph, read_graphml, to_networkx
from kg.graph import write_graph_json as stream_graph_json
from kg.graph import write_graphml as stream_graphml
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


# --------------------------------------------------------------------------- streaming writers
#
# kg.graph.write_graph_json / write_graphml must write the very bytes of the calls they replace in
# kg.pipeline.write_outputs (write_json / write_graphml above, plus the trailing newline of graph.json).

HOSTILE = "<b>&\"'x</b> \n\ttab\r\ncr\r é 李 \x01\x1b\x7f end"
#: characters UTF-8 cannot encode (lone surrogates) or XML cannot carry
UNENCODABLE = "lone \ud800 \udfff \ufffe"
#: an id that XML can carry (markup, quotes and whitespace are escaped in attributes)
ODD_ID = "paper:<b>&\"'\n\t\r é"


def hostile_graph(xml_safe_ids: bool = False, surrogates: bool = True) -> nx.MultiDiGraph:
    """Every kind of value the writers must encode alike.

    Unless ``xml_safe_ids``, ids with control characters and lone surrogates too (GraphML that
    no parser reads, before as now); with ``surrogates``, values graph.json cannot encode.
    """
    graph = nx.MultiDiGraph()
    graph.graph.update(name="g <&>\"\n", version=3, ratio=0.25, final=True, empty="")
    graph.add_node(ODD_ID, label="Paper", name=HOSTILE, title=" lead and trail ", abstract="",
                   authors=["Ana Núñez", HOSTILE, ""], sources=[], results=[{"dataset": None, "value": "1 < 2"}],
                   n_authors=0, upvotes=-1, score=-0.5, big=10**20, flag=False, other=True, url=None)
    graph.add_node("dataset:bare")
    graph.add_node("method:x", label="Method", name="X", aliases=[], mentions=2)
    graph.add_edge(ODD_ID, "dataset:bare", key="INTRODUCES", sentence=HOSTILE, evidence=[HOSTILE, ""], rules=[],
                   count=1, results=[])
    graph.add_edge(ODD_ID, "dataset:bare", key="EVALUATES_ON", sentence="", evidence=[], rules=["r"], count=2,
                   results=[{"metric": "acc", "dataset": "D", "value": None}])
    graph.add_edge(ODD_ID, "method:x", key="USES", weight=1.5, sentence=None)
    graph.add_edge("method:x", "method:x", key="SELF")
    if surrogates:
        graph.nodes["method:x"]["note"] = UNENCODABLE
    if not xml_safe_ids:
        graph.nodes["method:x"]["aliases"] = [UNENCODABLE]  # JSON text keeps them: unreadable GraphML
        graph.add_node("task:\x01\ud800", label="Task\x02", name="t")  # unreadable GraphML, as it always was
        graph.add_edge("method:x", "task:\x01\ud800", key="K\x03", count=1)
        graph.graph.update(id="graph <id>", raw="\x01")  # graph attributes are written unencoded
    return graph


def old_json_text(graph: nx.MultiDiGraph) -> str:
    buf = io.StringIO()
    json.dump(graph_to_json(graph), buf, ensure_ascii=False, indent=1, sort_keys=True)
    buf.write("\n")
    return buf.getvalue()


def new_json_text(graph: nx.MultiDiGraph) -> str:
    buf = io.StringIO()
    stream_graph_json(graph, buf)
    return buf.getvalue()


def assert_streams_like_before(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    """The streamed graph.json and graph.graphml are byte-identical to the old calls' files."""
    old_json, new_json = tmp_path / "old.json", tmp_path / "new.json"
    write_json(graph, old_json)
    with open(old_json, "a", encoding="utf-8", newline="\n") as fh:
        fh.write("\n")
    with open(new_json, "w", encoding="utf-8", newline="\n") as fh:
        stream_graph_json(graph, fh)
    assert new_json.read_bytes() == old_json.read_bytes()
    write_graphml(graph, tmp_path / "old.graphml")
    stream_graphml(graph, tmp_path / "new.graphml")
    assert (tmp_path / "new.graphml").read_bytes() == (tmp_path / "old.graphml").read_bytes()


def test_streamed_seed_build_is_byte_identical(seed_build, tmp_path):
    graph = load_graph(seed_build)  # attributes in sorted order, as graph.json holds them
    assert graph.number_of_nodes() > 100 and graph.number_of_edges() > 100
    assert_streams_like_before(graph, tmp_path)


def test_seed_build_wrote_what_the_old_calls_write(seed_build, tmp_path):
    """kg build streams its files; they equal the old calls on the build's own graph (rebuilt from papers.jsonl)."""
    from kg.pipeline import load_records

    graph = to_networkx(load_records(seed_build / "papers.jsonl").values())  # attributes in insertion order
    assert_streams_like_before(graph, tmp_path)
    assert (seed_build / "graph.json").read_bytes() == (tmp_path / "old.json").read_bytes()
    assert (seed_build / "graph.graphml").read_bytes() == (tmp_path / "old.graphml").read_bytes()


def defaults_graph() -> nx.MultiDiGraph:
    """Graph-level node/edge defaults become ``<default>`` in the GraphML keys (kg never sets them)."""
    graph = nx.MultiDiGraph(node_default={"name": "<none>", "mentions": 0}, edge_default={"count": ""})
    graph.add_node("b", name="B", mentions=1)
    graph.add_node("a", name=None)
    graph.add_edge("b", "a", key="K", count=3)
    return graph


@pytest.mark.parametrize("make", [
    lambda: to_networkx(records()), lambda: hostile_graph(xml_safe_ids=True, surrogates=False), defaults_graph,
    nx.MultiDiGraph,
], ids=["records", "hostile", "defaults", "empty"])
def test_streamed_files_are_byte_identical(make, tmp_path):
    assert_streams_like_before(make(), tmp_path)


def test_streamed_text_is_identical_with_hostile_ids(tmp_path):
    """Ids with control characters and lone surrogates: the same JSON text, the same GraphML bytes."""
    graph = hostile_graph()
    assert new_json_text(graph) == old_json_text(graph)
    old_xml, new_xml = io.BytesIO(), io.BytesIO()
    nx.write_graphml(graphml_ready(graph), old_xml, encoding="utf-8", prettyprint=True)
    stream_graphml(graph, new_xml)
    assert new_xml.getvalue() == old_xml.getvalue()
    assert b'<node id="dataset:bare" />' in new_xml.getvalue()
    assert b"&#55296;" in new_xml.getvalue()  # a lone surrogate in an id, as ElementTree's writer replaces it


def test_streamed_json_fails_like_json_dump_on_lone_surrogates(tmp_path):
    """graph.json is UTF-8: neither writer can store a lone surrogate (kg.read replaces them, so builds never hold one)."""
    graph = hostile_graph(xml_safe_ids=True)
    with pytest.raises(UnicodeEncodeError):
        write_json(graph, tmp_path / "old.json")
    with pytest.raises(UnicodeEncodeError):
        with open(tmp_path / "new.json", "w", encoding="utf-8") as fh:
            stream_graph_json(graph, fh)


def test_streamed_writers_leave_the_graph_alone():
    graph = hostile_graph()
    before = json.dumps(graph_to_json(graph), sort_keys=True)
    new_json_text(graph)
    stream_graphml(graph, io.BytesIO())
    assert json.dumps(graph_to_json(graph), sort_keys=True) == before
    assert graph.graph["id"] == "graph <id>"


def test_streamed_edges_in_sorted_key_order():
    graph = nx.MultiDiGraph()
    for u, v, k in [("b", "a", "Z"), ("a", "c", "B"), ("a", "b", "Y"), ("a", "b", "A"), ("c", "a", "A")]:
        graph.add_edge(u, v, key=k)
    edges = [(e["source"], e["target"], e["key"]) for e in json.loads(new_json_text(graph))["edges"]]
    assert edges == sorted(graph.edges(keys=True))


def graphml_view(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``graph`` as GraphML gives it back: strings XML-safe with line ends normalised, None as ""."""
    def carried(value):
        if value is None:
            return ""
        if isinstance(value, str):
            return _XML_INVALID.sub("\ufffd", value).replace("\r\n", "\n").replace("\r", "\n")
        return value

    out = nx.MultiDiGraph()
    out.graph.update({k: carried(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: carried(v) for k, v in data.items()})
    for u, v, k, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **{a: carried(x) for a, x in data.items()})
    return out


def test_streamed_graphml_reads_back(graph, tmp_path):
    stream_graphml(graph, tmp_path / "graph.graphml")
    assert_same_graph(read_graphml(tmp_path / "graph.graphml"), graph)


def test_streamed_hostile_graphml_reads_back(tmp_path):
    """Lists (JSON text) come back exact; scalar strings as XML can carry them."""
    graph = hostile_graph(xml_safe_ids=True)
    stream_graphml(graph, str(tmp_path / "graph.graphml"))
    got = read_graphml(tmp_path / "graph.graphml")
    assert_same_graph(got, graphml_view(graph))
    assert got.nodes[ODD_ID]["authors"] == ["Ana Núñez", HOSTILE, ""]
    assert got.nodes[ODD_ID]["name"] == "<b>&\"'x</b> \n\ttab\ncr\n é 李 \ufffd\ufffd\x7f end"
    assert got.nodes["method:x"]["note"] == "lone \ufffd \ufffd \ufffd"
    assert got.nodes["dataset:bare"] == {}
