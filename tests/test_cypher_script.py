"""``graph.cypher``: escaping, parse-level sanity, and running it on FalkorDB builds the same graph."""
from __future__ import annotations

import io
import re

import pytest

from kg.db import split_statements
from kg.db.rows import node_rows, relationship_rows
from kg.export.cypher_script import cypher_literal, cypher_string, write_cypher_script
from test_cypher_rows import TRICKY, hand_graph

_UNESCAPE = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def decode_cypher_string(literal: str) -> str:
    """Decode a single-quoted Cypher string literal as Neo4j's parser does (test oracle)."""
    assert literal[0] == literal[-1] == "'"
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "'":
            raise AssertionError(f"unescaped quote at {i} in {literal!r}")
        if c != "\\":
            out.append(c)
            i += 1
        elif body[i + 1] == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            out.append(_UNESCAPE[body[i + 1]])
            i += 2
    return "".join(out)


@pytest.mark.parametrize("text,literal", [
    ("plain", "'plain'"),
    ("It's", "'It\\'s'"),
    ('say "hi"', "'say \"hi\"'"),
    ("back\\slash", "'back\\\\slash'"),
    ("\\'", "'\\\\\\''"),
    ("two\nlines\r\n", "'two\\nlines\\r\\n'"),
    ("tab\there", "'tab\\there'"),
    ("bell\x07 nul\x00 del\x7f", "'bell\\u0007 nul\\u0000 del\\u007f'"),
    ("line\u2028sep", "'line\\u2028sep'"),
    ("é 漢字 😀", "'é 漢字 😀'"),
    ("", "''"),
])
def test_cypher_string_escapes(text, literal):
    assert cypher_string(text) == literal
    assert decode_cypher_string(literal) == text
    assert "\n" not in literal and "\r" not in literal


def test_cypher_literal_values_and_refusals():
    assert cypher_literal([1, 2.5, True, None, "x"]) == "[1, 2.5, true, null, 'x']"
    assert cypher_literal({"a": {"b": []}}) == "{a: {b: []}}"
    for bad in (float("nan"), float("inf"), {"bad key": 1}, {"x`y": 1}, object()):
        with pytest.raises(ValueError):
            cypher_literal(bad)


def _script(graph, **kw) -> str:
    out = io.StringIO()
    write_cypher_script(graph, out, **kw)
    return out.getvalue()


