"""Graph -> Cypher rows and Cypher files: fast tests, no database.

Also home of :func:`hand_graph`, a small graph with known answers that the
database tests (test_cypher_falkordb.py, test_query.py, test_neo4j.py) load.
"""
from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.db.cypher_files import fill, list_queries, load_cypher, split_statements, strip_comments
from kg.db.rows import check_label, check_rel_type, node_rows, relationship_rows, result_score, to_properties
from kg.graph import to_networkx
from kg.models import NODE_LABELS, REL_TYPES, Entity, Link, Mention, Paper, PaperRecord, Result, Source

#: text that must survive every route into a database unchanged
TRICKY = "It's \"quoted\" <b>bold</b> & <script>alert('x')</script> back\\slash\nnew line\ttab é 漢字 😀 ; // not a comment"

P1, P2, P3, P4 = "arxiv:2001.00001", "arxiv:2001.00002", "arxiv:2001.00003", "title:00000000000000ab"


def _entity(type_: str, name: str, role: str, sentence: str, aliases: tuple[str, ...] = ()) -> Entity:
    mention = Mention(field="abstract", start=0, end=len(name), text=name, rule=f"test-{role}", sentence=sentence)
    return Entity(type=type_, name=name, id=f"{type_.lower()}:{name.lower()}", role=role, aliases=list(aliases), mentions=[mention])


def hand_records() -> list[PaperRecord]:
    """Four papers whose query answers are worked out by hand in the tests."""
    p1 = Paper(id=P1, title="AlphaNet: " + TRICKY, abstract="We propose AlphaNet.\n" + TRICKY, arxiv_id="2001.00001",
               authors=["Ann O'Neil", "Bo"], n_authors=2, upvotes=7, sources=[Source(file="a.txt", line=3)])
    p2 = Paper(id=P2, title="Beta study", abstract="BERT and Transformer on ImageNet.", arxiv_id="2001.00002")
    p3 = Paper(id=P3, title="Gamma set", abstract="We introduce NewSet.", arxiv_id="2001.00003")
    p4 = Paper(id=P4, title="Delta: no arXiv id", abstract="Question answering.")
    imagenet = ("ILSVRC",)
    return [
        PaperRecord(id=P1, title=p1.title, paper=p1, entities=[
            _entity("Method", "AlphaNet", "proposed", "We propose AlphaNet."),
            _entity("Method", "Transformer", "used", "It's built on a Transformer."),
            _entity("Method", "Adam", "used", "Trained with Adam."),
            _entity("Dataset", "ImageNet", "evaluated", TRICKY, imagenet),
            _entity("Dataset", "COCO", "evaluated", "Also on COCO."),
            _entity("Metric", "Top-1 Accuracy", "measured", "85.3% top-1 accuracy."),
            _entity("Task", "Image Classification", "addressed", "For image classification."),
        ], links=[Link(url="https://github.com/org/alpha", kind="code", sentence="Code: https://github.com/org/alpha")],
            results=[Result(metric="Top-1 Accuracy", dataset="ImageNet", value="85.3%", text="85.3% top-1 accuracy")]),
        PaperRecord(id=P2, title=p2.title, paper=p2, entities=[
            _entity("Method", "Transformer", "used", "A Transformer."),
            _entity("Method", "BERT", "used", "BERT too."),
            _entity("Dataset", "ImageNet", "evaluated", "On ImageNet.", imagenet),
            _entity("Metric", "Top-1 Accuracy", "measured", "80.1% top-1."),
            _entity("Metric", "F1", "measured", "F1 of 0.5."),
            _entity("Task", "Image Classification", "addressed", "Image classification."),
        ], results=[Result(metric="Top-1 Accuracy", dataset="ImageNet", value="80.1%", text="80.1% top-1"),
                    Result(metric="F1", dataset=None, value="n/a", text="F1 n/a")]),
        PaperRecord(id=P3, title=p3.title, paper=p3, entities=[
            _entity("Method", "Transformer", "used", "Transformer again."),
            _entity("Method", "Adam", "used", "Adam again."),
            _entity("Dataset", "NewSet", "introduced", "We introduce NewSet."),
            _entity("Dataset", "COCO", "evaluated", "Evaluated on COCO."),
            _entity("Metric", "F1", "measured", "F1 is 0.7."),
            _entity("Metric", "mAP", "measured", "42.0 mAP."),
            _entity("Task", "Image Classification", "addressed", "Image classification again."),
        ], links=[Link(url="https://gitlab.com/x/y", kind="code", sentence="See https://gitlab.com/x/y"),
                  Link(url="https://gamma.example.org", kind="project")],
            results=[Result(metric="mAP", dataset="COCO", value="42.0 mAP", text="42.0 mAP on COCO")]),
        PaperRecord(id=P4, title=p4.title, paper=p4, entities=[
            _entity("Task", "Question Answering", "addressed", "Question answering."),
        ]),
    ]


