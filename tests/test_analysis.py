"""kg.analysis on small hand-made graphs whose answers are known (worked out in the comments)."""
from __future__ import annotations

import doctest
import json
import math

import networkx as nx
import pytest

import kg.analysis as analysis
from kg.analysis import (
    bipartite,
    communities,
    cooccurrence,
    find_entity,
    leaderboard,
    neighbourhood,
    nodes_by_label,
    paper_entities,
    paper_projection,
    parse_number,
    similar_papers,
    top_by_degree,
)
from kg.graph import graph_to_json, to_networkx
from kg.models import Entity, Mention, Paper, PaperRecord, Result

ROLE = {"Method": "used", "Dataset": "evaluated", "Metric": "measured", "Task": "addressed"}


def ent(spec: str, *, role: str | None = None, aliases: tuple[str, ...] = (), mentions: int = 1) -> Entity:
    """``"Dataset:D1"`` -> the Dataset entity D1 (id ``dataset:d1``) with the usual role for its type."""
    kind, name = spec.split(":", 1)
    ms = [Mention(field="abstract", start=0, end=len(name), text=name, rule="test", sentence=f"{name} {i}.") for i in range(mentions)]
    return Entity(type=kind, name=name, id=f"{kind.lower()}:{name.lower()}", role=role or ROLE[kind], aliases=list(aliases), mentions=ms)


def rec(pid: str, *entities: Entity, results: tuple[tuple, ...] = (), title: str | None = None) -> PaperRecord:
    paper = Paper(id=pid, title=title or f"Paper {pid}", abstract="")
    found = [Result(metric=m, dataset=d, value=v, text=f"{v} {m}") for m, d, v in results]
    return PaperRecord(id=pid, title=paper.title, paper=paper, entities=list(entities), results=found)


def graph_of(*records: PaperRecord) -> nx.MultiDiGraph:
    return to_networkx(records)


@pytest.fixture
def clusters() -> nx.MultiDiGraph:
    """Two clusters of three papers, bridged by M3 (a3, b1), plus Adam everywhere and a lone paper.

    a-papers: D1, M1, T1; b-papers: D2, M2, T2; every a/b paper uses Adam; lone has nothing.
    """
    a = [ent("Dataset:D1"), ent("Method:M1"), ent("Task:T1"), ent("Method:Adam")]
    b = [ent("Dataset:D2"), ent("Method:M2"), ent("Task:T2"), ent("Method:Adam")]
    return graph_of(
        rec("a1", *a),
        rec("a2", *a),
        rec("a3", *a, ent("Method:M3")),
        rec("b1", *b, ent("Method:M3")),
        rec("b2", *b),
        rec("b3", *b),
        rec("lone"),
    )


# --------------------------------------------------------------------------- lookups


def test_nodes_by_label_sorted_and_checked(clusters):
    assert nodes_by_label(clusters, "Dataset") == ["dataset:d1", "dataset:d2"]
    assert nodes_by_label(clusters, "Repository") == []
    with pytest.raises(ValueError, match="unknown label 'Datasets'"):
        nodes_by_label(clusters, "Datasets")


def test_paper_entities_by_label_and_relationship():
    g = graph_of(rec("p", ent("Method:M", role="proposed"), ent("Method:N"), ent("Dataset:D", role="introduced"), ent("Metric:acc")))
    assert paper_entities(g, "p") == {"method:m", "method:n", "dataset:d", "metric:acc"}
    assert paper_entities(g, "p", labels="Method") == {"method:m", "method:n"}
    assert paper_entities(g, "p", rel_types=["PROPOSES", "INTRODUCES"]) == {"method:m", "dataset:d"}
    assert paper_entities(g, "p", labels=["Task"]) == set()


def test_find_entity_by_name_alias_and_normalised_form():
    g = graph_of(
        rec("p1", ent("Dataset:MSCOCO", aliases=("MS COCO", "COCO")), ent("Method:COCO", mentions=3)),
        rec("p2", ent("Dataset:ImageNet")),
    )
    assert find_entity(g, "MS-COCO") == ["dataset:mscoco"]
    assert find_entity(g, "imagenet") == ["dataset:imagenet"]
    assert find_entity(g, "dataset:imagenet") == ["dataset:imagenet"]
    # "COCO" is the Method's exact name and the Dataset's alias: the exact name ranks first
    assert find_entity(g, "COCO") == ["method:coco", "dataset:mscoco"]
    assert find_entity(g, "coco") == ["method:coco", "dataset:mscoco"]  # neither exact: more mentions first
    assert find_entity(g, "COCO", label="Dataset") == ["dataset:mscoco"]
    assert find_entity(g, "CIFAR-10") == []
    assert find_entity(g, " - ") == []