def test_script_is_schema_then_batched_merges():
    graph = hand_graph()
    statements = split_statements(_script(graph, batch_size=2))
    schema = [s for s in statements if s.startswith("CREATE ")]
    upserts = [s for s in statements if s.startswith("UNWIND ")]
    assert len(schema) + len(upserts) == len(statements) and statements[: len(schema)] == schema
    assert len(schema) == 7 and all("IF NOT EXISTS" in s for s in schema)
    expected_batches = sum((len(rows) + 1) // 2 for rows in node_rows(graph).values())
    expected_batches += sum((len(rows) + 1) // 2 for rows in relationship_rows(graph).values())
    assert len(upserts) == expected_batches
    assert all("MERGE" in s and "CREATE (" not in s and "$rows" not in s for s in upserts)
    assert sum(s.count("{id: '") for s in upserts if "MERGE (n:" in s) == graph.number_of_nodes()
    assert sum(s.count("{source: '") for s in upserts) == graph.number_of_edges()


def test_script_holds_every_text_exactly_once_escaped():
    script = _script(hand_graph())
    literals = re.findall(r"'(?:[^'\\]|\\.)*'", script)
    decoded = {decode_cypher_string(lit) for lit in literals}
    assert "AlphaNet: " + TRICKY in decoded and TRICKY in decoded and "Ann O'Neil" in decoded
    assert "<script>" not in "".join(line for line in script.splitlines() if line.startswith("//"))
    # each statement is one line per row: no raw newline or carriage return inside a literal
    assert all("\n" not in lit and "\r" not in lit for lit in literals)


def test_script_is_deterministic():
    assert _script(hand_graph()) == _script(hand_graph())


# --------------------------------------------------------------------------- on a real engine


def _run_script(backend, script: str) -> int:
    """Run every statement FalkorDB understands; the Neo4j schema statements are the only ones skipped."""
    ran = 0
    for statement in split_statements(script):
        if statement.startswith(("CREATE CONSTRAINT", "CREATE FULLTEXT INDEX")):
            continue
        backend.run(statement)
        ran += 1
    return ran


@pytest.fixture(scope="module")
def server():
    from kg.db.falkor import EmbeddedFalkorDB

    with EmbeddedFalkorDB() as srv:
        yield srv


@pytest.mark.slow
@pytest.mark.database
@pytest.mark.parametrize("which", ["hand", "seed"])
def test_script_run_on_falkordb_builds_the_same_graph_twice(server, which, request):
    from kg.db import count_in_database
    from kg.graph import load_graph
    from test_cypher_falkordb import _expected, _stored, graph_counts

    graph = hand_graph() if which == "hand" else load_graph(request.getfixturevalue("seed_build"))
    script = _script(graph)
    if which == "seed":
        assert script == (request.getfixturevalue("seed_build") / "graph.cypher").read_text(encoding="utf-8")
    backend = server.backend(f"script-{which}")
    assert _run_script(backend, script) > 0
    assert count_in_database(backend) == graph_counts(graph)
    nodes, rels = _stored(backend)
    assert (nodes, rels) == _expected(graph)
    if which == "hand":  # FalkorDB plans large literal statements slowly: the seed script runs once (~10 s)
        _run_script(backend, script)
        assert count_in_database(backend) == graph_counts(graph)


@pytest.mark.slow
@pytest.mark.database
def test_literals_mean_the_same_text_to_falkordb(server):
    backend = server.backend("literals")
    _, rows = backend.run(f"RETURN {cypher_literal(TRICKY)} AS t, {cypher_literal(['a' + chr(39), chr(92)])} AS l")
    assert rows == [[TRICKY, ["a'", "\\"]]]


# --------------------------------------------------------------------------- streaming: the same bytes as the row lists


def _reference_script(graph, batch_size: int = 100) -> str:
    """The writer as it was before RowStream: every row list built first, then written (test oracle)."""
    from kg.db.cypher_files import fill, load_cypher, strip_comments

    def with_rows(template, rows):
        return template.replace("$rows", "[\n  " + ",\n  ".join(cypher_literal(row) for row in rows) + "\n]")

    nodes, rels = node_rows(graph), relationship_rows(graph)
    out = io.StringIO()
    out.write("// graph.cypher, written by `kg build`: builds the same graph as graph.json.\n")
    out.write(f"// {sum(map(len, nodes.values()))} nodes, {sum(map(len, rels.values()))} relationships. "
              "Idempotent (MERGE on keys): safe to run again.\n")
    out.write("// Run: cypher-shell -u neo4j -p PASSWORD -f graph.cypher\n\n")
    for statement in split_statements(load_cypher("schema")):
        out.write(statement + ";\n")
    for label, rows in nodes.items():
        out.write(f"\n// {label}: {len(rows)} nodes\n")
        statement = fill(strip_comments(load_cypher("upsert_nodes")), label=label)
        for i in range(0, len(rows), batch_size):
            out.write(with_rows(statement, rows[i : i + batch_size]) + ";\n")
    for (a, t, b), rows in rels.items():
        out.write(f"\n// {t} ({a} -> {b}): {len(rows)} relationships\n")
        statement = fill(strip_comments(load_cypher("upsert_relationships")), source_label=a, type=t, target_label=b)
        for i in range(0, len(rows), batch_size):
            out.write(with_rows(statement, rows[i : i + batch_size]) + ";\n")
    return out.getvalue()


@pytest.mark.parametrize("batch_size", [1, 2, 3, 100])
def test_streamed_script_is_the_reference_script_on_hostile_strings(batch_size):
    from test_cypher_rows import hostile_graph

    graph = hostile_graph()
    script = _script(graph, batch_size=batch_size)
    assert script == _reference_script(graph, batch_size)
    # the groups really span several statements at the small sizes
    longest = max(map(len, relationship_rows(graph).values()))
    assert script.count("MERGE (a)-[r:USES]->(b)") >= -(-longest // batch_size) > (1 if batch_size < 100 else 0)


def test_streamed_script_is_the_reference_script_on_the_seed_build(seed_build):
    from kg.graph import load_graph

    graph = load_graph(seed_build)
    built = (seed_build / "graph.cypher").read_bytes()
    assert _script(graph).encode("utf-8") == _reference_script(graph).encode("utf-8") == built
    assert _script(graph, batch_size=7) == _reference_script(graph, 7)


def test_writer_builds_no_row_lists(monkeypatch):
    import kg.db.rows as rows_module
    from test_cypher_rows import hostile_graph

    expected = _reference_script(hostile_graph(), 2)

    def refuse(graph):
        raise AssertionError("the script writer must not build every row")

    monkeypatch.setattr(rows_module, "node_rows", refuse)
    monkeypatch.setattr(rows_module, "relationship_rows", refuse)
    assert _script(hostile_graph(), batch_size=2) == expected


def test_a_refused_graph_writes_nothing():
    from test_cypher_rows import hostile_graph

    graph = hostile_graph()
    graph.add_edge("arxiv:2001.00003", "dataset:x", key="USES", type="USES", **{"bad name": 1})
    out = io.StringIO()
    with pytest.raises(ValueError, match="'bad name'"):
        write_cypher_script(graph, out)
    assert out.getvalue() == ""


def test_writing_holds_about_one_batch_not_every_row():
    """tracemalloc peak while writing a 2,000-paper graph: the reference holds every row, the writer one batch."""
    import tracemalloc

    from test_cypher_rows import hostile_graph

    graph = hostile_graph()
    for i in range(2000):
        p = f"arxiv:2101.{i:05d}"
        graph.add_node(p, label="Paper", title=f"Paper {i}", abstract="An abstract. " * 20, authors=["A", "B"])
        for m in ("method:o'neil", "method:漢字", "method:<b>"):
            graph.add_edge(p, m, key="USES", type="USES", sentence=f"Uses it, paper {i}.")

    class Sink(io.TextIOBase):
        def write(self, text):
            return len(text)

    def peak(write) -> int:
        tracemalloc.start()
        try:
            write()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def old():
        Sink().write(_reference_script(graph))

    new_peak = peak(lambda: write_cypher_script(graph, Sink()))
    old_peak = peak(old)
    assert new_peak * 10 < old_peak, (new_peak, old_peak)
    assert new_peak < 1_000_000