def hand_graph() -> nx.MultiDiGraph:
    return to_networkx(hand_records())


def test_hand_graph_shape():
    g = hand_graph()
    labels = sorted(d["label"] for _, d in g.nodes(data=True))
    assert labels.count("Paper") == 4 and labels.count("Method") == 4 and labels.count("Repository") == 2
    assert g.number_of_edges() == 23


def test_node_rows_group_by_label_in_model_order():
    rows = node_rows(hand_graph())
    assert list(rows) == [label for label in NODE_LABELS if label in rows]
    assert [r["id"] for r in rows["Paper"]] == sorted([P1, P2, P3, P4])
    assert all("label" not in r["props"] and "id" not in r["props"] for group in rows.values() for r in group)


def test_paper_properties_keep_text_and_metadata():
    paper = {r["id"]: r["props"] for r in node_rows(hand_graph())["Paper"]}
    p1, p4 = paper[P1], paper[P4]
    assert p1["title"] == "AlphaNet: " + TRICKY
    assert p1["abstract"].endswith(TRICKY)
    assert p1["authors"] == ["Ann O'Neil", "Bo"] and p1["n_authors"] == 2 and p1["upvotes"] == 7
    assert p1["sources"] == ["a.txt:3"]
    # unknown metadata is left out rather than stored as "" or -1
    assert "upvotes" not in p4 and "arxiv_id" not in p4 and "url" not in p4


def test_results_become_json_text_and_parallel_lists():
    paper = {r["id"]: r["props"] for r in node_rows(hand_graph())["Paper"]}
    p2 = paper[P2]
    assert json.loads(p2["results"])[0]["value"] == "80.1%"
    # "n/a" has no number, so it is only in the JSON text
    assert p2["result_metrics"] == ["Top-1 Accuracy"] and p2["result_scores"] == [80.1]
    assert p2["result_datasets"] == ["ImageNet"] and p2["result_values"] == ["80.1%"]


def test_relationship_rows_one_per_edge_grouped_by_type():
    rels = relationship_rows(hand_graph())
    assert sum(map(len, rels.values())) == 23
    assert [key[1] for key in rels] == sorted({key[1] for key in rels}, key=REL_TYPES.index)
    code = rels[("Paper", "HAS_CODE", "Repository")]
    assert {(r["source"], r["target"]) for r in code} == {(P1, "repository:github.com/org/alpha"), (P3, "repository:gitlab.com/x/y")}
    evaluated = {r["source"]: r["props"] for r in rels[("Paper", "EVALUATES_ON", "Dataset")] if r["target"] == "dataset:imagenet"}
    assert evaluated[P1]["sentence"] == TRICKY and evaluated[P1]["result_scores"] == [85.3]
    assert "type" not in evaluated[P1]


def test_labels_and_types_only_from_the_model():
    assert check_label("Dataset") == "Dataset" and check_rel_type("HAS_CODE") == "HAS_CODE"
    for bad in ("paper", "Paper) DETACH DELETE (n", "", None):
        with pytest.raises(ValueError):
            check_label(bad)
    with pytest.raises(ValueError):
        check_rel_type("USES]->() DELETE x //")
    g = hand_graph()
    g.nodes[P1]["label"] = "Evil`Label"
    with pytest.raises(ValueError, match="not a node label"):
        node_rows(g)