def test_top_by_degree_counts_papers_once_per_entity():
    # d: p1 (introduces AND evaluates: one paper), p2, p3 -> 3; e: p1, p2 -> 2; f: p3 -> 1
    g = graph_of(
        rec("p1", ent("Dataset:d", role="introduced"), ent("Dataset:d"), ent("Dataset:e")),
        rec("p2", ent("Dataset:d"), ent("Dataset:e")),
        rec("p3", ent("Dataset:d"), ent("Dataset:f"), ent("Method:m")),
    )
    assert g.number_of_edges("p1", "dataset:d") == 2
    assert top_by_degree(g, "Dataset") == [("dataset:d", 3), ("dataset:e", 2), ("dataset:f", 1)]
    assert top_by_degree(g, "Dataset", k=1) == [("dataset:d", 3)]
    assert top_by_degree(g, "Dataset", rel_types=["INTRODUCES"]) == [("dataset:d", 1)]
    # papers by number of entities; ties by id
    assert top_by_degree(g, "Paper", k=None) == [("p3", 3), ("p1", 2), ("p2", 2)]


# --------------------------------------------------------------------------- projections


def test_paper_projection_weights_and_shared(clusters):
    p = paper_projection(clusters)
    assert set(p) == {"a1", "a2", "a3", "b1", "b2", "b3", "lone"}
    assert p.degree("lone") == 0
    # a1-a2 share D1, M1, Adam (tasks are not in the default labels)
    assert p.edges["a1", "a2"] == {"weight": 3, "shared": ["dataset:d1", "method:adam", "method:m1"]}
    assert p.edges["a3", "b1"] == {"weight": 2, "shared": ["method:adam", "method:m3"]}
    assert p.edges["a1", "b2"]["weight"] == 1
    assert p.nodes["a1"] == {"label": "Paper", "name": "Paper a1", "title": "Paper a1"}
    # only datasets: the clusters fall apart
    d = paper_projection(clusters, labels=["Dataset"])
    assert sorted(map(sorted, nx.connected_components(d))) == [["a1", "a2", "a3"], ["b1", "b2", "b3"], ["lone"]]
    heavy = paper_projection(clusters, min_weight=2)
    assert not heavy.has_edge("a1", "b2") and heavy.has_edge("a3", "b1")


def test_paper_projection_by_relationship_type():
    g = graph_of(rec("p1", ent("Dataset:d", role="introduced")), rec("p2", ent("Dataset:d")), rec("p3", ent("Dataset:d")))
    assert sorted(paper_projection(g).edges) == [("p1", "p2"), ("p1", "p3"), ("p2", "p3")]
    assert sorted(paper_projection(g, rel_types=["EVALUATES_ON"]).edges) == [("p2", "p3")]


def test_cooccurrence_of_methods(clusters):
    c = cooccurrence(clusters)
    assert set(c) == {"method:adam", "method:m1", "method:m2", "method:m3"}
    assert c.edges["method:adam", "method:m1"] == {"weight": 3, "papers": ["a1", "a2", "a3"]}
    assert c.edges["method:m1", "method:m3"] == {"weight": 1, "papers": ["a3"]}
    assert not c.has_edge("method:m1", "method:m2")
    assert c.nodes["method:adam"] == {"label": "Method", "name": "Adam", "papers": 6}
    assert sorted(cooccurrence(clusters, min_weight=2).edges) == [
        ("method:adam", "method:m1"), ("method:adam", "method:m2"), ("method:adam", "method:m3")
    ]


def test_cooccurrence_across_labels(clusters):
    c = cooccurrence(clusters, labels=["Dataset", "Task"])
    assert sorted(c.edges(data="weight")) == [("dataset:d1", "task:t1", 3), ("dataset:d2", "task:t2", 3)]


def test_bipartite_method_dataset(clusters):
    b = bipartite(clusters)
    assert nx.bipartite.is_bipartite(b)
    assert {n for n, side in b.nodes(data="bipartite") if side == 0} == {"method:adam", "method:m1", "method:m2", "method:m3"}
    assert {n for n, side in b.nodes(data="bipartite") if side == 1} == {"dataset:d1", "dataset:d2"}
    assert b.edges["method:m3", "dataset:d1"] == {"weight": 1, "papers": ["a3"]}
    assert b.edges["method:adam", "dataset:d2"]["weight"] == 3
    assert not b.has_edge("method:m1", "dataset:d2")
    assert sorted(bipartite(clusters, left="Task", right="Dataset").edges) == [("task:t1", "dataset:d1"), ("task:t2", "dataset:d2")]
    with pytest.raises(ValueError):
        bipartite(clusters, left="Method", right="Method")