def test_fill_refuses_names_outside_the_model():
    template = load_cypher("upsert_relationships")
    filled = fill(template, source_label="Paper", type="USES", target_label="Method")
    assert "MERGE (a)-[r:USES]->(b)" in filled and "{{" not in filled
    with pytest.raises(ValueError):
        fill(template, source_label="Paper", type="DROPS", target_label="Method")
    with pytest.raises(ValueError):
        fill(template, source_label="Paper", type="USES", target_label="Person")
    with pytest.raises(ValueError, match="no value"):
        fill(template, source_label="Paper", type="USES")


def test_property_names_must_be_identifiers():
    with pytest.raises(ValueError):
        to_properties({"bad key": 1})


def test_mixed_or_nested_lists_become_json_text():
    props = to_properties({"a": [1, "x"], "b": [[1]], "c": {"k": "v"}, "d": [1, 2]})
    assert props == {"a": '[1, "x"]', "b": "[[1]]", "c": '{"k": "v"}', "d": [1, 2]}


@pytest.mark.parametrize("value,score", [("8.7%", 8.7), ("+3.2 points", 3.2), ("1,024", 1024.0), ("-0.5", -0.5), ("n/a", None)])
def test_result_score(value, score):
    assert result_score(value) == score


def test_split_statements_respects_strings_and_comments():
    text = "// header; not a statement\nRETURN 'a;b' AS x; // trailing ; comment\nRETURN \"it\\\"s;\" AS y;\n\nRETURN `we;ird` AS z"
    assert split_statements(text) == ["RETURN 'a;b' AS x", 'RETURN "it\\"s;" AS y', "RETURN `we;ird` AS z"]
    assert strip_comments("MATCH (n) // all\nRETURN 'http://x' AS u // done") == "MATCH (n) \nRETURN 'http://x' AS u "


def test_schema_files_cover_every_label():
    neo4j = split_statements(load_cypher("schema"))
    falkor = split_statements(load_cypher("schema.falkordb"))
    for label in NODE_LABELS:
        assert any(f"(n:{label}) REQUIRE n.id IS UNIQUE" in s for s in neo4j), label
        assert any(f"(n:{label}) ON (n.id)" in s for s in falkor), label
    assert all("IF NOT EXISTS" in s for s in neo4j)


def test_every_query_file_has_a_header_and_declared_parameters():
    queries = list_queries()
    assert {"papers_evaluated_on_dataset", "co_used_methods", "most_used_datasets", "most_used_metrics",
            "papers_with_code_for_task", "paper_neighbourhood", "dataset_leaderboard"} <= set(queries)
    for query in queries.values():
        header = [line for line in query.text.splitlines() if line.startswith("//")]
        assert query.text.startswith("//") and query.description, query.name
        for param in query.parameters:
            assert f"${param}" in " ".join(header), f"{query.name}: ${param} not described in the header"


def test_load_cypher_refuses_paths():
    for bad in ("../pyproject", "/etc/passwd", "queries/../../x"):
        with pytest.raises(ValueError):
            load_cypher(bad)


# --------------------------------------------------------------------------- RowStream: the rows one group at a time

#: strings a Cypher literal must carry unchanged: quotes, backslashes, line breaks, control characters, markup
HOSTILE = ["It's", 'say "hi"', "back\\slash\\", "\\'", "two\nlines\r\n", "tab\t", "nul\x00 bell\x07 del\x7f",
           "sep\u2028\u2029", "é 漢字 😀", "<script>alert('x')</script> & ; // not a comment", "", " "]


def hostile_graph() -> nx.MultiDiGraph:
    """A hand-made graph, not from to_networkx: hostile strings, None, empty lists, several labels and types.

    Nodes are added out of id order, one edge has no ``type`` (its key is the
    type), two edges' keys differ from their types (so key order is not type
    order), two pairs of nodes have two relationships of different types, and
    USES goes to two target labels.
    """
    g = nx.MultiDiGraph()
    papers = [f"arxiv:2001.{i:05d}" for i in (7, 3, 11, 1, 5, 9, 2)] + ["title:ü'\\\"", "title:\x01ctrl"]
    methods = ["method:o'neil", "method:back\\slash", "method:漢字", "method:<b>", "method:a\nb"]
    datasets = ["dataset:x", "dataset:'"]
    for i, text in enumerate(HOSTILE):
        g.add_node(f"task:{i:02d}", label="Task", name=text, aliases=[text, text.upper()], mentions=i)
    for i, m in enumerate(methods):
        g.add_node(m, label="Method", name=HOSTILE[i], aliases=[], description=None, score=i / 3, flag=i % 2 == 0)
    for d in datasets:
        g.add_node(d, label="Dataset", name=d[8:], aliases=(d, "ILSVRC"), extra={"nested": ["'", 1]})
    g.add_node("repository:github.com/o'/r", label="Repository", url="https://github.com/o'/r?q=a&b=<c>")
    for i, p in enumerate(papers):
        g.add_node(p, label="Paper", title=HOSTILE[i % len(HOSTILE)] + f" #{i}", abstract="\n".join(HOSTILE),
                   authors=HOSTILE[i:i + 3], arxiv_id="" if i % 3 else p[6:], upvotes=-1 if i % 2 else i,
                   n_authors=-1, url="", published=None, mixed=[1, "a"], empty=[],
                   results=[{"metric": HOSTILE[i % 5], "dataset": None, "value": f"{i}.5%"},
                            {"metric": "F1", "dataset": "x", "value": "n/a"}] if i % 2 else [])
        for j, m in enumerate(methods[: 1 + i % len(methods)]):
            g.add_edge(p, m, key="USES", type="USES", sentence=HOSTILE[(i + j) % len(HOSTILE)], rule=None, spans=[])
        g.add_edge(p, datasets[i % 2], key="USES", type="USES", sentence=HOSTILE[i % len(HOSTILE)])
        g.add_edge(p, datasets[(i + 1) % 2], key="EVALUATES_ON", sentence="no type attribute: the key is the type",
                   result_scores=[float(i)], results=[{"metric": "acc", "value": f"{i}%"}])
        g.add_edge(p, f"task:{i % len(HOSTILE):02d}", key="ADDRESSES", type="ADDRESSES", sentence=HOSTILE[-i])
        g.add_edge(p, f"task:{(i + 4) % len(HOSTILE):02d}", key="ADDRESSES", type="ADDRESSES", sentence=None)
        if i % 3 == 0:
            g.add_edge(p, methods[0], key="PROPOSES", type="PROPOSES", sentence="proposed and used")
            g.add_edge(p, "repository:github.com/o'/r", key="zz-code", type="HAS_CODE", kind="code")
            g.add_edge(p, methods[-1], key="a-proposes", type="PROPOSES", sentence="key sorts before USES")
    return g


def _stream_lists(graph):
    from kg.db.rows import RowStream

    stream = RowStream(graph)
    nodes = {label: list(stream.nodes(label)) for label in stream.node_counts}
    rels = {group: list(stream.relationships(group)) for group in stream.relationship_counts}
    return stream, nodes, rels


@pytest.mark.parametrize("make", [hand_graph, hostile_graph])
def test_row_stream_yields_exactly_node_rows_and_relationship_rows(make):
    graph = make()
    stream, nodes, rels = _stream_lists(graph)
    expected_nodes, expected_rels = node_rows(graph), relationship_rows(graph)
    assert list(nodes.items()) == list(expected_nodes.items())  # same groups, same order, same rows
    assert list(rels.items()) == list(expected_rels.items())
    assert stream.node_counts == {label: len(rows) for label, rows in expected_nodes.items()}
    assert stream.relationship_counts == {group: len(rows) for group, rows in expected_rels.items()}
    assert sum(stream.relationship_counts.values()) == graph.number_of_edges()


def test_hostile_graph_covers_what_it_claims():
    graph = hostile_graph()
    rels = relationship_rows(graph)
    assert {g[0] for g in rels} == {"Paper"} and {g[2] for g in rels if g[1] == "USES"} == {"Method", "Dataset"}
    assert len(node_rows(graph)) == 5 and len(rels) == 6
    first = next(iter(node_rows(graph)["Paper"]))["props"]
    assert first["empty"] == [] and first["mixed"] == '[1, "a"]' and "published" not in first


def test_row_stream_on_the_seed_build(seed_build):
    from kg.graph import load_graph

    graph = load_graph(seed_build)
    _, nodes, rels = _stream_lists(graph)
    assert nodes == node_rows(graph) and list(nodes) == list(node_rows(graph))
    assert rels == relationship_rows(graph) and list(rels) == list(relationship_rows(graph))