# --------------------------------------------------------------------------- a paper and its kin


def test_neighbourhood_hops_and_labels(clusters):
    assert sorted(neighbourhood(clusters, "a1", hops=0)) == ["a1"]
    assert sorted(neighbourhood(clusters, "a1")) == ["a1", "dataset:d1", "method:adam", "method:m1", "task:t1"]
    two = neighbourhood(clusters, "a1", hops=2)
    assert set(two) >= {"a2", "a3", "b1", "b2", "b3"} and "lone" not in two  # Adam reaches the b-papers
    assert sorted(neighbourhood(clusters, "a1", hops=2, labels=["Paper", "Dataset"])) == ["a1", "a2", "a3", "dataset:d1"]
    assert sorted(neighbourhood(clusters, "method:m3")) == ["a3", "b1", "method:m3"]
    ego = neighbourhood(clusters, "a1")
    assert ego.edges["a1", "dataset:d1", "EVALUATES_ON"]["evidence"] == ["D1 0."]
    ego.nodes["a1"]["name"] = "changed"
    assert clusters.nodes["a1"]["name"] == "Paper a1"
    with pytest.raises(KeyError):
        neighbourhood(clusters, "nope")


def test_similar_papers_jaccard(clusters):
    # a1: {D1, M1, T1, Adam}; a2 the same -> 1; a3 adds M3 -> 4/5;
    # b2, b3: {D2, M2, T2, Adam} share Adam -> 1/7; b1 also has M3 -> 1/8; lone shares nothing
    found = similar_papers(clusters, "a1", k=None)
    assert [s.paper for s in found] == ["a2", "a3", "b2", "b3", "b1"]
    assert [s.score for s in found] == pytest.approx([1.0, 0.8, 1 / 7, 1 / 7, 1 / 8])
    assert found[1].shared == ["dataset:d1", "method:adam", "method:m1", "task:t1"]
    assert found[4].shared == ["method:adam"]
    assert [s.paper for s in similar_papers(clusters, "a1", k=2)] == ["a2", "a3"]
    assert similar_papers(clusters, "lone") == []


def test_similar_papers_idf_prefers_rare_shared_entities():
    # q {C, R, Q} shares common C (in 4 papers) with x {C, X} and rare R (in 2) with y {R, Y}: Jaccard
    # ties x and y at 1/4 (below z1, z2 {C} at 1/3); with idf weights the rare R puts y first
    g = graph_of(
        rec("q", ent("Method:C"), ent("Method:R"), ent("Dataset:Q")),
        rec("x", ent("Method:C"), ent("Dataset:X")),
        rec("y", ent("Method:R"), ent("Dataset:Y")),
        rec("z1", ent("Method:C")),
        rec("z2", ent("Method:C")),
    )
    jac = similar_papers(g, "q", k=None, labels=["Method", "Dataset"])
    assert [(s.paper, s.score) for s in jac] == [("z1", 1 / 3), ("z2", 1 / 3), ("x", 0.25), ("y", 0.25)]
    idf = similar_papers(g, "q", k=None, labels=["Method", "Dataset"], weighting="idf")
    assert [s.paper for s in idf] == ["y", "z1", "z2", "x"]
    n = 5
    w = {1: math.log(1 + n / 1), 2: math.log(1 + n / 2), 4: math.log(1 + n / 4)}
    assert idf[0].score == pytest.approx(w[2] / (w[4] + w[2] + w[1] + w[1]))
    with pytest.raises(KeyError):
        similar_papers(g, "method:c")
    with pytest.raises(ValueError):
        similar_papers(g, "q", weighting="cosine")


# --------------------------------------------------------------------------- communities


@pytest.mark.parametrize("algorithm", ["louvain", "greedy"])
def test_communities_of_papers(clusters, algorithm):
    found = communities(clusters, algorithm=algorithm, top=4)
    assert [c.members for c in found] == [["a1", "a2", "a3"], ["b1", "b2", "b3"]]  # lone (size 1) left out
    # N = 7 papers; D1, M1, T1 are in 3 papers, all in the community: 3 * log(1 + 7/3) each;
    # Adam is in 3 members too but in 6 papers overall: 3 * log(1 + 7/6) is lower; M3: 1 * log(1 + 7/2)
    assert found[0].top == [("dataset:d1", 3), ("method:m1", 3), ("task:t1", 3), ("method:adam", 3)]
    assert found[1].top[:3] == [("dataset:d2", 3), ("method:m2", 3), ("task:t2", 3)]
    assert communities(clusters, algorithm=algorithm, top=2)[0].top == [("dataset:d1", 3), ("method:m1", 3)]
    with_singletons = communities(clusters, algorithm=algorithm, min_size=1)
    assert with_singletons[-1].members == ["lone"] and with_singletons[-1].top == []


def test_communities_are_deterministic_with_a_seed(clusters):
    runs = [communities(clusters, seed=7) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_communities_of_entities(clusters):
    found = communities(clusters, on="entities", labels=["Dataset", "Task"])
    assert found == [
        analysis.Community(["dataset:d1", "task:t1"], [("dataset:d1", 3), ("task:t1", 3)]),
        analysis.Community(["dataset:d2", "task:t2"], [("dataset:d2", 3), ("task:t2", 3)]),
    ]


def test_communities_bad_options(clusters):
    with pytest.raises(ValueError):
        communities(clusters, on="authors")
    with pytest.raises(ValueError):
        communities(clusters, algorithm="leiden")


# --------------------------------------------------------------------------- results


@pytest.mark.parametrize(
    "value, number",
    [("91.2%", 91.2), ("3.1", 3.1), ("1,024 tokens", 1024.0), ("-0.5 dB", -0.5), (".75", 0.75), ("2x faster", 2.0),
     ("BLEU", None), ("", None)],
)
def test_parse_number(value, number):
    assert parse_number(value) == number


@pytest.fixture
def results_graph() -> nx.MultiDiGraph:
    return graph_of(
        rec("p1", ent("Metric:accuracy", aliases=("acc",)), ent("Dataset:ImageNet", aliases=("ILSVRC",)),
            results=(("accuracy", "ImageNet", "81.5%"), ("FID", None, "3.2")), title="One"),
        rec("p2", ent("Metric:accuracy"), results=(("accuracy", "ImageNet", "84.0%"), ("accuracy", "CIFAR-10", "97.0%")), title="Two"),
        rec("p3", results=(("FID", None, "2.9"), ("accuracy", "ImageNet", "about a third")), title="Three"),
        rec("p4", title="Four"),
    )


def test_leaderboard_rows_and_order(results_graph):
    rows = leaderboard(results_graph, metric="acc", dataset="ILSVRC")  # aliases resolve
    assert [(r["paper"], r["value"], r["number"]) for r in rows] == [
        ("p2", "84.0%", 84.0), ("p1", "81.5%", 81.5), ("p3", "about a third", None)
    ]
    assert rows[0] == {"paper": "p2", "title": "Two", "metric": "accuracy", "dataset": "ImageNet",
                       "value": "84.0%", "number": 84.0, "text": "84.0% accuracy"}
    assert [r["paper"] for r in leaderboard(results_graph, metric="accuracy", dataset="imagenet", ascending=True)] == ["p1", "p2", "p3"]


def test_leaderboard_lower_is_better_and_unfiltered(results_graph):
    # FID: lower is better, so ascending; its results have no dataset
    assert [(r["paper"], r["number"], r["dataset"]) for r in leaderboard(results_graph, metric="FID")] == [
        ("p3", 2.9, None), ("p1", 3.2, None)
    ]
    everything = leaderboard(results_graph)
    assert len(everything) == 6
    assert [r["number"] for r in everything] == [97.0, 84.0, 81.5, 3.2, 2.9, None]
    assert leaderboard(results_graph, dataset="CIFAR-10")[0]["paper"] == "p2"
    assert leaderboard(results_graph, metric="BLEU") == []


# --------------------------------------------------------------------------- the module as a whole


def test_docstring_examples_run():
    result = doctest.testmod(analysis, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 20
    assert result.failed == 0


def test_helpers_do_not_mutate_the_graph(clusters):
    before = json.dumps(graph_to_json(clusters), sort_keys=True)
    nodes_by_label(clusters, "Paper")
    find_entity(clusters, "D1")
    top_by_degree(clusters, "Method")
    paper_projection(clusters)
    cooccurrence(clusters)
    bipartite(clusters)
    neighbourhood(clusters, "a1", hops=2)
    similar_papers(clusters, "a1", weighting="idf")
    communities(clusters)
    communities(clusters, on="entities")
    leaderboard(clusters)
    assert json.dumps(graph_to_json(clusters), sort_keys=True) == before


def test_helpers_on_the_example_graph_agree_with_its_description():
    g = analysis.example_graph()
    assert [c.members for c in communities(g)] == [["paper:p1", "paper:p2", "paper:p3"], ["paper:p4", "paper:p5"]]
    assert top_by_degree(g, "Dataset", k=1) == [("dataset:imagenet", 3)]