def _refused(graph):
    """What node_rows + relationship_rows and RowStream raise for ``graph``: (old message, new message)."""
    from kg.db.rows import RowStream

    with pytest.raises(ValueError) as old:
        node_rows(graph)
        relationship_rows(graph)
    with pytest.raises(ValueError) as new:
        RowStream(graph)
    return str(old.value), str(new.value)


def test_row_stream_refuses_what_the_row_lists_refuse_with_the_same_first_error():
    cases = []
    g = hostile_graph()
    g.nodes["method:<b>"]["label"] = "Evil`Label"
    g.nodes["dataset:x"]["label"] = None
    cases.append(g)
    g = hostile_graph()
    g.nodes["arxiv:2001.00007"]["bad key"] = 1
    g.nodes["arxiv:2001.00001"]["x-y"] = "z"
    cases.append(g)
    g = hostile_graph()  # several bad edges: the first in (source, key, target) order is reported
    g.add_edge("arxiv:2001.00007", "dataset:x", key="DROPS", type="DROPS")  # first in the graph's own order
    g.add_edge("arxiv:2001.00002", "method:o'neil", key="second", type="USES")  # first in sorted order
    g.add_edge("arxiv:2001.00011", "dataset:x", key="USES", type="USES", **{"bad name": 1})
    cases.append(g)
    g = hostile_graph()
    g.add_edge("arxiv:2001.00011", "method:o'neil", key="again", type="USES")
    cases.append(g)
    messages = [_refused(graph) for graph in cases]
    assert all(old == new for old, new in messages)
    assert [new for _, new in messages] == [
        "not a node label of the graph model: None",
        "property name not allowed in Cypher: 'x-y'",
        "two USES edges from 'arxiv:2001.00002' to \"method:o'neil\"; the graph model allows one",
        "two USES edges from 'arxiv:2001.00011' to \"method:o'neil\"; the graph model allows one",
    ]
    # a name Cypher refuses is no error when its value is left out anyway, as in to_properties
    g = hostile_graph()
    g.nodes["arxiv:2001.00005"]["bad key"] = None
    assert _stream_lists(g)[1] == node_rows(g)


def test_batched_takes_one_batch_at_a_time():
    from kg.db.rows import batched, batches

    taken = []

    def rows():
        for i in range(7):
            taken.append(i)
            yield {"i": i}

    sizes = []
    for batch in batched(rows(), 3):
        sizes.append(len(batch))
        assert len(taken) == sum(sizes)  # nothing read ahead of the batch handed out
    assert sizes == [3, 3, 1]
    data = [{"i": i} for i in range(7)]
    for size in (1, 2, 3, 7, 8):
        assert list(batched(iter(data), size)) == list(batches(data, size))
    assert list(batched(iter([]), 2)) == []
    with pytest.raises(ValueError):
        next(batched(iter(data), 0))


def test_load_sends_the_batches_of_the_row_lists():
    from kg.db import load_graph_into

    class Recorder:
        name, schema_file = "recorder", "schema.falkordb"

        def __init__(self):
            self.calls = []

        def apply_schema(self, statements):
            self.calls.append(("schema", statements))

        def run(self, statement, params=None):
            self.calls.append((statement, params))
            return [], []

    graph = hostile_graph()
    backend = Recorder()
    summary = load_graph_into(backend, graph, batch_size=2)
    expected = [("schema", split_statements(load_cypher("schema.falkordb")))]
    for label, rows in node_rows(graph).items():
        statement = fill(strip_comments(load_cypher("upsert_nodes")), label=label)
        expected += [(statement, {"rows": rows[i : i + 2]}) for i in range(0, len(rows), 2)]
    for (a, t, b), rows in relationship_rows(graph).items():
        statement = fill(strip_comments(load_cypher("upsert_relationships")), source_label=a, type=t, target_label=b)
        expected += [(statement, {"rows": rows[i : i + 2]}) for i in range(0, len(rows), 2)]
    assert backend.calls == expected
    assert summary.rows == graph.number_of_nodes() + graph.number_of_edges()
